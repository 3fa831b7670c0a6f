/**
 * (a) `xcluster plan` over the example fleet (stacks/: 3 clusters), end to end as users run it: process
 * start, validation, workers, policies, output. Four ways, interleaved run by run so that load from other
 * work falls on all alike: `npx xcluster plan` (as users type it), `node bin/xcluster.js plan` (the same
 * without npm's start-up), with `--workers 1` and with `--serial` (in-process, no workers). Target: < 5 s.
 * Run: npm run build && npx ts-node -T bench/example-fleet.ts [runs=5]
 */
import {
  contention,
  loadAverage,
  machine,
  requireBuild,
  saveResult,
  stats,
  timePlan,
  type Timed,
} from "./common";

requireBuild();
const started = machine();
const runs = Number(process.argv[2] ?? 5);
const npx: Timed[] = [];
const bin: Timed[] = [];
const oneWorker: Timed[] = [];
const serial: Timed[] = [];
contention();
for (let i = 0; i < runs; i++) {
  npx.push(...timePlan([], 1, "npx"));
  bin.push(...timePlan([], 1));
  oneWorker.push(...timePlan(["--workers", "1"], 1));
  serial.push(...timePlan(["--serial"], 1));
}
const result = {
  machine: started,
  loadAverageEnd: loadAverage(),
  otherCores: contention(),
  runs,
  npx: stats(npx),
  bin: stats(bin),
  oneWorker: stats(oneWorker),
  serial: stats(serial),
};
void saveResult("example-fleet", result);
console.log(JSON.stringify(result, null, 2));
