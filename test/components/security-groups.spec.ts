import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { SecurityGroups, SecurityGroupsArgs } from "../../components/security-groups";
import {
  ANYWHERE,
  SecurityRule,
  SecurityRulesInput,
  deriveSecurityRules,
} from "../../components/security-rules";
import { ofType, runUnderMocks, unwrap } from "../support/pulumi";

const SUBNET = "10.0.50.0/24";
const input = (over: Partial<SecurityRulesInput> = {}): SecurityRulesInput => ({
  subnetCidr: SUBNET,
  podCidr: "10.42.0.0/16",
  adminCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
  cni: "canal",
  topology: "keepalived",
  ...over,
});

const remoteOf = (r: SecurityRule) => ("cidr" in r.remote ? r.remote.cidr : `group:${r.remote.group}`);
/** Ingress rules that open `port` (tcp unless stated) on `role`, as "remote" strings. */
const sourcesOf = (rules: SecurityRule[], role: string, port: number, protocol = "tcp") =>
  rules
    .filter((r) => r.role === role && r.direction === "ingress" && r.protocol === protocol)
    .filter((r) => r.ports !== undefined && r.ports.min <= port && port <= r.ports.max)
    .map(remoteOf)
    .sort();

describe("security rules (derived table)", () => {
  for (const topology of ["keepalived", "octavia"] as const) {
    for (const cni of ["canal", "cilium", "calico"] as const) {
      const rules = deriveSecurityRules(input({ topology, cni }));
      describe(`${topology} + ${cni}`, () => {
        it("gives every rule a source, a description and a unique key prefixed by its role", () => {
          for (const r of rules) {
            assert.ok(remoteOf(r) !== "" && remoteOf(r) !== undefined, r.key);
            assert.ok(r.description.length > 10, r.key);
            assert.ok(r.key.startsWith(`${r.role}-`), r.key);
          }
          assert.equal(new Set(rules.map((r) => r.key)).size, rules.length);
        });

        it("opens nothing but 80/443 to the internet, and only on the public role", () => {
          const publicRole = topology === "octavia" ? "loadbalancer" : "ingress";
          const open = rules.filter((r) => r.direction === "ingress" && remoteOf(r) === ANYWHERE);
          assert.deepEqual(
            open.map((r) => `${r.role}:${r.protocol}:${r.ports?.min}-${r.ports?.max}`).sort(),
            [`${publicRole}:tcp:443-443`, `${publicRole}:tcp:80-80`],
          );
        });

        const table: [string, string, number, string, string[]][] = [
          [
            "kube API on servers",
            "server",
            6443,
            "tcp",
            topology === "octavia"
              ? ["198.51.100.7/32", "203.0.113.0/24", SUBNET, "group:loadbalancer"]
              : ["198.51.100.7/32", "203.0.113.0/24", SUBNET],
          ],
          ["RKE2 supervisor on servers", "server", 9345, "tcp", [SUBNET]],
          // The ingress VIP serves ingress only: nothing of the control plane on the ingress group.
          ["kube API on ingress nodes", "ingress", 6443, "tcp", []],
          ["RKE2 supervisor on ingress nodes", "ingress", 9345, "tcp", []],
          [
            "the admission webhook on ingress nodes",
            "ingress",
            8443,
            "tcp",
            topology === "octavia" ? [] : ["group:server"],
          ],
          [
            "kube API on the load balancers",
            "loadbalancer",
            6443,
            "tcp",
            topology === "octavia" ? ["198.51.100.7/32", "203.0.113.0/24", SUBNET] : [],
          ],
          [
            "RKE2 supervisor on the load balancers",
            "loadbalancer",
            9345,
            "tcp",
            topology === "octavia" ? [SUBNET] : [],
          ],
          ["etcd client on servers", "server", 2379, "tcp", ["group:server"]],
          ["etcd peer on servers", "server", 2380, "tcp", ["group:server"]],
          ["etcd metrics on servers", "server", 2381, "tcp", ["group:server"]],
          ["kubelet on servers", "server", 10250, "tcp", [SUBNET]],
          ["kubelet on agents", "agent", 10250, "tcp", [SUBNET]],
          ["SSH on servers", "server", 22, "tcp", ["198.51.100.7/32", "203.0.113.0/24"]],
          ["SSH on agents", "agent", 22, "tcp", ["198.51.100.7/32", "203.0.113.0/24"]],
          ["NodePorts on agents (tcp)", "agent", 30000, "tcp", [SUBNET]],
          ["NodePorts on agents (udp)", "agent", 32767, "udp", [SUBNET]],
          ["kube API on agents", "agent", 6443, "tcp", []],
          ["etcd on agents", "agent", 2379, "tcp", []],
          [
            "HTTPS on agents",
            "agent",
            443,
            "tcp",
            topology === "octavia" ? [SUBNET, "group:loadbalancer"] : [],
          ],
          ["HTTPS on servers", "server", 443, "tcp", []],
        ];
        for (const [what, role, port, protocol, expected] of table) {
          it(`allows ${what} from ${expected.length === 0 ? "nobody" : expected.join(", ")}`, () => {
            assert.deepEqual(sourcesOf(rules, role, port, protocol), [...expected].sort());
          });
        }

        it("allows VRRP only inside each keepalived group (servers, ingress nodes)", () => {
          const vrrp = rules.filter((r) => r.protocol === "vrrp");
          if (topology === "octavia") assert.deepEqual(vrrp, []);
          else
            assert.deepEqual(vrrp.map((r) => [r.role, r.direction, remoteOf(r)]).sort(), [
              ["ingress", "ingress", "group:ingress"],
              ["server", "ingress", "group:server"],
            ]);
        });

        it("opens the CNI's ports inside the subnet on every node", () => {
          const expected = {
            canal: ["udp:8472", "tcp:9099"],
            cilium: ["udp:8472", "tcp:4240"],
            calico: ["tcp:179", "udp:4789", "tcp:5473", "tcp:9098", "tcp:9099"],
          }[cni];
          for (const role of ["server", "agent"]) {
            for (const entry of expected) {
              const [protocol, port] = entry.split(":") as [string, string];
              assert.deepEqual(sourcesOf(rules, role, Number(port), protocol), [SUBNET], `${role} ${entry}`);
            }
          }
        });

        it("states egress on every group, and only the load balancers' is limited to the subnet", () => {
          const egress = rules
            .filter((r) => r.direction === "egress")
            .map((r) => `${r.role}:${r.protocol}:${remoteOf(r)}`)
            .sort();
          const nodes = ["agent:any:0.0.0.0/0", "ingress:any:0.0.0.0/0", "server:any:0.0.0.0/0"];
          assert.deepEqual(
            egress,
            topology === "octavia" ? [...nodes, `loadbalancer:any:${SUBNET}`].sort() : nodes,
          );
        });
      });
    }
  }

  it("names admin rules after the CIDR, so removing one admin network renames no other rule", () => {
    const two = deriveSecurityRules(input()).map((r) => r.key);
    const one = deriveSecurityRules(input({ adminCidrs: ["203.0.113.0/24"] })).map((r) => r.key);
    assert.ok(two.includes("server-kube-api-admin-203.0.113.0-24"));
    assert.ok(two.includes("agent-ssh-admin-198.51.100.7-32"));
    assert.deepEqual(
      one.filter((k) => !two.includes(k)),
      [],
    );
  });

  it("opens SSH and the API to nobody outside when there are no admin CIDRs", () => {
    const rules = deriveSecurityRules(input({ adminCidrs: [] }));
    assert.deepEqual(sourcesOf(rules, "server", 22), []);
    assert.deepEqual(sourcesOf(rules, "server", 6443), [SUBNET]);
  });

  const rejected: [string, Partial<SecurityRulesInput>, RegExp][] = [
    [
      "an admin CIDR of 0.0.0.0/0",
      { adminCidrs: ["0.0.0.0/0"] },
      /adminCidrs\[0\]: would open SSH and the Kubernetes API to the internet/,
    ],
    ["an admin CIDR with host bits set", { adminCidrs: ["10.0.0.1/24"] }, /adminCidrs\[0\]: host bits set/],
    ["a pod CIDR overlapping the subnet", { podCidr: "10.0.0.0/16" }, /podCidr: overlaps the subnet/],
    ["a malformed subnet", { subnetCidr: "10.0.50.0" }, /subnetCidr: not an IPv4 CIDR/],
  ];
  for (const [what, change, message] of rejected) {
    it(`rejects ${what}`, () => assert.throws(() => deriveSecurityRules(input(change)), message));
  }
});

