import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { ControlPlane, ControlPlaneArgs, ServerPki } from "../../components/control-plane";
import { KEEPALIVED_CONFIG_PATH, RKE2_CONFIG_PATH } from "../../components/conventions";
import { SERVER_TOKEN_PATH } from "../../components/rke2/config";
import { RKE2_SERVER_TLS_DIR } from "../../components/rke2/pki";
import { ofType, runUnderMocks, unwrap } from "../support/pulumi";
import { referenceClusterSpec } from "../support/cluster-specs";
import { ParentRecord, isRecordedSecret, recordParents, recordedValue } from "./rke2-mock-helpers";
import { BOOT_CONFIG_METADATA_KEY } from "../../components/rke2/boot-config";

/** Instances in name order (they register once their boot-config digest is known, in no fixed order). */
const byName = <T extends { name: string }>(rs: T[]): T[] =>
  [...rs].sort((a, b) => a.name.localeCompare(b.name));

const INSTANCE = "openstack:compute/instance:Instance";
const PORT = "openstack:networking/port:Port";
const GROUP = "openstack:compute/serverGroup:ServerGroup";
const spec = referenceClusterSpec();

/** Plain stand-ins for the ClusterPki outputs (the dynamic resource has its own tests). */
function fakeServerPki(): ServerPki {
  const o = (s: string): pulumi.Output<string> => pulumi.output(s);
  const pem = (s: string): pulumi.Output<string> => o(`-----BEGIN X-----\n${s}\n-----END X-----\n`);
  return {
    serverCaCert: pem("sc"),
    serverCaKey: pem("sk"),
    clientCaCert: pem("cc"),
    clientCaKey: pem("ck"),
    requestHeaderCaCert: pem("rc"),
    requestHeaderCaKey: pem("rk"),
    etcdServerCaCert: pem("ec"),
    etcdServerCaKey: pem("ek"),
    etcdPeerCaCert: pem("pc"),
    etcdPeerCaKey: pem("pk"),
    serviceAccountKey: pem("sa"),
    serverTokenSecret: o("server-secret"),
    agentTokenSecret: o("agent-secret"),
    caHash: o("abc123"),
  };
}

function args(overrides: Partial<ControlPlaneArgs> = {}): ControlPlaneArgs {
  return {
    identity: { cluster: "c1", environment: "dev" },
    servers: spec.controlPlane,
    rke2: spec.rke2,
    networkId: "net-1",
    subnetId: "subnet-1",
    securityGroupIds: ["sg-server"],
    fixedAddresses: ["10.0.50.11", "10.0.50.12", "10.0.50.13"],
    registrationAddress: "10.0.50.10",
    tlsSans: ["10.0.50.10", pulumi.output("203.0.113.9")],
    pki: fakeServerPki(),
    keyPair: "ops",
    ...overrides,
  };
}

function writeFile(userData: string, path: string): string | undefined {
  const c = parse(userData) as { write_files: { path: string; content: string }[] };
  return c.write_files.find((f) => f.path === path)?.content;
}

