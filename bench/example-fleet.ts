/**
 * (a) `xcluster plan` over the example fleet (stacks/), end to end as users run it: process start,
 * validation, workers, policies, output. Target: < 5 s.
 * Run: npm run build && npx ts-node -T bench/example-fleet.ts [runs]
 */
import { machine, median, requireBuild, round, saveResult, timePlan } from "./common";

requireBuild();
const runs = Number(process.argv[2] ?? 5);
const parallel = timePlan([], runs);
const serial = timePlan(["--serial"], runs);
const result = {
  machine: machine(),
  runs,
  parallelMs: parallel.map((x) => round(x)),
  serialMs: serial.map((x) => round(x)),
  parallelMedianMs: round(median(parallel)),
  serialMedianMs: round(median(serial)),
};
saveResult("example-fleet", result);
console.log(JSON.stringify(result, null, 2));
