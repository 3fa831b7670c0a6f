/**
 * (f) `xcluster --help` start time: the bin on dist/ (what runs after `npm run build`), `npx xcluster
 * --help` as users type it (adds npm's own start-up), and, for comparison, the bin from source through
 * ts-node (its fallback without a build), a bare `node -e 0` and npm's own cost (`npx -c "node -e 0"`:
 * npm exec starting a shell command, no package lookup). Interleaved run by run. Target: < 1 s.
 * Run: npm run build && npx ts-node -T bench/help-start.ts [runs=10]
 */
import * as path from "path";
import {
  contention,
  loadAverage,
  machine,
  median,
  requireBuild,
  ROOT,
  round,
  saveResult,
  timeNode,
  timeNpx,
  type Timed,
} from "./common";

requireBuild();
const started = machine();
const runs = Number(process.argv[2] ?? 10);
const bin = path.join(ROOT, "bin", "xcluster.js");

function help(r: Timed): number {
  if (r.status !== 0 || !r.stdout.includes("plan"))
    throw new Error(`xcluster --help failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.ms;
}

const dist: number[] = [];
const npx: number[] = [];
const source: number[] = [];
const baseline: number[] = [];
const npmExec: number[] = [];
contention();
for (let i = 0; i < runs; i++) {
  dist.push(help(timeNode([bin, "--help"])));
  npx.push(help(timeNpx(["xcluster", "--help"])));
  source.push(help(timeNode([bin, "--help"], { XCLUSTER_FROM_SOURCE: "1" })));
  baseline.push(timeNode(["-e", "0"]).ms);
  npmExec.push(timeNpx(["-c", "node -e 0"]).ms);
}
const result = {
  machine: started,
  loadAverageEnd: loadAverage(),
  otherCores: contention(),
  runs,
  distMedianMs: round(median(dist)),
  npxMedianMs: round(median(npx)),
  sourceMedianMs: round(median(source)),
  nodeBaselineMedianMs: round(median(baseline)),
  npmExecBaselineMedianMs: round(median(npmExec)),
};
void saveResult("help-start", result);
console.log(JSON.stringify(result, null, 2));
