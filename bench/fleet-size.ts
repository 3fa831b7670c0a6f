/**
 * (b) `xcluster plan` over synthetic fleets of 1, 10 and 100 clusters × 15 nodes (3 servers, 8 agents,
 * 2 GPU agents, 2 keepalived ingress nodes), with the default workers (one per core). Target: 100 clusters
 * < 60 s on 2 cores.
 * Run: npm run build && npx ts-node -T bench/fleet-size.ts [runs] [sizes…]
 */
import * as fs from "fs";
import {
  machine,
  median,
  requireBuild,
  round,
  saveResult,
  syntheticClusters,
  timePlan,
  writeFleet,
} from "./common";

requireBuild();
const runs = Number(process.argv[2] ?? 3);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 10, 100];
const rows = [];
for (const clusters of sizes) {
  const dir = writeFleet(syntheticClusters(clusters, 15));
  try {
    const times = timePlan([dir], runs);
    const m = median(times);
    rows.push({
      clusters,
      nodesPerCluster: 15,
      runsMs: times.map((x) => round(x)),
      medianMs: round(m),
      msPerCluster: round(m / clusters),
    });
    console.log(`${clusters} cluster(s): median ${round(m / 1000, 1)} s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const result = { machine: machine(), runs, rows };
saveResult("fleet-size", result);
console.log(JSON.stringify(result, null, 2));
