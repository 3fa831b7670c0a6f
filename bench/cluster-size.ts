/**
 * (c) one cluster of 10, 100 and 500 nodes, and (d) the floor.
 *
 * For each size, in fresh node processes on dist/:
 * - `xcluster plan` wall time (process start to exit), `processes` times;
 * - the cluster program under the plan's mocks (no policies), warm: after one warm-up run, the median of
 *   `inner` runs in the same process, as a plan worker plans cluster after cluster; as plan workers run it
 *   (stack capture off, worker node flags) and with the SDK's defaults. Nine by default: the cluster
 *   program's second and third runs are still 20-40 % slower than the later ones (V8 still optimising
 *   its larger code; the floor's little code settles after one), so a median of five measured partly
 *   that warm-up, once per worker, as a cost per resource (bench/notes.md);
 * - the floor (bench/scripts.ts): a bare Pulumi program registering the same number of resources (Port +
 *   Instance pairs) under the same mocks with the SDK's default settings, and the same with the plan's
 *   tuning, timed the same way;
 * - a diagnostic (bench/scripts.ts `replayScript`): the cluster's own resources registered again with no
 *   program around them, with the plan's tuning, to split xcluster's time per resource into what
 *   registering those resources costs in the SDK and what the program adds.
 * The ratio reported is xcluster's time per resource (as planned) over the floor's (SDK defaults). Against
 * the tuned floor, the ratio is also given process by process (each xcluster process over the tuned-floor
 * process of the same round), as the range of those ratios: how far one process can stray.
 * Run: npm run build && npx ts-node -T bench/cluster-size.ts [processes=3] [inner=9] [sizes…=10 100 500]
 * (a size may name its own number of processes: `500:2`).
 */
import * as fs from "fs";
import { WORKER_NODE_FLAGS } from "../plan/pool";
import {
  contention,
  loadAverage,
  machine,
  median,
  requireBuild,
  round,
  runScript,
  saveResult,
  sizesArg,
  stats,
  syntheticClusters,
  timePlan,
  writeFleet,
} from "./common";
import { floorScript, replayScript, xclusterScript } from "./scripts";

interface Sample {
  readonly resources: number;
  /** Median of the in-process runs. */
  readonly ms: number;
  /** Median CPU time of the in-process runs (all threads: GC helpers included). */
  readonly cpuMs: number;
  readonly rssMB: number;
}

interface Variant {
  readonly script: string;
  readonly flags: readonly string[];
  readonly tuned: boolean;
}

/**
 * Each variant in `processes` fresh processes, interleaved (so that load from other work on the machine
 * falls on all of them alike); per variant, the median of the processes' medians.
 */
function sampleInterleaved<K extends string>(
  processes: number,
  variants: Record<K, Variant>,
): { medians: Record<K, Sample>; perProcess: Record<K, Sample[]> } {
  const keys = Object.keys(variants) as K[];
  const samples = new Map<K, Sample[]>(keys.map((k) => [k, []]));
  for (let i = 0; i < processes; i++) {
    for (const k of keys) {
      const v = variants[k];
      samples.get(k)?.push(runScript<Sample>(v.script, v.flags, { BENCH_TUNED: v.tuned ? "1" : "0" }));
    }
  }
  const out = {} as Record<K, Sample>;
  const perProcess = {} as Record<K, Sample[]>;
  for (const k of keys) {
    const list = samples.get(k) ?? [];
    perProcess[k] = list;
    out[k] = {
      resources: list[0]?.resources ?? 0,
      ms: median(list.map((s) => s.ms)),
      cpuMs: median(list.map((s) => s.cpuMs)),
      rssMB: median(list.map((s) => s.rssMB)),
    };
  }
  return { medians: out, perProcess };
}

const perResource = (s: Sample) => s.ms / s.resources;
const cpuPerResource = (s: Sample) => s.cpuMs / s.resources;

requireBuild();
const started = machine();
const processes = Number(process.argv[2] ?? 3);
const inner = Number(process.argv[3] ?? 9);
const sizes = sizesArg(process.argv.slice(4), ["10", "100", "500"], processes);
const rows = [];
for (const { size: nodes, runs } of sizes) {
  const [cluster] = syntheticClusters(1, nodes);
  const dir = writeFleet([cluster!]);
  try {
    contention();
    const wall = stats(timePlan([dir], runs));
    const script = xclusterScript(dir, inner);
    // The floor registers as many resources as the cluster program does (rounded to whole pairs).
    const resources = runScript<Sample>(xclusterScript(dir, 0), WORKER_NODE_FLAGS, {
      BENCH_TUNED: "1",
    }).resources;
    const floor = floorScript(resources, inner);
    const sampled = sampleInterleaved(runs, {
      planned: { script, flags: WORKER_NODE_FLAGS, tuned: true },
      sdkDefaults: { script, flags: [], tuned: false },
      floor: { script: floor, flags: [], tuned: false },
      floorTuned: { script: floor, flags: WORKER_NODE_FLAGS, tuned: true },
      replay: { script: replayScript(dir, inner), flags: WORKER_NODE_FLAGS, tuned: true },
    });
    const m = sampled.medians;
    // Each xcluster process over the tuned-floor process of the same round.
    const pairRatios = sampled.perProcess.planned
      .map((x, i) => {
        const f = sampled.perProcess.floorTuned[i];
        return f === undefined ? NaN : perResource(x) / perResource(f);
      })
      .filter(Number.isFinite);
    const row = {
      nodes,
      processes: runs,
      otherCores: contention(),
      resources: m.planned.resources,
      floorResources: m.floor.resources,
      planWallMedianMs: wall.medianMs,
      xclusterMs: round(m.planned.ms),
      xclusterMsPerResource: round(perResource(m.planned), 2),
      xclusterRssMB: m.planned.rssMB,
      xclusterSdkDefaultsMsPerResource: round(perResource(m.sdkDefaults), 2),
      floorMs: round(m.floor.ms),
      floorMsPerResource: round(perResource(m.floor), 2),
      floorRssMB: m.floor.rssMB,
      floorTunedMsPerResource: round(perResource(m.floorTuned), 2),
      floorTunedCpuMsPerResource: round(cpuPerResource(m.floorTuned), 2),
      floorTunedRssMB: m.floorTuned.rssMB,
      // From unrounded medians, so that it is comparable with the per-round range.
      tunedRatio: round(perResource(m.planned) / perResource(m.floorTuned), 2),
      ...(pairRatios.length > 0
        ? {
            tunedRatioMin: round(Math.min(...pairRatios), 2),
            tunedRatioMax: round(Math.max(...pairRatios), 2),
          }
        : {}),
      replayResources: m.replay.resources,
      replayMs: round(m.replay.ms),
      // xcluster's time over its replay's, per resource xcluster registers.
      programAddsMsPerResource: round((m.planned.ms - m.replay.ms) / m.planned.resources, 2),
      replayMsPerResource: round(perResource(m.replay), 2),
      replayRssMB: m.replay.rssMB,
      ratioToFloor: round(perResource(m.planned) / perResource(m.floor), 2),
      xclusterCpuMsPerResource: round(cpuPerResource(m.planned), 2),
      floorCpuMsPerResource: round(cpuPerResource(m.floor), 2),
      cpuRatioToFloor: round(cpuPerResource(m.planned) / cpuPerResource(m.floor), 2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const result = { machine: started, loadAverageEnd: loadAverage(), processes, innerRuns: inner, rows };
void saveResult("cluster-size", result);
console.log(JSON.stringify(result, null, 2));
