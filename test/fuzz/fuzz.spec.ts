/**
 * Tier: pure functions, fuzzed — the loader `xcluster validate` uses, on thousands of seeded mutations of
 * the committed example specs (type swaps, deletions, unknown fields, YAML oddities, byte flips) and on
 * the failing inputs kept from earlier runs (`regressions/`). No input may crash it, hang it or get a
 * problem without a position. The cases run in a worker thread so that a hang is stopped and named.
 *
 * A failure prints its seeds; `FUZZ_SAVE=1 npx mocha test/fuzz/fuzz.spec.ts` writes them to regressions/
 * so they are checked on every run from then on. `FUZZ_CASES=<n>` runs more (or fewer) seeds.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Worker } from "worker_threads";
import { REGRESSIONS, regressionFileName, type FromFuzzWorker, type FuzzResult } from "./run";

const CASES = Number(process.env["FUZZ_CASES"] ?? 2000);
/** One case taking this long is a hang (a case takes milliseconds; the slowest, a 200 kB document, ~0.5 s). */
const HANG_MS = 15_000;
/** The whole run takes ~12 s of one core; a shared machine may stretch that. */
const RUN_MS = 300_000;

function runInWorker(from: number, to: number): Promise<{ failures: FuzzResult[]; cases: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      `require(${JSON.stringify(require.resolve("ts-node/register/transpile-only"))}); require(${JSON.stringify(path.join(__dirname, "run.ts"))});`,
      { eval: true, workerData: { from, to } },
    );
    let current = "(loading)";
    let timer: NodeJS.Timeout | undefined;
    // Restarted as each case starts: the limit is per case, so a slow machine does not look like a hang.
    const arm = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`fuzz case ${current} did not finish within ${ms / 1000} s (a hang)`));
      }, ms);
    };
    arm(RUN_MS);
    worker.on("message", (m: FromFuzzWorker) => {
      if (m.kind === "start") {
        current = m.label;
        arm(HANG_MS);
      } else {
        clearTimeout(timer);
        void worker.terminate();
        resolve({ failures: m.failures, cases: m.cases });
      }
    });
    worker.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe("spec loader under fuzzing (pure functions, seeded)", function () {
  this.timeout(RUN_MS + 10_000);

  it(`never crashes, hangs or reports a problem without a position on ${CASES} mutated specs and the kept regressions`, async () => {
    const { failures, cases } = await runInWorker(0, CASES);
    assert.ok(cases >= CASES);
    if (failures.length > 0 && process.env["FUZZ_SAVE"]) {
      fs.mkdirSync(REGRESSIONS, { recursive: true });
      for (const f of failures.filter((x) => x.label.startsWith("seed ")))
        fs.writeFileSync(path.join(REGRESSIONS, regressionFileName(f)), f.text);
    }
    assert.deepEqual(
      failures.map((f) => `${f.label} (${f.target}): ${f.problems[0]!.slice(0, 300)}`),
      [],
      "failing cases (FUZZ_SAVE=1 keeps them as regression fixtures)",
    );
  });
});
