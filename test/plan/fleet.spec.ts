import { strict as assert } from "assert";
import * as path from "path";
import { loadFleet } from "../../spec";
import { planFleet } from "../../plan/fleet";
import type { ClusterReport } from "../../plan/report";

const ROOT = path.join(__dirname, "..", "..");

describe("plan: the fleet in worker processes", function () {
  this.timeout(240_000);

  it("replaces each worker after its cluster and still gives the serial report", async () => {
    const fleet = loadFleet([path.join(ROOT, "stacks")], { cwd: ROOT });
    assert.deepEqual(fleet.issues, []);
    const finished: string[] = [];
    const recycled = await planFleet(fleet.clusters, {
      workers: 1,
      maxClustersPerWorker: 1,
      onCluster: (c: ClusterReport) => finished.push(c.name),
    });
    const serial = await planFleet(fleet.clusters, { serial: true });
    assert.deepEqual(finished.sort(), fleet.clusters.map((c) => c.name).sort());
    assert.deepEqual(recycled, serial);
    for (const c of recycled.clusters) assert.equal(c.error, undefined, `${c.name}: ${c.error}`);
  });

  it("plans nothing for an empty fleet", async () => {
    assert.deepEqual(await planFleet([], { workers: 2 }), { clusters: [] });
  });
});
