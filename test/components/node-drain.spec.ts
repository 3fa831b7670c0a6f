/**
 * Tier: Pulumi mocks (the whole cluster program). Every node has a drain resource whose delete drains
 * and deletes its Kubernetes Node (the drain itself runs against a real kube-apiserver in
 * test/kube/node-drain.spec.ts). Here: that each node has one, where it sits in the graph (a child of its
 * instance, behind the readiness gate, skipped when the whole cluster goes), and that a scale-down removes
 * exactly the removed node's resources. Mocks have no engine: the delete order it implies (dependents
 * first) is the engine's rule, not exercised here.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "../../plan/mocks";
import { renderCluster } from "../../plan/render-cluster";
import { clusterProgram } from "../../programs/program";
import type { ClusterSpec } from "../../spec/types";
import { NODE_DRAIN_TOKEN, NodeDrain } from "../../components/node-drain";
import { pool, referenceClusterSpec } from "../support/cluster-specs";
import { isRecordedSecret, recordedValue } from "./rke2-mock-helpers";

const INSTANCE = "openstack:compute/instance:Instance";
const CLUSTER = "ecmwf-ai-platform";

interface Render {
  readonly resources: RecordedResource[];
  /** Options each drain was registered with, by name. */
  readonly drainOptions: Map<string, pulumi.CustomResourceOptions>;
  /** Resource names by the resource object (to read parent / dependsOn / deletedWith). */
  readonly names: Map<pulumi.Resource, string>;
}

async function render(spec: ClusterSpec): Promise<Render> {
  const drainOptions = new Map<string, pulumi.CustomResourceOptions>();
  const names = new Map<pulumi.Resource, string>();
  const resources = await renderCluster(spec, {
    program: (s) => {
      pulumi.runtime.registerStackTransformation((a) => {
        names.set(a.resource, a.name);
        if (a.type === NODE_DRAIN_TOKEN) drainOptions.set(a.name, a.opts as pulumi.CustomResourceOptions);
        return undefined;
      });
      return clusterProgram(s);
    },
  });
  return { resources, drainOptions, names };
}

const key = (r: RecordedResource): string => `${r.type}::${r.name}`;

describe("node drains in the cluster program (mocks)", function () {
  this.timeout(180_000);
  let base: Render;
  before(async () => {
    base = await render(referenceClusterSpec());
  });

  it("gives every node one drain, named after the node, a child of its instance", () => {
    const instances = base.resources.filter((r) => r.type === INSTANCE).map((r) => r.name);
    const drains = base.resources.filter((r) => r.type === NODE_DRAIN_TOKEN);
    assert.equal(instances.length, 3 + 6 + 2 + 2, "3 servers, 6 workers, 2 GPU workers, 2 ingress nodes");
    assert.deepEqual(drains.map((d) => d.name).sort(), instances.map((n) => `${n}-drain`).sort());
    for (const d of drains) {
      assert.equal(recordedValue(d.inputs["nodeName"]), d.name.replace(/-drain$/, ""));
      const parent = base.drainOptions.get(d.name)?.parent;
      assert.equal(parent && base.names.get(parent), d.name.replace(/-drain$/, ""), `${d.name}'s parent`);
    }
  });

  it("makes each drain wait for the readiness gate and its instance, and skips it when the cluster's PKI goes too", () => {
    for (const [name, opts] of base.drainOptions) {
      const deps = ([opts.dependsOn ?? []].flat() as pulumi.Resource[]).map((r) => base.names.get(r));
      assert.ok(deps.includes(`${CLUSTER}-api-ready`), `${name} waits for the gate`);
      assert.ok(deps.includes(name.replace(/-drain$/, "")), `${name} depends on its instance`);
      const deletedWith = opts.deletedWith;
      assert.equal(deletedWith && base.names.get(deletedWith), `${CLUSTER}-pki`);
    }
  });

  it("keeps the kubeconfig it drains with secret", () => {
    const drain = base.resources.find((r) => r.type === NODE_DRAIN_TOKEN);
    assert.ok(drain);
    assert.ok(isRecordedSecret(drain.inputs["kubeconfig"]));
    assert.match(String(recordedValue(drain.inputs["kubeconfig"])), /client-key-data/);
  });

  it("removes exactly the removed worker's drain, instance and port when a pool of 6 goes to 5, and nothing else", async () => {
    const shrunk = await render(
      referenceClusterSpec({
        pools: referenceClusterSpec().pools.map((p) =>
          p.name === "workers" ? pool("workers", "agent", 5) : p,
        ),
      }),
    );
    const before = new Map(base.resources.map((r) => [key(r), r]));
    const after = new Map(shrunk.resources.map((r) => [key(r), r]));
    const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
    const added = [...after.keys()].filter((k) => !before.has(k));
    const node = `${CLUSTER}-workers-5`;
    assert.deepEqual(removed, [
      `${INSTANCE}::${node}`,
      `openstack:networking/port:Port::${node}-port`,
      `${NODE_DRAIN_TOKEN}::${node}-drain`,
    ]);
    assert.deepEqual(added, []);
    // Every other node (the other pools' included) keeps its inputs, so the engine changes nothing there.
    for (const [k, r] of after) {
      if (r.type !== INSTANCE && r.type !== NODE_DRAIN_TOKEN) continue;
      assert.equal(
        JSON.stringify(recordedValue(r.inputs)),
        JSON.stringify(recordedValue(before.get(k)?.inputs)),
        `${k} changed`,
      );
    }
  });

  it("rejects a drain timeout that is not a positive number of seconds", () => {
    assert.throws(
      () => new NodeDrain("n-drain", { nodeName: "n", kubeconfig: "k", timeoutSeconds: 0 }),
      /node drain n-drain: timeoutSeconds must be a positive number of seconds \(got 0\)/,
    );
  });
});
