/**
 * Tiers: pure (the Plan renderer) and Pulumi mocks (the UpgradePlans component). No cluster runs the
 * controller here; the Plan shapes are checked against system-upgrade-controller's own types
 * (components/upgrade-plans.ts cites them).
 */
import { strict as assert } from "assert";
import {
  AGENT_PLAN,
  SERVER_PLAN,
  SUC_MANIFESTS,
  UpgradePlans,
  renderUpgradePlans,
} from "../../components/upgrade-plans";
import { runUnderMocks } from "../support/pulumi";
import { recordParents } from "./rke2-mock-helpers";

const GPU = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;
const INGRESS = { key: "node-role.xcluster.dev/ingress", value: "true", effect: "NoSchedule" } as const;
const input = {
  version: "v1.33.5+rke2r1",
  agentConcurrency: 2,
  systemDefaultRegistry: "",
  agentTaints: [INGRESS, GPU, GPU],
};

describe("RKE2 upgrade plans (system-upgrade-controller)", () => {
  it("upgrades servers one at a time, cordoned, on control-plane nodes, tolerating the server taint", () => {
    const [server] = renderUpgradePlans(input);
    assert.deepEqual(server, {
      apiVersion: "upgrade.cattle.io/v1",
      kind: "Plan",
      metadata: { name: SERVER_PLAN, namespace: "system-upgrade" },
      spec: {
        serviceAccountName: "system-upgrade",
        version: "v1.33.5+rke2r1",
        upgrade: { image: "rancher/rke2-upgrade" },
        concurrency: 1,
        cordon: true,
        nodeSelector: {
          matchExpressions: [
            { key: "node-role.kubernetes.io/control-plane", operator: "In", values: ["true"] },
          ],
        },
        tolerations: [{ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoExecute" }],
      },
    });
  });

  it("drains agents with the spec's concurrency, after the servers, tolerating each agent taint by key and value", () => {
    const [, agent] = renderUpgradePlans(input);
    assert.equal(agent.metadata.name, AGENT_PLAN);
    assert.equal(agent.spec["concurrency"], 2);
    assert.deepEqual(agent.spec["drain"], { force: true, skipWaitForDeleteTimeout: 60 });
    assert.deepEqual(agent.spec["prepare"], {
      image: "rancher/rke2-upgrade",
      args: ["prepare", SERVER_PLAN],
    });
    assert.deepEqual(agent.spec["nodeSelector"], {
      matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }],
    });
    assert.deepEqual(agent.spec["tolerations"], [
      { key: "node-role.xcluster.dev/ingress", operator: "Equal", value: "true", effect: "NoSchedule" },
      { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" },
    ]);
  });

  it("never tolerates every taint: agents without taints get no tolerations at all", () => {
    const [, agent] = renderUpgradePlans({ ...input, agentTaints: [] });
    assert.equal(agent.spec["tolerations"], undefined);
  });

  it("pulls the upgrade image from the system default registry when there is one", () => {
    const [server, agent] = renderUpgradePlans({
      ...input,
      systemDefaultRegistry: "registry.example.org:5000",
    });
    assert.deepEqual(server.spec["upgrade"], { image: "registry.example.org:5000/rancher/rke2-upgrade" });
    assert.equal(
      (agent.spec["prepare"] as { image: string }).image,
      "registry.example.org:5000/rancher/rke2-upgrade",
    );
  });

  it("rejects an agent concurrency that is not a positive whole number", () => {
    assert.throws(
      () => renderUpgradePlans({ ...input, agentConcurrency: 0 }),
      /upgrade\.agentConcurrency: not a positive whole number \(got 0\)/,
    );
  });

  it("installs the pinned controller release, then the server plan, then the agent plan, under the component", async () => {
    let parents: ReturnType<typeof recordParents> = [];
    const run = await runUnderMocks(() => {
      parents = recordParents();
      return new UpgradePlans("c1-upgrades", { cluster: "c1", ...input });
    });
    const byType = (t: string) => run.resources.filter((r) => r.type === t);
    const controller = byType("kubernetes:yaml/v2:ConfigGroup");
    assert.deepEqual(
      controller.map((c) => c.inputs["files"]),
      [SUC_MANIFESTS],
    );
    assert.ok(SUC_MANIFESTS.every((u) => u.includes("/releases/download/v0.20.1/")));
    const plans = byType("kubernetes:upgrade.cattle.io/v1:Plan");
    assert.deepEqual(plans.map((p) => p.name).sort(), ["c1-upgrades-agent", "c1-upgrades-server"]);
    for (const p of parents.filter((x) => x.name !== "c1-upgrades"))
      assert.equal(p.parent, "c1-upgrades", p.name);
  });
});