describe("SecurityGroups component", () => {
  const args = (topology: SecurityGroupsArgs["topology"]): SecurityGroupsArgs => ({
    identity: { cluster: "c1", environment: "dev" },
    ...input({ topology }),
  });

  for (const topology of ["keepalived", "octavia"] as const) {
    it(`creates one group per role and one rule per derived entry (${topology})`, async () => {
      const parents = new Map<string, pulumi.Resource | undefined>();
      const run = await runUnderMocks(() => {
        pulumi.runtime.registerStackTransformation((a) => void parents.set(a.name, a.opts.parent));
        return new SecurityGroups("c1", args(topology));
      });
      const groups = ofType(run.resources, "openstack:networking/secGroup:SecGroup");
      const rules = ofType(run.resources, "openstack:networking/secGroupRule:SecGroupRule");
      const roles =
        topology === "octavia"
          ? ["agent", "ingress", "loadbalancer", "server"]
          : ["agent", "ingress", "server"];
      assert.deepEqual(
        groups.map((g) => g.name).sort(),
        roles.map((r) => `c1-${r}`),
      );
      assert.equal(rules.length, deriveSecurityRules(args(topology)).length);
      assert.deepEqual(
        run.resources.filter((r) => !r.custom).map((r) => r.type),
        ["pulumi:pulumi:Stack", "xcluster:network:SecurityGroups"],
      );
      assert.equal(run.resources.length, 2 + groups.length + rules.length, "nothing else is created");
      for (const g of groups) {
        assert.equal(g.inputs["deleteDefaultRules"], true);
        assert.ok(String(g.inputs["description"]).length > 0);
        const role = g.name.replace("c1-", "");
        assert.deepEqual(g.inputs["tags"], ["cluster=c1", "environment=dev", `role=${role}`]);
      }
      for (const r of [...groups, ...rules])
        assert.equal(parents.get(r.name), run.result, `${r.name} is parented`);
      for (const r of rules) {
        const remotes = [r.inputs["remoteIpPrefix"], r.inputs["remoteGroupId"]].filter(
          (x) => x !== undefined,
        );
        assert.equal(remotes.length, 1, `${r.name} has exactly one source`);
        assert.equal(r.inputs["ethertype"], "IPv4");
        assert.ok(String(r.inputs["description"]).length > 0);
      }
      const vrrp = rules.filter((r) => r.inputs["protocol"] === "vrrp");
      assert.deepEqual(
        vrrp.map((r) => [r.name, r.inputs["remoteIpPrefix"], r.inputs["securityGroupId"]]),
        topology === "keepalived"
          ? [
              ["c1-server-vrrp", undefined, "fake-c1-server"],
              ["c1-ingress-vrrp", undefined, "fake-c1-ingress"],
            ]
          : [],
      );
      const etcd = rules.find((r) => r.name === "c1-server-etcd");
      assert.deepEqual(
        [
          etcd?.inputs["remoteGroupId"],
          etcd?.inputs["securityGroupId"],
          etcd?.inputs["portRangeMin"],
          etcd?.inputs["portRangeMax"],
        ],
        ["fake-c1-server", "fake-c1-server", 2379, 2381],
      );
      const egress = rules.find((r) => r.name === "c1-server-egress-all");
      assert.equal(egress?.inputs["protocol"], undefined, "egress covers all protocols");
      assert.equal(egress?.inputs["remoteIpPrefix"], ANYWHERE);

      assert.equal(await unwrap(run.result.serverGroupId), "fake-c1-server");
      assert.equal(await unwrap(run.result.ingressGroupId), "fake-c1-ingress");
      if (topology === "octavia")
        assert.equal(await unwrap(run.result.loadBalancerGroupId!), "fake-c1-loadbalancer");
      else assert.equal(run.result.loadBalancerGroupId, undefined);
    });
  }

  it("names rules readably after their role and purpose", async () => {
    const run = await runUnderMocks(() => new SecurityGroups("c1", args("keepalived")));
    const names = ofType(run.resources, "openstack:networking/secGroupRule:SecGroupRule").map((r) => r.name);
    for (const n of [
      "c1-server-kube-api-admin-203.0.113.0-24",
      "c1-agent-ssh-admin-198.51.100.7-32",
      "c1-server-vxlan",
      "c1-ingress-https-any",
    ]) {
      assert.ok(names.includes(n), `${n} in ${names.join(", ")}`);
    }
  });
});
