import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { runFleet } from "../../fleet/run-fleet";
import { realEngine } from "./engine";
import { testProgram } from "./fixtures/programs";
import { EngineProject, filesUnder } from "./project";

describe("Ctrl-C during an update on the real engine", function () {
  this.timeout(240_000);
  let pulumi: PulumiCommand;
  let p: EngineProject;

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["a", "b"] });
  });
  after(() => p?.dispose());

  it("cancels the running update, starts no other cluster, and leaves the stack unlocked and usable", async () => {
    // Cluster a's probe waits for a partner that never comes. The engine's clean cancel lets in-flight
    // resource operations finish, so the probe gives up after 10 s (a cloud create would just complete).
    const started = path.join(p.root, "probes");
    fs.mkdirSync(started);
    const holding = testProgram({ probe: { rendezvous: { dir: started, parties: 2 }, maxWaitMs: 10_000 } });
    const controller = new AbortController();
    const run = runFleet(
      "up",
      p.clusters(),
      p.options(pulumi, { program: holding, parallel: 1, signal: controller.signal }),
    );
    const deadline = Date.now() + 90_000;
    while (fs.readdirSync(started).length === 0) {
      if (Date.now() > deadline) throw new Error("the first update never reached its probe");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort();
    const report = await run;

    assert.equal(report.cancelled, true);
    assert.equal(report.exitCode, 1);
    assert.deepEqual(
      report.clusters.map((c) => [c.cluster, c.result]),
      [
        ["a", "cancelled"],
        ["b", "cancelled"],
      ],
    );
    assert.equal(report.clusters[1]?.message, "not started (interrupted)");
    assert.deepEqual(filesUnder(path.join(p.stateDir, ".pulumi", "locks")), [], "no lock left behind");

    // The next run finishes the job: nothing is stuck in a pending operation.
    const again = await runFleet("up", [p.cluster("a")], p.options(pulumi, { program: testProgram({}) }));
    assert.equal(again.exitCode, 0, `${again.clusters[0]?.message}\n${again.clusters[0]?.error?.detail}`);
  });
});
