import { strict as assert } from "assert";
import * as path from "path";
import { loadFleet } from "../../spec";
import { planFleet } from "../../plan/fleet";
import { prestartWorker } from "../../plan/pool";
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

  it("takes a worker started before the fleet was known as its first worker", async () => {
    const fleet = loadFleet([path.join(ROOT, "stacks", "dev")], { cwd: ROOT });
    const head = prestartWorker();
    const planned = await planFleet(fleet.clusters, { workers: 1, prestarted: head });
    assert.equal(head.taken, true);
    assert.deepEqual(planned, await planFleet(fleet.clusters, { serial: true }));
  });

  it("stops a worker started ahead when nothing needs planning", async () => {
    const head = prestartWorker();
    assert.ok(head.pid !== undefined);
    assert.deepEqual(await planFleet([], { workers: 2, prestarted: head }), { clusters: [] });
    const alive = () => {
      try {
        process.kill(head.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(), false, "the worker process is gone");
  });

  it("plans nothing for an empty fleet", async () => {
    assert.deepEqual(await planFleet([], { workers: 2 }), { clusters: [] });
  });
});
