/**
 * keepalived virtual_router_ids. Tiers: pure functions (spec/router-ids.ts, property-style over generated
 * names and orders) and the real spec loader on spec files written to a temporary directory.
 */
import { strict as assert } from "assert";
import {
  MAX_VIRTUAL_ROUTER_ID,
  clusterScopedRouterIds,
  environmentRouterIds,
  nameHashRouterId,
  routerIdsFor,
} from "../../spec/router-ids";
import { baseCluster, baseEnvironment, loadFiles } from "../support/spec-files";

/** A small deterministic generator, so that failures reproduce. */
function names(count: number, seed: number, prefix = "c"): string[] {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(`${prefix}-${x.toString(36)}-${i}`);
  }
  return out;
}

function fleetFiles(
  count: number,
  env: Record<string, unknown> = {},
  topology: (i: number) => Record<string, unknown> | undefined = () => undefined,
): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = { "environment.yaml": baseEnvironment(env) };
  for (let i = 0; i < count; i++) {
    const t = topology(i);
    files[`fleet-${i}.yaml`] = baseCluster(
      { subnetCidr: `10.100.${i}.0/24`, ...(t !== undefined ? { topology: t } : {}) },
      {},
    );
    (files[`fleet-${i}.yaml`]!["metadata"] as { name: string }).name = `fleet-${i}`;
  }
  return files;
}

describe("keepalived router IDs, per cluster (the default)", () => {
  it("gives the API and ingress groups of a cluster distinct IDs, whatever its name", () => {
    for (const name of names(5000, 7)) {
      const ids = clusterScopedRouterIds(name);
      assert.notEqual(ids.ingress, ids.api, name);
      for (const id of [ids.ingress, ids.api]) assert.ok(id >= 1 && id <= MAX_VIRTUAL_ROUTER_ID, name);
    }
  });

  it("keeps a derived ID away from the other group's override, for every override value", () => {
    for (const name of names(200, 11)) {
      for (let id = 1; id <= MAX_VIRTUAL_ROUTER_ID; id++) {
        const a = clusterScopedRouterIds(name, { api: id });
        assert.equal(a.api, id);
        assert.notEqual(a.ingress, id, `${name} api ${id}`);
        const b = clusterScopedRouterIds(name, { ingress: id });
        assert.equal(b.ingress, id);
        assert.notEqual(b.api, id, `${name} ingress ${id}`);
      }
    }
  });

  it("keeps the ingress ID existing clusters were given before the API group existed", () => {
    // The values main's resolve.ts (defaultVirtualRouterId) gave these names.
    assert.equal(clusterScopedRouterIds("ecmwf-ai-platform").ingress, 149);
    assert.equal(clusterScopedRouterIds("c1").ingress, 59);
    assert.equal(clusterScopedRouterIds("fleet-10").ingress, 100);
    assert.equal(clusterScopedRouterIds("ecmwf-ai-platform").api, 150);
  });

  it("plans a 100-cluster environment with no hand-set router IDs (name hashes collide, and may)", () => {
    assert.equal(nameHashRouterId("fleet-10"), nameHashRouterId("fleet-97"), "the fleet has collisions");
    const fleet = loadFiles(fleetFiles(100));
    assert.deepEqual(fleet.messages, []);
    assert.equal(fleet.clusters.length, 100);
    for (const c of fleet.clusters) {
      assert.ok(c.topology.mode === "keepalived");
      assert.notEqual(c.topology.virtualRouterId, c.topology.apiVirtualRouterId, c.name);
    }
  });

  it("takes both overrides as written", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment(),
      "c1.yaml": baseCluster({ topology: { mode: "keepalived", virtualRouterId: 7, apiVirtualRouterId: 9 } }),
    });
    assert.deepEqual(fleet.messages, []);
    const t = fleet.clusters[0]!.topology;
    assert.ok(t.mode === "keepalived" && t.virtualRouterId === 7 && t.apiVirtualRouterId === 9);
  });

  it("rejects the same override for both groups of a cluster", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment(),
      "c1.yaml": baseCluster({ topology: { mode: "keepalived", virtualRouterId: 7, apiVirtualRouterId: 7 } }),
    });
    assert.deepEqual(fleet.messages, [
      "c1.yaml:16:27: spec.parameters.topology.apiVirtualRouterId: equals the ingress group's virtual_router_id (got 7; allowed: another ID from 1 to 255: the API and ingress VIP groups share the cluster's network)",
    ]);
  });
});