describe("ControlPlane", () => {
  it("creates a hard anti-affinity server group, a port with a fixed address and an instance per server", async () => {
    const run = await runUnderMocks(() => new ControlPlane("c1", args()));
    const groups = ofType(run.resources, GROUP);
    assert.deepEqual(
      groups.map((g) => [g.name, g.inputs["policies"]]),
      [["c1-servers", ["anti-affinity"]]],
    );
    const ports = ofType(run.resources, PORT);
    assert.deepEqual(
      ports.map((p) => [p.name, (p.inputs["fixedIps"] as { ipAddress: string }[])[0]?.ipAddress]),
      [
        ["c1-server-0-port", "10.0.50.11"],
        ["c1-server-1-port", "10.0.50.12"],
        ["c1-server-2-port", "10.0.50.13"],
      ],
    );
    for (const p of ports) {
      assert.deepEqual(p.inputs["securityGroupIds"], ["sg-server"]);
      assert.equal(p.inputs["allowedAddressPairs"], undefined);
    }
    const instances = byName(ofType(run.resources, INSTANCE));
    assert.deepEqual(
      instances.map((i) => [i.name, i.inputs["availabilityZone"]]),
      [
        ["c1-server-0", "az1"],
        ["c1-server-1", "az2"],
        ["c1-server-2", "az3"],
      ],
    );
    for (const i of instances) {
      assert.equal(i.inputs["imageId"], spec.controlPlane.imageId);
      assert.equal(i.inputs["imageName"], undefined);
      assert.equal(i.inputs["flavorName"], "m1.xlarge");
      assert.equal(i.inputs["keyPair"], "ops");
      assert.equal(i.inputs["adminPass"], undefined);
      const { [BOOT_CONFIG_METADATA_KEY]: digest, ...identity } = i.inputs["metadata"] as Record<
        string,
        string
      >;
      assert.deepEqual(identity, { cluster: "c1", environment: "dev", role: "server" });
      assert.match(digest ?? "", /^[0-9a-f]{64}$/, "the boot-config digest, in the clear");
      assert.deepEqual(i.inputs["tags"], ["cluster=c1", "environment=dev", "role=server"]);
      assert.deepEqual(i.inputs["schedulerHints"], [{ group: "fake-c1-servers" }]);
    }
    assert.deepEqual(await unwrap(run.result.serverAddresses), ["10.0.50.11", "10.0.50.12", "10.0.50.13"]);
  });

  it("initialises on server 0 with the CA files and joins the others through the registration address", async () => {
    const run = await runUnderMocks(() => new ControlPlane("c1", args()));
    const [first, second] = byName(ofType(run.resources, INSTANCE)).map(
      (i) => recordedValue(i.inputs["userData"]) as string,
    );
    const firstConfig = parse(writeFile(first as string, RKE2_CONFIG_PATH) as string);
    assert.equal(firstConfig.server, undefined);
    assert.deepEqual(firstConfig["tls-san"], ["10.0.50.10", "203.0.113.9"]);
    assert.ok(writeFile(first as string, `${RKE2_SERVER_TLS_DIR}/server-ca.key`));
    const secondConfig = parse(writeFile(second as string, RKE2_CONFIG_PATH) as string);
    assert.equal(secondConfig.server, "https://10.0.50.10:9345");
    assert.equal(writeFile(second as string, SERVER_TOKEN_PATH), "K10abc123::server:server-secret\n");
    assert.equal(writeFile(second as string, `${RKE2_SERVER_TLS_DIR}/server-ca.key`), undefined);
  });

  it("hands user data to the instances as a secret", async () => {
    const run = await runUnderMocks(() => new ControlPlane("c1", args()));
    const instances = byName(ofType(run.resources, INSTANCE));
    assert.equal(instances.length, 3);
    for (const i of instances) assert.ok(isRecordedSecret(i.inputs["userData"]), i.name);
  });

  it("parents every child to the component", async () => {
    let parents: ParentRecord[] = [];
    await runUnderMocks(() => {
      parents = recordParents();
      return new ControlPlane("c1", args());
    });
    const children = parents.filter((p) => p.name !== "c1");
    assert.equal(children.length, 7);
    for (const c of children) assert.equal(c.parent, "c1", `${c.type} ${c.name}`);
  });

  const holding = {
    address: "10.0.50.9",
    allowedAddressPair: { ipAddress: "10.0.50.9" },
    virtualRouterId: 51,
    advertIntervalSeconds: 1,
  };

  it("holds the API VIP on every server: keepalived unicast between the servers, server 0 first, exactly the VIP allowed", async () => {
    const run = await runUnderMocks(
      () => new ControlPlane("c1", args({ registrationAddress: "10.0.50.9", apiVip: holding })),
    );
    for (const p of ofType(run.resources, PORT))
      assert.deepEqual(p.inputs["allowedAddressPairs"], [{ ipAddress: "10.0.50.9" }], p.name);
    const confs = byName(ofType(run.resources, INSTANCE)).map(
      (i) => writeFile(recordedValue(i.inputs["userData"]) as string, KEEPALIVED_CONFIG_PATH) ?? "",
    );
    assert.equal(confs.length, 3);
    confs.forEach((conf, i) => {
      assert.match(conf, /vrrp_instance api_vip/);
      assert.match(conf, /virtual_router_id 51\n/);
      assert.match(conf, new RegExp(`unicast_src_ip 10\\.0\\.50\\.1${1 + i}\\n`));
      assert.match(conf, /nopreempt/);
    });
    const priorities = confs.map((c) => Number(/priority (\d+)/.exec(c)?.[1]));
    assert.equal(Math.max(...priorities), priorities[0], "server 0 wins the first election");
  });

  it("holds the API VIP alone on a single server (dev): keepalived without peers", async () => {
    const run = await runUnderMocks(
      () =>
        new ControlPlane(
          "c1",
          args({
            servers: { ...spec.controlPlane, count: 1 },
            fixedAddresses: ["10.0.50.11"],
            registrationAddress: "10.0.50.9",
            apiVip: holding,
          }),
        ),
    );
    const [server] = ofType(run.resources, INSTANCE);
    const conf = writeFile(recordedValue(server?.inputs["userData"]) as string, KEEPALIVED_CONFIG_PATH) ?? "";
    assert.match(conf, /virtual_ipaddress \{\n\s+10\.0\.50\.9\/32/);
    assert.doesNotMatch(conf, /unicast_peer/);
  });

  it("runs no keepalived and allows no address pair without an API VIP (octavia)", async () => {
    const run = await runUnderMocks(() => new ControlPlane("c1", args()));
    for (const i of ofType(run.resources, INSTANCE))
      assert.equal(
        writeFile(recordedValue(i.inputs["userData"]) as string, KEEPALIVED_CONFIG_PATH),
        undefined,
      );
  });

  it("rejects an API VIP that is not the registration address, or an address pair wider than the VIP", () => {
    assert.throws(
      () =>
        new ControlPlane(
          "c1",
          args({ apiVip: { ...holding, allowedAddressPair: { ipAddress: "10.0.50.0/24" } } }),
        ),
      (e: Error) =>
        /apiVip\.allowedAddressPair: must be the API VIP alone \(got 10\.0\.50\.0\/24/.test(e.message) &&
        /registrationAddress: servers and agents register through the API VIP \(got 10\.0\.50\.10/.test(
          e.message,
        ),
    );
  });

  it("rejects an even number of servers", () => {
    assert.throws(
      () =>
        new ControlPlane(
          "c1",
          args({ servers: { ...spec.controlPlane, count: 2 }, fixedAddresses: ["a", "b"] }),
        ),
      /servers\.count: etcd needs an odd number of servers \(got 2/,
    );
  });

  it("rejects a fixed address list that does not match the count", () => {
    assert.throws(
      () => new ControlPlane("c1", args({ fixedAddresses: ["10.0.50.11"] })),
      /fixedAddresses: one per server/,
    );
  });
});
