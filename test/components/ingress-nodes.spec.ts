import { strict as assert } from "assert";
import { parse } from "yaml";
import { IngressNodes, IngressNodesArgs } from "../../components/ingress-nodes";
import { KEEPALIVED_CONFIG_PATH, RKE2_CONFIG_PATH } from "../../components/conventions";
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

function args(overrides: Partial<IngressNodesArgs> = {}): IngressNodesArgs {
  return {
    identity: { cluster: "c1", environment: "dev" },
    nodes: spec.ingress,
    fixedAddresses: ["10.0.50.5", "10.0.50.6"],
    keepalived: { vip: "10.0.50.10", virtualRouterId: 42, advertIntervalSeconds: 1 },
    vipAllowedAddressPair: { ipAddress: "10.0.50.10" },
    rke2: spec.rke2,
    registrationAddress: "10.0.50.11",
    agentToken: "K10abc::node:agent-secret",
    nodePasswordKey: "server-secret",
    networkId: "net-1",
    subnetId: "subnet-1",
    securityGroupIds: ["sg-agent", "sg-ingress"],
    ...overrides,
  };
}

function files(userData: unknown): Record<string, string> {
  const c = parse(recordedValue(userData) as string) as { write_files: { path: string; content: string }[] };
  return Object.fromEntries(c.write_files.map((f) => [f.path, f.content]));
}

describe("IngressNodes", () => {
  it("creates an anti-affinity group and, per node, a fixed-address port whose only allowed address pair is the VIP", async () => {
    const run = await runUnderMocks(() => new IngressNodes("c1", args()));
    assert.deepEqual(
      ofType(run.resources, GROUP).map((g) => [g.name, g.inputs["policies"]]),
      [["c1-ingress", ["anti-affinity"]]],
    );
    const ports = ofType(run.resources, PORT);
    assert.deepEqual(
      ports.map((p) => [p.name, p.inputs["fixedIps"], p.inputs["allowedAddressPairs"]]),
      [
        [
          "c1-ingress-0-port",
          [{ subnetId: "subnet-1", ipAddress: "10.0.50.5" }],
          [{ ipAddress: "10.0.50.10" }],
        ],
        [
          "c1-ingress-1-port",
          [{ subnetId: "subnet-1", ipAddress: "10.0.50.6" }],
          [{ ipAddress: "10.0.50.10" }],
        ],
      ],
    );
    for (const p of ports) assert.deepEqual(p.inputs["securityGroupIds"], ["sg-agent", "sg-ingress"]);
    const instances = byName(ofType(run.resources, INSTANCE));
    assert.deepEqual(
      instances.map((i) => i.name),
      ["c1-ingress-0", "c1-ingress-1"],
    );
    for (const i of instances) {
      const { [BOOT_CONFIG_METADATA_KEY]: digest, ...identity } = i.inputs["metadata"] as Record<
        string,
        string
      >;
      assert.deepEqual(identity, { cluster: "c1", environment: "dev", role: "ingress" });
      assert.match(digest ?? "", /^[0-9a-f]{64}$/, "the boot-config digest, in the clear");
      assert.ok(isRecordedSecret(i.inputs["userData"]));
    }
    assert.deepEqual(await unwrap(run.result.nodeAddresses), ["10.0.50.5", "10.0.50.6"]);
  });

  it("peers each node's keepalived with the other ingress nodes only and taints the node for ingress", async () => {
    const run = await runUnderMocks(() => new IngressNodes("c1", args()));
    const [first, second] = byName(ofType(run.resources, INSTANCE)).map((i) => files(i.inputs["userData"]));
    const conf0 = (first as Record<string, string>)[KEEPALIVED_CONFIG_PATH] as string;
    const conf1 = (second as Record<string, string>)[KEEPALIVED_CONFIG_PATH] as string;
    assert.match(conf0, /unicast_src_ip 10\.0\.50\.5/);
    assert.match(conf0, /unicast_peer \{\s*10\.0\.50\.6\s*\}/);
    assert.match(conf1, /unicast_peer \{\s*10\.0\.50\.5\s*\}/);
    assert.match(conf0, /virtual_router_id 42/);
    const config = parse((first as Record<string, string>)[RKE2_CONFIG_PATH] as string);
    assert.deepEqual(config["node-taint"], ["node-role.xcluster.dev/ingress=true:NoSchedule"]);
    assert.deepEqual(config["node-label"], ["node-role.xcluster.dev/ingress=true"]);
    assert.equal(config.server, "https://10.0.50.11:9345");
  });

  it("parents every child to the component", async () => {
    let parents: ParentRecord[] = [];
    await runUnderMocks(() => {
      parents = recordParents();
      return new IngressNodes("c1", args());
    });
    const children = parents.filter((p) => p.name !== "c1");
    assert.equal(children.length, 5);
    for (const c of children) assert.equal(c.parent, "c1", `${c.type} ${c.name}`);
  });

  it("rejects an allowed address pair other than the VIP", () => {
    assert.throws(
      () => new IngressNodes("c1", args({ vipAllowedAddressPair: { ipAddress: "10.0.50.0/24" } })),
      /vipAllowedAddressPair: must be the VIP alone/,
    );
  });

  it("rejects a single ingress node (keepalived needs a peer)", () => {
    assert.throws(
      () => new IngressNodes("c1", args({ fixedAddresses: ["10.0.50.5"] })),
      /keepalived needs two nodes/,
    );
  });
});
