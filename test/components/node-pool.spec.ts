import { strict as assert } from "assert";
import { parse } from "yaml";
import { NODE_PASSWORD_PATH, nodePassword } from "../../components/rke2/node-password";
import { NodePool, NodePoolArgs } from "../../components/node-pool";
import { RKE2_CONFIG_PATH } from "../../components/conventions";
import { AGENT_TOKEN_PATH } from "../../components/rke2/config";
import { ofType, runUnderMocks, unwrap } from "../support/pulumi";
import { pool, referenceClusterSpec } from "../support/cluster-specs";
import { ParentRecord, isRecordedSecret, recordParents, recordedValue } from "./rke2-mock-helpers";
import { BOOT_CONFIG_METADATA_KEY } from "../../components/rke2/boot-config";

/** Instances in name order (they register once their boot-config digest is known, in no fixed order). */
const byName = <T extends { name: string }>(rs: T[]): T[] =>
  [...rs].sort((a, b) => a.name.localeCompare(b.name));

const INSTANCE = "openstack:compute/instance:Instance";
const PORT = "openstack:networking/port:Port";
const GROUP = "openstack:compute/serverGroup:ServerGroup";
const spec = referenceClusterSpec();

function args(overrides: Partial<NodePoolArgs> = {}): NodePoolArgs {
  return {
    identity: { cluster: "c1", environment: "dev" },
    pool: pool("workers", "agent", 3),
    rke2: spec.rke2,
    registrationAddress: "10.0.50.10",
    agentToken: "K10abc::node:agent-secret",
    nodePasswordKey: "server-secret",
    networkId: "net-1",
    subnetId: "subnet-1",
    securityGroupIds: ["sg-agent"],
    ...overrides,
  };
}

function files(userData: unknown): Record<string, string> {
  const c = parse(recordedValue(userData) as string) as { write_files: { path: string; content: string }[] };
  return Object.fromEntries(c.write_files.map((f) => [f.path, f.content]));
}

describe("NodePool", () => {
  it("creates a soft anti-affinity server group and one DHCP port and instance per node, named by pool and index", async () => {
    const run = await runUnderMocks(() => new NodePool("c1-workers", args()));
    assert.deepEqual(
      ofType(run.resources, GROUP).map((g) => [g.name, g.inputs["policies"]]),
      [["c1-workers-group", ["soft-anti-affinity"]]],
    );
    const ports = ofType(run.resources, PORT);
    assert.deepEqual(
      ports.map((p) => p.name),
      ["c1-workers-0-port", "c1-workers-1-port", "c1-workers-2-port"],
    );
    for (const p of ports) {
      assert.deepEqual(p.inputs["fixedIps"], [{ subnetId: "subnet-1" }], "DHCP: no fixed address");
      assert.deepEqual(p.inputs["securityGroupIds"], ["sg-agent"]);
    }
    const instances = byName(ofType(run.resources, INSTANCE));
    assert.deepEqual(
      instances.map((i) => [i.name, i.inputs["availabilityZone"]]),
      [
        ["c1-workers-0", "az1"],
        ["c1-workers-1", "az2"],
        ["c1-workers-2", "az3"],
      ],
    );
    for (const i of instances) {
      const { [BOOT_CONFIG_METADATA_KEY]: digest, ...identity } = i.inputs["metadata"] as Record<
        string,
        string
      >;
      assert.deepEqual(identity, { cluster: "c1", environment: "dev", role: "agent" });
      assert.match(digest ?? "", /^[0-9a-f]{64}$/, "the boot-config digest, in the clear");
      assert.deepEqual(i.inputs["schedulerHints"], [{ group: "fake-c1-workers-group" }]);
      assert.equal(i.inputs["adminPass"], undefined);
      assert.ok(isRecordedSecret(i.inputs["userData"]), "user data carries the agent token");
      const f = files(i.inputs["userData"]);
      assert.equal(f[AGENT_TOKEN_PATH], "K10abc::node:agent-secret\n");
      assert.equal(parse(f[RKE2_CONFIG_PATH] as string).server, "https://10.0.50.10:9345");
    }
    assert.equal((await unwrap(run.result.nodeAddresses)).length, 3);
  });

  it("gives each node a stable node password of its own, derived from the server secret it never receives", async () => {
    const render = async (count: number) =>
      byName(
        ofType(
          (
            await runUnderMocks(
              () => new NodePool("c1-workers", args({ pool: pool("workers", "agent", count) })),
            )
          ).resources,
          INSTANCE,
        ),
      ).map((i) => files(i.inputs["userData"]));
    const three = await render(3);
    const passwords = three.map((f) => f[NODE_PASSWORD_PATH]);
    assert.deepEqual(
      passwords,
      ["c1-workers-0", "c1-workers-1", "c1-workers-2"].map((n) => `${nodePassword("server-secret", n)}\n`),
    );
    assert.equal(new Set(passwords).size, 3, "one per node");
    // The pool shrinks to one and grows back: c1-workers-1 and -2 come back with the passwords the
    // supervisor already holds for those names (a random one would be refused with 403).
    assert.deepEqual(
      (await render(1)).map((f) => f[NODE_PASSWORD_PATH]),
      passwords.slice(0, 1),
    );
    assert.deepEqual(
      (await render(3)).map((f) => f[NODE_PASSWORD_PATH]),
      passwords,
    );
    for (const f of three) assert.ok(!Object.values(f).some((c) => c.includes("server-secret")));
  });

  it("taints and labels a GPU pool and tags its nodes role=gpu", async () => {
    const gpu = pool("gpu-workers", "gpu", 2, { labels: { accelerator: "a100" } });
    const run = await runUnderMocks(() => new NodePool("c1-gpu-workers", args({ pool: gpu })));
    for (const i of byName(ofType(run.resources, INSTANCE))) {
      assert.deepEqual(i.inputs["tags"], ["cluster=c1", "environment=dev", "role=gpu"]);
      const config = parse(files(i.inputs["userData"])[RKE2_CONFIG_PATH] as string);
      assert.deepEqual(config["node-taint"], ["nvidia.com/gpu=present:NoSchedule"]);
      assert.deepEqual(config["node-label"], ["accelerator=a100", "nvidia.com/gpu.present=true"]);
      assert.equal(i.inputs["flavorName"], "g1.a100.2xlarge");
    }
  });

  it("boots from a root volume of the pool's size when one is set", async () => {
    const run = await runUnderMocks(
      () => new NodePool("c1-workers", args({ pool: pool("workers", "agent", 1, { rootVolumeGb: 80 }) })),
    );
    const [i] = byName(ofType(run.resources, INSTANCE));
    assert.deepEqual(i?.inputs["blockDevices"], [
      {
        sourceType: "image",
        uuid: "6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b",
        destinationType: "volume",
        volumeSize: 80,
        bootIndex: 0,
        deleteOnTermination: true,
      },
    ]);
  });

  it("parents every child to the component", async () => {
    let parents: ParentRecord[] = [];
    await runUnderMocks(() => {
      parents = recordParents();
      return new NodePool("c1-workers", args());
    });
    const children = parents.filter((p) => p.name !== "c1-workers");
    assert.equal(children.length, 7);
    for (const c of children) assert.equal(c.parent, "c1-workers", `${c.type} ${c.name}`);
  });

  it("rejects a negative count", () => {
    assert.throws(
      () => new NodePool("c1-workers", args({ pool: pool("workers", "agent", -1) })),
      /pools\.workers\.count/,
    );
  });
});
