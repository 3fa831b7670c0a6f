import { strict as assert } from "assert";
import { runFleet, type FleetOptions } from "../../fleet/run-fleet";
import { InvalidRunError } from "../../fleet/errors";
import { FakeProject, type Scenario } from "./harness";

const FAIL = { exitCode: 255, stderr: "error: update failed\n" };

describe("fleet waves, parallelism, fail-fast and interruption", function () {
  this.timeout(120_000);
  let p: FakeProject;
  const project = (s: Scenario) => (p = new FakeProject(s));
  afterEach(() => p?.dispose());

  async function up(extra: Partial<FleetOptions> = {}) {
    return runFleet("up", p.clusters(), await p.options({ policyPack: false, ...extra }));
  }
  /** Index in the call log of the first call for a stack. */
  const first = (stack: string) => p.calls().findIndex((c) => c.argv.includes(stack));
  const last = (stack: string) =>
    p.calls().length - 1 - [...p.calls()].reverse().findIndex((c) => c.argv.includes(stack));

  it("runs the canary first and the rest only after it succeeded", async () => {
    project({});
    const report = await up({ canary: { names: ["b"] } });
    assert.deepEqual(report.waves, [["dev.b"], ["dev.a", "dev.c"]]);
    assert.ok(
      last("dev.b") < first("dev.a") && last("dev.b") < first("dev.c"),
      "wave 2 starts after wave 1 ended",
    );
    assert.deepEqual(
      report.clusters.map((c) => [c.cluster, c.wave, c.result]),
      [
        ["a", 2, "succeeded"],
        ["b", 1, "succeeded"],
        ["c", 2, "succeeded"],
      ],
    );
  });

  it("skips the rest when the canary fails", async () => {
    project({ stacks: { "dev.b": { up: FAIL } } });
    const report = await up({ canary: { names: ["dev/b"] } });
    assert.equal(report.exitCode, 1);
    assert.deepEqual(
      report.clusters.map((c) => [c.cluster, c.result]),
      [
        ["a", "skipped"],
        ["b", "failed"],
        ["c", "skipped"],
      ],
    );
    assert.equal(report.clusters[0]?.message, "not started: the canary wave did not succeed");
    assert.equal(first("dev.a"), -1, "no stack of the second wave was touched");
  });

  it("selects the canary wave by label", async () => {
    project({});
    const report = await up({ canary: { selector: { tier: "canary" } } });
    assert.deepEqual(report.waves, [["dev.c"], ["dev.a", "dev.b"]]);
  });

  it("rejects a canary that names no cluster of the run", async () => {
    project({});
    await assert.rejects(
      up({ canary: { names: ["zz"] } }),
      (e: unknown) => e instanceof InvalidRunError && /--canary zz/.test(e.message),
    );
    await assert.rejects(up({ canary: { selector: { tier: "none" } } }), /matches no cluster/);
    assert.deepEqual(p.calls(), []);
  });

  it("keeps going when one cluster fails: the others still run", async () => {
    project({ stacks: { "dev.a": { up: FAIL } } });
    const report = await up({ parallel: 1 });
    assert.equal(report.exitCode, 1);
    assert.deepEqual(
      report.clusters.map((c) => c.result),
      ["failed", "succeeded", "succeeded"],
    );
  });

  it("starts no new cluster after a failure with fail-fast", async () => {
    project({ stacks: { "dev.a": { up: FAIL } } });
    const report = await up({ parallel: 1, failFast: true });
    assert.deepEqual(
      report.clusters.map((c) => [c.result, c.message ?? ""]),
      [
        ["failed", "stack dev.a: up failed: update failed"],
        ["skipped", "not started: --fail-fast after dev.a failed"],
        ["skipped", "not started: --fail-fast after dev.a failed"],
      ],
    );
    assert.equal(first("dev.b"), -1);
  });

  it("runs at most --parallel clusters at once", async () => {
    project({ default: { up: { sleepMs: 1500 } } });
    const started = Date.now();
    const report = await up({ parallel: 2 });
    assert.equal(report.parallel, 2);
    assert.equal(report.exitCode, 0);
    // Three 1.5 s updates, two at a time: two rounds.
    assert.ok(Date.now() - started >= 3000, `took ${Date.now() - started} ms`);
  });

  it("cancels on interruption: the running update is interrupted and nothing new starts", async () => {
    project({ default: { up: { sleepMs: 20_000 } } });
    const controller = new AbortController();
    const started = Date.now();
    const running = up({ parallel: 1, signal: controller.signal });
    // Abort once the first update is under way.
    while (!p.calls().some((c) => c.argv[0] === "up")) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const report = await running;
    assert.ok(Date.now() - started < 15_000, "the CLI got SIGINT instead of running to the end");
    assert.equal(report.exitCode, 1);
    assert.equal(report.cancelled, true);
    assert.deepEqual(
      report.clusters.map((c) => c.result),
      ["cancelled", "cancelled", "cancelled"],
    );
    assert.equal(report.clusters[1]?.message, "not started (interrupted)");
    assert.equal(first("dev.b"), -1);
  });
});
