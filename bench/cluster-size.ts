/**
 * (c) one cluster of 10, 100 and 500 nodes, and (d) the floor.
 *
 * For each size, in fresh node processes on dist/:
 * - `xcluster plan` wall time (process start to exit);
 * - the cluster program under the plan's mocks, warm (second run in the process), time per resource,
 *   as plan workers run it (stack capture off, worker node flags) and with the SDK's defaults;
 * - the floor: a bare Pulumi program registering the same number of resources (Port + Instance pairs)
 *   under the same mocks with the SDK's default settings, and the same with the plan's tuning.
 * The ratio reported is xcluster's time per resource (as planned) over the floor's (SDK defaults).
 * Run: npm run build && npx ts-node -T bench/cluster-size.ts [runs] [sizes…]
 */
import * as fs from "fs";
import * as path from "path";
import {
  DIST,
  machine,
  median,
  requireBuild,
  round,
  runScript,
  saveResult,
  syntheticClusters,
  timePlan,
  writeFleet,
} from "./common";

interface Sample {
  readonly resources: number;
  readonly ms: number;
  readonly rssMB: number;
}

const TUNE = `if (process.env.BENCH_TUNED === "1") require(${JSON.stringify(path.join(DIST, "plan", "fast-runtime.js"))}).tuneForPlans();`;

/** The cluster program under the plan's mocks; the second, warm run is timed. */
function xclusterScript(dir: string): string {
  return `
${TUNE}
const { loadFleet } = require(${JSON.stringify(path.join(DIST, "spec"))});
const { renderCluster } = require(${JSON.stringify(path.join(DIST, "plan", "render-cluster.js"))});
(async () => {
  const fleet = loadFleet([${JSON.stringify(dir)}], { cwd: ${JSON.stringify(dir)} });
  if (fleet.issues.length > 0) throw new Error(JSON.stringify(fleet.issues));
  const spec = fleet.clusters[0];
  await renderCluster(spec);
  const t0 = process.hrtime.bigint();
  const res = await renderCluster(spec);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ resources: res.length, ms, rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

/** The floor: Port + Instance pairs, nothing else; the second, warm run is timed. */
function floorScript(resources: number): string {
  return `
${TUNE}
const pulumi = require("@pulumi/pulumi");
const openstack = require("@pulumi/openstack");
const { RecordingMocks, waitForRegistrations } = require(${JSON.stringify(path.join(DIST, "plan", "mocks.js"))});
async function run(pairs) {
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, "floor", "floor", false);
  await pulumi.runtime.runInPulumiStack(async () => {
    for (let i = 0; i < pairs; i++) {
      const port = new openstack.networking.Port("port-" + i, {
        networkId: "net", fixedIps: [{ subnetId: "subnet", ipAddress: "10.0." + (i >> 8) + "." + (i & 255) }],
      });
      new openstack.compute.Instance("node-" + i, {
        flavorName: "m1.large", imageId: "image", networks: [{ port: port.id }],
      });
    }
    return {};
  });
  await waitForRegistrations();
  return mocks.resources.length - 1;
}
(async () => {
  await run(${Math.max(1, Math.round(resources / 2))});
  const t0 = process.hrtime.bigint();
  const n = await run(${Math.max(1, Math.round(resources / 2))});
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ resources: n, ms, rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

const WORKER_FLAGS = ["--max-semi-space-size=32"];

function sample(runs: number, script: string, flags: string[], tuned: boolean): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++)
    samples.push(runScript<Sample>(script, flags, { BENCH_TUNED: tuned ? "1" : "0" }));
  return {
    resources: samples[0]?.resources ?? 0,
    ms: median(samples.map((s) => s.ms)),
    rssMB: median(samples.map((s) => s.rssMB)),
  };
}

const perResource = (s: Sample) => s.ms / s.resources;

requireBuild();
const runs = Number(process.argv[2] ?? 3);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [10, 100, 500];
const rows = [];
for (const nodes of sizes) {
  const [cluster] = syntheticClusters(1, nodes);
  const dir = writeFleet([cluster!]);
  try {
    const wall = timePlan([dir], runs);
    const script = xclusterScript(dir);
    const planned = sample(runs, script, WORKER_FLAGS, true);
    const untunedSdk = sample(runs, script, [], false);
    const floor = sample(runs, floorScript(planned.resources), [], false);
    const floorTuned = sample(runs, floorScript(planned.resources), WORKER_FLAGS, true);
    const row = {
      nodes,
      resources: planned.resources,
      planWallMedianMs: round(median(wall)),
      xclusterMs: round(planned.ms),
      xclusterMsPerResource: round(perResource(planned), 2),
      xclusterRssMB: planned.rssMB,
      xclusterSdkDefaultsMsPerResource: round(perResource(untunedSdk), 2),
      floorMsPerResource: round(perResource(floor), 2),
      floorRssMB: floor.rssMB,
      floorTunedMsPerResource: round(perResource(floorTuned), 2),
      ratioToFloor: round(perResource(planned) / perResource(floor), 2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const result = { machine: machine(), runs, rows };
saveResult("cluster-size", result);
console.log(JSON.stringify(result, null, 2));
