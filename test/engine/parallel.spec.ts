import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { layout } from "../../fleet/layout";
import { stackOutputs } from "../../fleet/outputs";
import { listBackendStacks } from "../../fleet/reconcile";
import { runFleet } from "../../fleet/run-fleet";
import { realEngine } from "./engine";
import { testProgram } from "./fixtures/programs";
import { EngineProject } from "./project";

/** The most intervals that overlap at one instant. */
function maxOverlap(intervals: readonly [number, number][]): number {
  const edges = intervals.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (open += d!));
  return most;
}

describe("fleet parallelism on the real engine", function () {
  this.timeout(240_000);
  let pulumi: PulumiCommand;
  let p: EngineProject;

  before(async function () {
    pulumi = await realEngine(this);
  });
  afterEach(() => p?.dispose());

  it("runs at most --parallel stacks at once, each in its own workspace directory", async () => {
    p = new EngineProject({ clusters: ["a", "b", "c"] });
    // Each probe waits until two probes are being created: a stack can only finish while another runs.
    // It then holds long enough that a third stack running at the same time would overlap both.
    const dir = path.join(p.root, "rendezvous");
    fs.mkdirSync(dir);
    const holdMs = 3000;
    const program = testProgram({ probe: { holdMs, rendezvous: { dir, parties: 2 }, maxWaitMs: 60_000 } });
    const report = await runFleet("up", p.clusters(), p.options(pulumi, { parallel: 2, program }));
    assert.equal(report.exitCode, 0, report.clusters.map((r) => r.message).join("\n"));
    assert.equal(report.parallel, 2);
    assert.deepEqual(
      report.clusters.map((r) => [r.stack, r.result, r.changes.create]),
      [
        ["dev.a", "succeeded", 3],
        ["dev.b", "succeeded", 3],
        ["dev.c", "succeeded", 3],
      ],
    );

    for (const stack of ["dev.a", "dev.b", "dev.c"]) {
      const dir = p.workDir(stack);
      assert.ok(fs.existsSync(path.join(dir, "Pulumi.yaml")), `${dir}/Pulumi.yaml`);
      assert.ok(fs.existsSync(path.join(dir, `Pulumi.${stack}.yaml`)), `${dir}/Pulumi.${stack}.yaml`);
    }
    assert.deepEqual(
      (await listBackendStacks(`file://${p.stateDir}`, layout(p.root), p.options(pulumi))).sort(),
      ["dev.a", "dev.b", "dev.c"],
    );

    // When each stack's probe was being created, as recorded by the dynamic provider in each engine.
    const intervals: [number, number][] = [];
    for (const spec of p.clusters()) {
      const out = await stackOutputs(spec, { root: p.root, pulumi, env: p.env() });
      const started = Number(out["startedAtMs"]);
      const finished = Number(out["finishedAtMs"]);
      assert.ok(finished - started >= holdMs, `${spec.name}: ${started}..${finished}`);
      intervals.push([started, finished]);
    }
    const [a, b] = intervals as [[number, number], [number, number]];
    assert.ok(a[0] < b[1] && b[0] < a[1], `a and b ran side by side: ${JSON.stringify(intervals)}`);
    assert.equal(maxOverlap(intervals), 2, JSON.stringify(intervals));
  });
});
