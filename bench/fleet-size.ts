/**
 * (b) `xcluster plan` over synthetic fleets of 1, 10 and 100 clusters × 15 nodes (3 servers, 8 agents,
 * 2 GPU agents, 2 keepalived ingress nodes), with the default workers (one per core), end to end from
 * `node bin/xcluster.js`. Target: 100 clusters < 60 s on 2 cores.
 * Run: npm run build && npx ts-node -T bench/fleet-size.ts [runs=3] [sizes…=1 10 100:2]
 * (a size may name its own number of runs: `100:2`).
 */
import * as fs from "fs";
import {
  contention,
  loadAverage,
  machine,
  requireBuild,
  round,
  saveResult,
  sizesArg,
  stats,
  syntheticClusters,
  timePlan,
  writeFleet,
} from "./common";

requireBuild();
const started = machine();
const runs = Number(process.argv[2] ?? 3);
const sizes = sizesArg(process.argv.slice(3), ["1", "10", "100:2"], runs);
const rows = [];
for (const { size: clusters, runs: n } of sizes) {
  const dir = writeFleet(syntheticClusters(clusters, 15));
  try {
    const loadAtStart = loadAverage();
    contention();
    const st = stats(timePlan([dir], n));
    rows.push({
      clusters,
      nodesPerCluster: 15,
      runs: n,
      loadAverageStart: loadAtStart,
      otherCores: contention(),
      ...st,
      msPerCluster: round(st.medianMs / clusters),
    });
    console.log(`${clusters} cluster(s): median of ${n} ${round(st.medianMs / 1000, 1)} s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const result = { machine: started, loadAverageEnd: loadAverage(), rows };
void saveResult("fleet-size", result);
console.log(JSON.stringify(result, null, 2));
