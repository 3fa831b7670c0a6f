/**
 * (f) `xcluster --help` start time: the bin on dist/ (what `npx xcluster` runs after `npm run build`),
 * and, for comparison, from source through ts-node (the bin's fallback without a build). Target: < 1 s.
 * Run: npm run build && npx ts-node -T bench/help-start.ts [runs]
 */
import * as path from "path";
import { machine, median, requireBuild, ROOT, round, saveResult, timeNode } from "./common";

requireBuild();
const runs = Number(process.argv[2] ?? 10);
const bin = path.join(ROOT, "bin", "xcluster.js");

function time(env: NodeJS.ProcessEnv): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = timeNode([bin, "--help"], env);
    if (r.status !== 0 || !r.stdout.includes("plan"))
      throw new Error(`xcluster --help failed:\n${r.stdout}\n${r.stderr}`);
    times.push(r.ms);
  }
  return times;
}

const dist = time({});
const source = time({ XCLUSTER_FROM_SOURCE: "1" });
const baseline: number[] = [];
for (let i = 0; i < runs; i++) baseline.push(timeNode(["-e", "0"]).ms);
const result = {
  machine: machine(),
  runs,
  distMedianMs: round(median(dist)),
  sourceMedianMs: round(median(source)),
  nodeBaselineMedianMs: round(median(baseline)),
};
saveResult("help-start", result);
console.log(JSON.stringify(result, null, 2));
