/**
 * (i) Loading and validating a large spec: issue 17 asks that large inputs validate "in well under a second
 * per MB". A valid cluster of over 1 MB (test/support/spec-files.ts `largeClusterSpec`: 24,000 add-on
 * values) is written once; each run is a fresh `node` that loads it twice with the compiled loader
 * (`dist/spec`) and reports the CPU time of the second load (the first pays for compiling the parser) and
 * of both. The loader test checks the same spec is accepted; timings live here, not in tests.
 * Run: npm run build && npx ts-node -T bench/spec-size.ts [runs=7]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { baseEnvironment, largeClusterSpec } from "../test/support/spec-files";
import {
  contention,
  DIST,
  loadAverage,
  machine,
  median,
  requireBuild,
  round,
  saveResult,
  timeNode,
} from "./common";

requireBuild();
const started = machine();
const runs = Number(process.argv[2] ?? 7);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-bench-spec-"));
const text = stringify(largeClusterSpec());
fs.writeFileSync(path.join(dir, "environment.yaml"), stringify(baseEnvironment()));
fs.writeFileSync(path.join(dir, "c1.yaml"), text);

const probe = `
const { loadFleet } = require(${JSON.stringify(path.join(DIST, "spec"))});
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const out = [];
for (let i = 0; i < 2; i++) {
  const t0 = cpu();
  const fleet = loadFleet([${JSON.stringify(dir)}], { cwd: ${JSON.stringify(dir)} });
  if (fleet.issues.length > 0 || fleet.clusters.length !== 1) throw new Error("the spec did not load");
  out.push(cpu() - t0);
}
console.log(JSON.stringify(out));
`;

const first: number[] = [];
const second: number[] = [];
const wall: number[] = [];
contention();
for (let i = 0; i < runs; i++) {
  const r = timeNode(["-e", probe]);
  if (r.status !== 0) throw new Error(`the load failed (${r.status}):\n${r.stderr}`);
  const [a, b] = JSON.parse(r.stdout) as [number, number];
  first.push(a);
  second.push(b);
  wall.push(r.ms);
}
fs.rmSync(dir, { recursive: true, force: true });
const result = {
  machine: started,
  loadAverageEnd: loadAverage(),
  otherCores: contention(),
  runs,
  bytes: Buffer.byteLength(text),
  firstLoadCpuMedianMs: round(median(first)),
  secondLoadCpuMedianMs: round(median(second)),
  processWallMedianMs: round(median(wall)),
};
void saveResult("spec-size", result);
console.log(JSON.stringify(result, null, 2));
