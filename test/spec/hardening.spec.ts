/**
 * Tier: pure functions over real files — the loader `xcluster validate` uses, on spec files written to a
 * temporary directory. Every crash class and misleading message found by mutating the committed specs
 * (issue 17) is reproduced here: each must end as positioned issues in our words, never as a throw.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { loadFleet, formatIssue } from "../../spec";
import { YAML_LIMITS } from "../../spec/yaml-source";
import { baseCluster, baseEnvironment, largeClusterSpec, loadFiles, writeFleet } from "../support/spec-files";

const HEAD = "apiVersion: crossplane.ecmwf.int/v1alpha1\nkind: XCluster\nmetadata:\n  name: c1\n";
const PARAMS =
  "spec:\n  parameters:\n    numberOfMasters: 3\n    numberOfWorkers: 0\n    numberOfGpuWorkers: 0\n" +
  "    rke2Version: v1.33.3+rke2r1\n    subnetCidr: 10.0.50.0/24\n    floatingIpPool: ext\n";

function messagesOf(cluster: string | Record<string, unknown>, env = baseEnvironment()): string[] {
  const fleet = loadFiles({ "environment.yaml": env, "c1.yaml": cluster });
  for (const issue of fleet.issues) {
    assert.ok(issue.line >= 1 && issue.col >= 1, `unpositioned: ${formatIssue(issue)}`);
  }
  return fleet.messages;
}

describe("spec input hardening (pure: the loader on files)", () => {
  describe("structure before semantics", () => {
    for (const [what, entry] of [
      ["a list", ["a", "b"]],
      ["a scalar", 7],
      ["null", null],
    ] as const) {
      it(`rejects a pool entry that is ${what} with a positioned structural issue only`, () => {
        const messages = messagesOf(baseCluster({ workerPools: [entry, { name: "ok", count: 1 }] }));
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(messages[0]!, /^c1\.yaml:\d+:\d+: spec\.parameters\.workerPools\[0\]: wrong type/);
      });
    }

    it("still runs the cross-field rules on the fields structure proved", () => {
      const messages = messagesOf(
        baseCluster({ workerPools: [null, { name: "workers", count: 1 }], numberOfMasters: 2 }),
      );
      assert.equal(messages.length, 3, messages.join("\n"));
      assert.match(messages.join("\n"), /workerPools\[1\]\.name: duplicate pool name/);
      assert.match(messages.join("\n"), /numberOfMasters: etcd needs an odd number/);
    });

    it("calls a missing topology mode missing", () => {
      const messages = messagesOf(baseCluster({ topology: {} }));
      assert.deepEqual(messages, ["c1.yaml:13:15: spec.parameters.topology.mode: required field is missing"]);
    });

    it("calls a missing spec section missing", () => {
      assert.deepEqual(messagesOf(HEAD), ["c1.yaml:1:1: spec: required field is missing (expected object)"]);
    });

    it('writes an empty key as [""] in the field path', () => {
      const messages = messagesOf(`${HEAD}${PARAMS}    "": 1\n`);
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, /^c1\.yaml:13:5: spec\.parameters\[""\]: unknown field \(got ""/);
    });

    it("escapes control characters and bidirectional overrides in messages", () => {
      const messages = messagesOf(`${HEAD}${PARAMS}    "col\\u001bour\\u202e": 1\n`);
      assert.equal(messages.length, 1);
      assert.ok(!/[\u0000-\u001f\u202e]/.test(messages[0]!), JSON.stringify(messages[0]));
      assert.match(messages[0]!, /col\\u001bour\\u202e/);
    });

    it("reports only the root cause for a subnet too small", () => {
      assert.deepEqual(messagesOf(baseCluster({ subnetCidr: "10.0.50.0/29" })), [
        "c1.yaml:11:17: spec.parameters.subnetCidr: subnet size out of range (got /29; allowed: /16 to /26)",
      ]);
    });
  });

  describe("rules the components also enforce", () => {
    it("rejects a VIP outside the subnet when the environment's default topology sets it", () => {
      const env = baseEnvironment({ defaults: { topology: { mode: "keepalived", vip: "10.9.9.10" } } });
      const messages = messagesOf(baseCluster(), env);
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0]!, /VIP outside the cluster subnet \(got "10\.9\.9\.10"/);
    });

    for (const server of ["2001:db8::53", "", "dns.example.org", "10.0.0.256"]) {
      it(`rejects the DNS server ${JSON.stringify(server)} in a cluster and in an environment`, () => {
        const inCluster = messagesOf(baseCluster({ network: { dnsServers: ["10.0.0.2", server] } }));
        assert.equal(inCluster.length, 1, inCluster.join("\n"));
        assert.match(inCluster[0]!, /spec\.parameters\.network\.dnsServers\[1\]: not an IPv4 address/);
        const env = baseEnvironment({
          openstack: {
            cloud: "c",
            region: "r",
            externalNetwork: "ext",
            gpuFlavors: ["g1.*"],
            dnsServers: [server],
          },
        });
        const inEnv = loadFiles({ "environment.yaml": env, "c1.yaml": baseCluster() }).messages;
        assert.equal(inEnv.length, 1, inEnv.join("\n"));
        assert.match(
          inEnv[0]!,
          /environment\.yaml:\d+:\d+: spec\.openstack\.dnsServers\[0\]: not an IPv4 address/,
        );
      });
    }

    it("rejects a service CIDR overlapping the pod CIDR the environment sets", () => {
      const env = baseEnvironment({ defaults: { rke2: { podCidr: "10.96.0.0/12" } } });
      const messages = messagesOf(baseCluster({ rke2: { serviceCidr: "10.100.0.0/16" } }), env);
      assert.deepEqual(messages, [
        "c1.yaml:14:20: spec.parameters.rke2.serviceCidr: pod and service CIDRs overlap (got 10.96.0.0/12 and 10.100.0.0/16; allowed: disjoint ranges)",
      ]);
    });

    it("rejects a service CIDR too small for the cluster DNS address", () => {
      const messages = messagesOf(baseCluster({ rke2: { serviceCidr: "10.43.0.0/29" } }));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(
        messages[0]!,
        /serviceCidr: service range too small .* \(got \/29; allowed: \/28 or larger\)/,
      );
    });

    it("rejects admin CIDRs with host bits set, in a cluster and in an environment", () => {
      const messages = loadFiles({
        "environment.yaml": baseEnvironment({ adminCidrs: ["192.168.1.7/24"] }),
        "c1.yaml": baseCluster({ adminCidrs: ["10.1.2.3/16"] }),
      }).messages;
      assert.equal(messages.length, 1, "the cluster is not checked against an invalid environment");
      assert.match(
        messages[0]!,
        /spec\.adminCidrs\[0\]: bad CIDR: host bits set \(the network is 192\.168\.1\.0\/24\)/,
      );
      const cluster = messagesOf(baseCluster({ adminCidrs: ["10.1.2.3/16"] }));
      assert.match(
        cluster.join("\n"),
        /adminCidrs\[0\]: bad CIDR: host bits set \(the network is 10\.1\.0\.0\/16\)/,
      );
    });

    it("rejects a DHCP pool that includes the gateway", () => {
      const messages = messagesOf(
        baseCluster({ network: { allocationPool: { start: "10.0.50.1", end: "10.0.50.254" } } }),
      );
      assert.match(
        messages.join("\n"),
        /allocationPool\.start: the DHCP pool includes the gateway 10\.0\.50\.1/,
      );
    });

    it("rejects a Rancher URL that is not https, and the rancher add-on without one", () => {
      const env = baseEnvironment({ rancher: { url: "http://rancher.example.org" } });
      const http = loadFiles({ "environment.yaml": env, "c1.yaml": baseCluster() }).messages;
      assert.equal(http.length, 1, http.join("\n"));
      assert.match(http[0]!, /^environment\.yaml:\d+:\d+: spec\.rancher\.url: must be https/);
      const none = messagesOf(baseCluster({}, { addons: ["rancher"] }));
      assert.equal(none.length, 1, none.join("\n"));
      assert.match(
        none[0]!,
        /spec\.addons\[0\]: the rancher add-on is served at the environment's Rancher URL/,
      );
    });

    it("rejects add-ons that read their secrets from Vault when the environment has no Vault", () => {
      const env = baseEnvironment({ dns: { zone: "ai.example.org" } });
      const messages = messagesOf(baseCluster({}, { addons: ["external-dns"] }), env);
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(
        messages[0]!,
        /spec\.addons\[0\]: external-dns reads its own Route53 credentials \(Vault's AWS secrets engine, vault\.awsSecretsMount\) from Vault/,
      );
    });

    it("rejects external-dns when the environment has no Route53 zone to confine it to", () => {
      const vault = {
        address: "https://vault.example.org:8200",
        openstackCredentialPath: "a",
        awsCredentialPath: "b",
        sshPublicKeyPath: "c",
        clusterPathPrefix: "clusters",
      };
      const messages = messagesOf(baseCluster({}, { addons: ["external-dns"] }), baseEnvironment({ vault }));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(
        messages[0]!,
        /spec\.addons\[0\]: external-dns writes records in the environment's Route53 zone \(got DNS disabled/,
      );
    });

    it("rejects a keepalived interface name keepalived itself would refuse", () => {
      const messages = messagesOf(baseCluster({ topology: { mode: "keepalived", interfaceName: "-eth0" } }));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0]!, /topology\.interfaceName: must be a Linux interface name/);
    });
  });

  describe("YAML", () => {
    it("rejects an alias without its anchor, in our words and with its position", () => {
      assert.deepEqual(messagesOf(`${HEAD}${PARAMS}    numberOfGpuWorkers2: *nothing\n`), [
        "c1.yaml:13:26: spec.parameters.numberOfGpuWorkers2: alias *nothing refers to no anchor (allowed: an alias after its &nothing)",
      ]);
    });

    it("rejects an alias expansion bomb before expanding it", () => {
      const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < 10; i++) {
        const prev = String.fromCharCode(96 + i);
        const next = String.fromCharCode(97 + i);
        lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
      }
      // Expanding it would make 10^10 nodes; the message below shows the count stopped at the limit.
      const messages = messagesOf(`${lines.join("\n")}\n`);
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, /^c1\.yaml:5:7: e: aliases expand to too many nodes \(got more than 100000/);
      assert.doesNotMatch(messages[0]!, /attack|ReferenceError/);
    });

    it("rejects an alias inside the node it refers to", () => {
      const messages = messagesOf("a: &a [1, *a]\n");
      assert.deepEqual(messages, ["c1.yaml:1:11: a[1]: alias *a refers to its own enclosing node"]);
    });

    it("rejects deep flow nesting without exhausting the stack", () => {
      const depth = 200_000;
      const messages = messagesOf(`a: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
      assert.deepEqual(messages, [
        `c1.yaml:1:${4 + YAML_LIMITS.maxDepth}: nested too deeply (allowed: at most ${YAML_LIMITS.maxDepth} levels of maps and lists)`,
      ]);
    });

    it("rejects deep block nesting with its position", () => {
      const text = Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n";
      const messages = messagesOf(text);
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0]!, /^c1\.yaml:65:65: k0\.k1\.(k\d+\.)+k63: nested too deeply/);
    });

    it("rejects tags: nothing but plain data is read", () => {
      for (const value of ["!!binary aGk=", "!!set {a}", "!custom x", "!!timestamp 2001-12-14"]) {
        const messages = messagesOf(`${HEAD}${PARAMS}  x: ${value}\n`);
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(messages[0]!, /^c1\.yaml:13:\d+: spec\.x: tags are not allowed \(got /);
      }
    });

    it("rejects infinite and not-a-number values, which JSON reports cannot carry", () => {
      for (const value of [".inf", "-.Inf", ".nan"]) {
        const text = `${HEAD}${PARAMS}  addons: [cert-manager]\n  addonValues:\n    cert-manager: {x: ${value}}\n`;
        assert.deepEqual(messagesOf(text), [
          `c1.yaml:15:23: spec.addonValues.cert-manager.x: not a finite number (got "${value}")`,
        ]);
      }
    });

    it("rejects merge keys as unknown fields instead of merging", () => {
      const messages = messagesOf(`${HEAD}${PARAMS}    <<: {protect: true}\n`);
      assert.match(messages.join("\n"), /spec\.parameters\["<<"\]: unknown field/);
    });

    it("rejects a map, a list or an alias used as a key", () => {
      assert.deepEqual(messagesOf("? [a, b]\n: c\n"), [
        "c1.yaml:1:3: keys must be plain strings (got a map or list as a key)",
      ]);
      assert.deepEqual(messagesOf("a: &k {x: 1}\n*k : c\n"), [
        "c1.yaml:2:1: keys must be plain strings (got an alias as a key)",
      ]);
    });

    it("rejects a file over the size limit without parsing it", () => {
      const messages = messagesOf(`${HEAD}# ${"x".repeat(YAML_LIMITS.maxBytes)}\n`);
      assert.deepEqual(messages, [
        `c1.yaml:1:1: file too large (got ${YAML_LIMITS.maxBytes + HEAD.length + 3} bytes; allowed: at most ${YAML_LIMITS.maxBytes})`,
      ]);
    });

    it("validates a 1 MB spec (how long it takes is measured in bench/spec-size.ts, not here)", () => {
      const text = stringify(largeClusterSpec());
      assert.ok(text.length > 1_000_000, String(text.length));
      const dir = writeFleet({ "environment.yaml": baseEnvironment(), "c1.yaml": text });
      const fleet = loadFleet([dir], { cwd: dir });
      assert.deepEqual(fleet.issues.map(formatIssue), []);
      assert.equal(fleet.clusters.length, 1);
      assert.equal(Object.keys(fleet.clusters[0]!.addons.values["cert-manager"] ?? {}).length, 24_000);
    });
  });

  describe("environments", () => {
    it("rejects an environment.yaml that is a directory, at the file's start", () => {
      const dir = writeFleet({ "prod/c1.yaml": baseCluster(), "prod/environment.yaml/x.txt": "" });
      const fleet = loadFleet([path.join(dir, "prod")], { cwd: dir });
      assert.deepEqual(fleet.issues.map(formatIssue), [
        "prod/environment.yaml:1:1: is a directory, not a YAML file",
      ]);
      assert.ok(fs.statSync(path.join(dir, "prod", "environment.yaml")).isDirectory());
    });

    it("reports every problem of an environment at once, an unknown field included", () => {
      const messages = loadFiles({
        "environment.yaml": baseEnvironment({ colour: "blue", adminCidrs: ["0.0.0.0/0"] }),
        "c1.yaml": baseCluster(),
      }).messages;
      assert.equal(messages.length, 2, messages.join("\n"));
      assert.match(messages.join("\n"), /spec\.colour: unknown field/);
      assert.match(messages.join("\n"), /spec\.adminCidrs\[0\]: would open SSH/);
    });
  });
});