describe("keepalived router IDs, unique across an environment that shares one network", () => {
  it("gives all 127 clusters that fit on one network distinct IDs", () => {
    const order = names(127, 3);
    const r = environmentRouterIds(order);
    assert.deepEqual(r.exhausted, []);
    const all = [...r.byCluster.values()].flatMap((ids) => [ids.ingress, ids.api]);
    assert.equal(new Set(all).size, 254);
  });

  it("never moves a cluster when clusters are appended", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const order = names(120, seed);
      for (const cut of [1, 10, 60, 119]) {
        const before = environmentRouterIds(order.slice(0, cut)).byCluster;
        const after = environmentRouterIds(order).byCluster;
        for (const [name, ids] of before) assert.deepEqual(after.get(name), ids, `${name} (seed ${seed})`);
      }
    }
  });

  it("moves only clusters listed after a removed one when a cluster is removed", () => {
    const order = names(100, 5);
    const full = environmentRouterIds(order).byCluster;
    const removed = 40;
    const without = environmentRouterIds([...order.slice(0, removed), ...order.slice(removed + 1)]).byCluster;
    order.slice(0, removed).forEach((n) => assert.deepEqual(without.get(n), full.get(n), n));
    const moved = order
      .slice(removed + 1)
      .filter((n) => JSON.stringify(without.get(n)) !== JSON.stringify(full.get(n)));
    assert.ok(moved.length < 10, `few clusters move (moved: ${moved.length})`);
  });

  it("gives a cluster the same IDs whichever other cluster files are loaded", () => {
    const order = names(50, 9);
    const scope = { scope: "environment" as const, clusterOrder: order };
    const whole = environmentRouterIds(order).byCluster;
    for (const n of order) assert.deepEqual(routerIdsFor(n, {}, scope), whole.get(n));
  });

  it("reports the clusters beyond the 127 that fit", () => {
    const order = names(130, 4);
    assert.deepEqual(environmentRouterIds(order).exhausted, order.slice(127));
  });

  const shared = (clusterOrder: string[]) => ({
    keepalived: { routerIdScope: "environment", clusterOrder },
  });

  it("plans 100 clusters on one shared network with 200 distinct IDs and no hand-set ones", () => {
    const order = Array.from({ length: 100 }, (_, i) => `fleet-${i}`);
    const fleet = loadFiles(fleetFiles(100, shared(order)));
    assert.deepEqual(fleet.messages, []);
    const ids = fleet.clusters.flatMap((c) =>
      c.topology.mode === "keepalived" ? [c.topology.virtualRouterId, c.topology.apiVirtualRouterId] : [],
    );
    assert.equal(new Set(ids).size, 200);
  });

  it("rejects a cluster missing from the environment's clusterOrder", () => {
    const fleet = loadFiles(fleetFiles(2, shared(["fleet-0"])));
    assert.deepEqual(fleet.messages, [
      'fleet-1.yaml:4:9: metadata.name: not in the clusterOrder of environment "prod", whose clusters share one network (routerIdScope: environment) (got "fleet-1"; allowed: append "fleet-1" to spec.keepalived.clusterOrder in the environment file)',
    ]);
  });

  it("rejects an override another cluster's group already uses on the shared network", () => {
    const order = ["fleet-0", "fleet-1"];
    const taken = environmentRouterIds(order).byCluster.get("fleet-0")!.api;
    const fleet = loadFiles(
      fleetFiles(2, shared(order), (i) =>
        i === 1 ? { mode: "keepalived", virtualRouterId: taken } : undefined,
      ),
    );
    assert.equal(fleet.messages.length, 1);
    assert.match(
      fleet.messages[0]!,
      new RegExp(
        `^fleet-1\\.yaml:\\d+:\\d+: spec\\.parameters\\.topology\\.virtualRouterId: keepalived virtual_router_id ${taken} of the ingress group is also used by the API group of cluster "fleet-0", and the clusters of environment "prod" share one network`,
      ),
    );
  });

  const environmentCases: [string, Record<string, unknown>, RegExp][] = [
    [
      "an environment scope without a clusterOrder",
      { keepalived: { routerIdScope: "environment" } },
      /spec\.keepalived\.clusterOrder: required when routerIdScope is "environment"/,
    ],
    [
      "a clusterOrder without the environment scope",
      { keepalived: { clusterOrder: ["c1"] } },
      /spec\.keepalived\.clusterOrder: only used when routerIdScope is "environment" \(got routerIdScope "cluster"/,
    ],
    [
      "a cluster listed twice",
      shared(["c1", "c2", "c1"]),
      /spec\.keepalived\.clusterOrder\[2\]: listed twice \(got "c1", also at clusterOrder\[0\]/,
    ],
    [
      "more clusters than one network has IDs for",
      shared(["c1", ...names(130, 2)]),
      /spec\.keepalived\.clusterOrder\[127\]: no free pair of virtual_router_ids left .*at most 127 clusters/,
    ],
  ];
  for (const [what, env, message] of environmentCases) {
    it(`rejects ${what}`, () => {
      const fleet = loadFiles({ "environment.yaml": baseEnvironment(env), "c1.yaml": baseCluster() });
      assert.ok(
        fleet.messages.some((m) => /^environment\.yaml:\d+:\d+: /.test(m) && message.test(m)),
        fleet.messages.join("\n"),
      );
    });
  }
});
