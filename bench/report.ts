/**
 * Renders BENCHMARKS.md from bench/results/*.json (written by the other bench scripts), with the targets
 * from issue 7 beside the measurements, formatted by Prettier (so that `prettier --check` passes). The
 * notes on where the time goes are hand-written from profiles (bench/profile.ts), in bench/notes.md.
 * Run: npx ts-node -T bench/report.ts
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { RESULTS, ROOT, type Machine } from "./common";

interface Run {
  readonly machine: Machine;
  readonly loadAverageEnd: number;
  /** Average cores other work kept busy while the benchmark ran. */
  readonly otherCores: number;
}

interface Stats {
  readonly runsMs: number[];
  readonly medianMs: number;
  readonly medianCpuMs: number;
}

interface ExampleFleet extends Run {
  readonly runs: number;
  readonly npx: Stats;
  readonly bin: Stats;
  readonly oneWorker: Stats;
  readonly serial: Stats;
}

interface FleetSize extends Omit<Run, "otherCores"> {
  readonly rows: (Stats & {
    clusters: number;
    nodesPerCluster: number;
    runs: number;
    loadAverageStart: number;
    otherCores: number;
    msPerCluster: number;
  })[];
}

interface ClusterSize extends Omit<Run, "otherCores"> {
  readonly innerRuns: number;
  readonly rows: {
    nodes: number;
    processes: number;
    otherCores: number;
    resources: number;
    floorResources: number;
    planWallMedianMs: number;
    xclusterMs: number;
    xclusterMsPerResource: number;
    xclusterRssMB: number;
    xclusterSdkDefaultsMsPerResource: number;
    floorMs: number;
    floorMsPerResource: number;
    floorRssMB: number;
    floorTunedMsPerResource: number;
    /** Absent in results recorded before issue 19's second pass. */
    floorTunedCpuMsPerResource?: number;
    floorTunedRssMB?: number;
    /** Ratio to the tuned floor from unrounded medians; absent before issue 19's fourth pass. */
    tunedRatio?: number;
    /** Range of the per-round ratios to the tuned floor; absent before issue 19's fourth pass. */
    tunedRatioMin?: number;
    tunedRatioMax?: number;
    /** The cluster's own resources registered again without the program (bench/scripts.ts `replayScript`). */
    replayResources?: number;
    replayMs?: number;
    replayMsPerResource?: number;
    replayRssMB?: number;
    /** (xcluster's time − the replay's) over xcluster's resources. */
    programAddsMsPerResource?: number;
    ratioToFloor: number;
    xclusterCpuMsPerResource: number;
    floorCpuMsPerResource: number;
    cpuRatioToFloor: number;
  }[];
}

interface PolicyThroughput extends Run {
  readonly runs: number;
  readonly nodes: number;
  readonly resources: number;
  readonly checksPerEvaluation: number;
  readonly violations: number;
  readonly msPerEvaluation: number;
  readonly checksPerSecond: number;
  readonly resourcesPerSecond: number;
}

interface HelpStart extends Run {
  readonly runs: number;
  readonly distMedianMs: number;
  readonly npxMedianMs: number;
  readonly sourceMedianMs: number;
  readonly nodeBaselineMedianMs: number;
  readonly npmExecBaselineMedianMs: number;
}

interface PreviewRun {
  readonly ms: number;
  readonly cpuMs: number;
  /** CPU of every process of the tree, from the samples. */
  readonly sampledCpuMs: number;
  readonly otherCores: number | null;
  readonly status: number | null;
  readonly memory: {
    readonly peakTreeMB: number;
    readonly peakByKindMB: Record<string, number>;
    readonly cpuByKindS: Record<string, number>;
  };
}

interface RealPreview extends Omit<Run, "otherCores"> {
  readonly openstackPlugin: string;
  readonly standIns: string[];
  readonly rows: {
    readonly fleet: string;
    readonly clusters: number;
    readonly planMs: number;
    readonly planCpuMs: number;
    readonly serial: PreviewRun;
    readonly parallel: PreviewRun;
    readonly speedup: number;
    readonly previewMsPerCluster: number;
    readonly planMsPerCluster: number;
    readonly ratioToPlan: number;
    readonly loadAverageStart: number;
    /** null: not measured in that pass. */
    readonly otherCores: number | null;
  }[];
}

interface ScaleMode {
  readonly runsMs: number[];
  readonly medianMs: number;
  readonly medianCpuMs: number;
  readonly peakTreeMB: number;
  readonly otherCores: number;
}

interface FleetScale extends Omit<Run, "otherCores"> {
  readonly rows: {
    readonly clusters: number;
    readonly runs: number;
    readonly loadAverageStart: number;
    readonly loadAverageEnd: number;
    readonly uncached: ScaleMode;
    readonly coldCache: ScaleMode;
    readonly warmCache: ScaleMode;
    readonly oneChange: ScaleMode;
  }[];
}

interface SpecSize extends Run {
  readonly runs: number;
  readonly bytes: number;
  readonly firstLoadCpuMedianMs: number;
  readonly secondLoadCpuMedianMs: number;
  readonly processWallMedianMs: number;
}

function load<T>(name: string): T | undefined {
  const f = path.join(RESULTS, `${name}.json`);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as T) : undefined;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const n = (x: number) => x.toLocaleString("en");
/** Milliseconds per resource, two decimals. */
const mr = (x: number) => x.toFixed(2);
const mark = (ok: boolean) => (ok ? "met" : "**missed**");
/** The range of a cluster-size row's per-round ratios to the tuned floor ("1.00–1.30×"), when recorded. */
const byProcess = (r: { tunedRatioMin?: number | null; tunedRatioMax?: number | null }) =>
  typeof r.tunedRatioMin !== "number" || typeof r.tunedRatioMax !== "number"
    ? undefined
    : `${r.tunedRatioMin.toFixed(2)}–${r.tunedRatioMax.toFixed(2)}×`;
const range = (r: Parameters<typeof byProcess>[0]) => {
  const b = byProcess(r);
  return b === undefined ? "" : ` (${b} by process)`;
};
/** A cluster-size row's ratio to the tuned floor: recorded from unrounded medians, else from the rounded rates. */
const tunedRatio = (r: {
  tunedRatio?: number;
  xclusterMsPerResource: number;
  floorTunedMsPerResource: number;
}) => r.tunedRatio ?? r.xclusterMsPerResource / r.floorTunedMsPerResource;
/** When and under what load a benchmark ran. */
const conditions = (r: Omit<Run, "otherCores">, otherCores?: number) =>
  `Run ${r.machine.startedAt.slice(0, 16).replace("T", " ")} UTC; load average ${r.machine.loadAverage} at the start, ` +
  `${r.loadAverageEnd} at the end` +
  (otherCores !== undefined
    ? `; other work kept ${otherCores} of ${r.machine.cores} cores busy on average.`
    : ".");

const example = load<ExampleFleet>("example-fleet");
const fleet = load<FleetSize>("fleet-size");
const cluster = load<ClusterSize>("cluster-size");
const policy = load<PolicyThroughput>("policy-throughput");
const help = load<HelpStart>("help-start");
const realPreview = load<RealPreview>("real-preview");
const scale = load<FleetScale>("fleet-scale");
const specSize = load<SpecSize>("spec-size");

/** The days the results were measured on. */
function dates(): string {
  const days = [example, fleet, cluster, policy, help, realPreview, scale, specSize]
    .filter((x) => x !== undefined)
    .map((x) => x.machine.startedAt.slice(0, 10));
  return [...new Set(days)].sort().join(", ");
}

const out: string[] = [
  "# Benchmarks",
  "",
  "Generated by `npx ts-node -T bench/report.ts` from `bench/results/*.json`. Reproduce with `npm run build`",
  "and then each `npx ts-node -T bench/<name>.ts` (the header of each script gives its arguments). Every",
  "number is a median of several runs, each in a fresh `node` process on the compiled code in `dist/`.",
  "Timings are wall clock unless marked CPU.",
  "",
];

const anyMachine = [example, fleet, cluster, policy, help].find((x) => x !== undefined)?.machine;
if (anyMachine) {
  out.push(
    `**Machine:** ${anyMachine.cpu}, ${anyMachine.cores} cores, ${anyMachine.memoryGiB} GiB, Node ${anyMachine.node}, ${anyMachine.os}.`,
    "",
    `**Date:** ${dates()}.`,
    "",
    "**Load.** The machine is shared with other work (another session's real-engine tests: `pulumi up` and",
    "dynamic-provider processes). Each section gives the load average and how many cores other work kept",
    "busy on average while it ran (machine CPU time from `/proc/stat` minus the benchmark's own). The",
    "benchmarks interleave the variants they compare run by run, so that ratios are fairer than absolute",
    "times. On 2 cores, any other work slows the parallel plans most.",
    "",
  );
}

out.push(
  "## Summary against the targets",
  "",
  "| benchmark | median | target | status |",
  "| --- | --- | --- | --- |",
);
if (example) {
  out.push(
    `| (a) example fleet, \`npx xcluster plan\` | ${s(example.npx.medianMs)} | < 5 s | ${mark(example.npx.medianMs < 5000)} |`,
  );
}
const hundred = fleet?.rows.find((r) => r.clusters === 100);
if (hundred) {
  out.push(
    `| (b) 100 clusters × 15 nodes, \`xcluster plan\` | ${s(hundred.medianMs)} | < 60 s | ${mark(hundred.medianMs < 60_000)} |`,
  );
}
if (cluster) {
  for (const r of cluster.rows) {
    out.push(
      `| (d) time per resource vs the floor, ${r.nodes}-node cluster | ${r.ratioToFloor.toFixed(2)}× | ≤ 0.5× | ${mark(r.ratioToFloor <= 0.5)} |`,
    );
  }
  for (const r of cluster.rows) {
    const ratio = tunedRatio(r);
    out.push(
      `| (d) time per resource vs the tuned floor, ${r.nodes}-node cluster (issue 19) | ${ratio.toFixed(2)}×${range(r)} | ≤ 1.0× | ${mark(ratio <= 1)} |`,
    );
  }
  for (const r of cluster.rows) {
    if (r.floorTunedRssMB === undefined) continue;
    out.push(
      `| (d) peak RSS vs the tuned floor, ${r.nodes}-node cluster (issue 19) | ${r.xclusterRssMB} / ${r.floorTunedRssMB} MB | at most the floor's | ${mark(r.xclusterRssMB <= r.floorTunedRssMB)} |`,
    );
  }
}
const scale100 = scale?.rows.find((r) => r.clusters === 100);
if (scale100) {
  out.push(
    `| (h) 100 reference clusters, \`xcluster plan --no-cache\` | ${s(scale100.uncached.medianMs)} | < 10 s | ${mark(scale100.uncached.medianMs < 10_000)} |`,
    `| (h) 100 reference clusters, one changed, with the plan cache | ${s(scale100.oneChange.medianMs)} | < 2 s | ${mark(scale100.oneChange.medianMs < 2000)} |`,
  );
}
if (policy) {
  out.push(
    `| (e) policy checks | ${n(policy.checksPerSecond)}/s | ≥ 50,000/s | ${mark(policy.checksPerSecond >= 50_000)} |`,
  );
}
if (help) {
  out.push(
    `| (f) \`xcluster --help\` (\`node bin/xcluster.js\`) | ${s(help.distMedianMs)} | < 1 s | ${mark(help.distMedianMs < 1000)} |`,
    `| (f) \`npx xcluster --help\` | ${s(help.npxMedianMs)} | < 1 s | ${mark(help.npxMedianMs < 1000)} |`,
  );
}
if (realPreview) {
  for (const r of realPreview.rows) {
    out.push(
      `| (g) real-engine preview, ${r.fleet}: \`--parallel 2\` vs \`1\` | ${r.speedup.toFixed(2)}× faster | ≥ 1.7× | ${mark(r.speedup >= 1.7)} |`,
      `| (g) real-engine preview, ${r.fleet}: per cluster vs the offline plan | ${r.ratioToPlan.toFixed(2)}× | ≤ 3× | ${mark(r.ratioToPlan <= 3)} |`,
    );
  }
}
out.push("");

if (example) {
  out.push(
    "## (a) Example fleet (`stacks/`: 3 clusters)",
    "",
    `${conditions(example, example.otherCores)} ${example.runs} runs of each, interleaved.`,
    "",
    "| command | median | CPU (median) |",
    "| --- | ---: | ---: |",
    `| \`npx xcluster plan\` (workers, one per core) | ${s(example.npx.medianMs)} | ${s(example.npx.medianCpuMs)} |`,
    `| \`node bin/xcluster.js plan\` (the same without npm) | ${s(example.bin.medianMs)} | ${s(example.bin.medianCpuMs)} |`,
    `| \`node bin/xcluster.js plan --workers 1\` | ${s(example.oneWorker.medianMs)} | ${s(example.oneWorker.medianCpuMs)} |`,
    `| \`node bin/xcluster.js plan --serial\` (in-process) | ${s(example.serial.medianMs)} | ${s(example.serial.medianCpuMs)} |`,
    "",
  );
}
if (fleet) {
  out.push(
    "## (b) Synthetic fleets, 15 nodes per cluster",
    "",
    "3 servers, 8 agents, 2 GPU agents and 2 keepalived ingress nodes per cluster (105 resources each);",
    `\`node bin/xcluster.js plan <dir>\` with the default workers (one per core). ${conditions(fleet)}`,
    "",
    "| clusters | runs | median | per cluster | CPU (median) | other work (cores) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ...fleet.rows.map(
      (r) =>
        `| ${r.clusters} | ${r.runs} | ${s(r.medianMs)} | ${s(r.msPerCluster)} | ${s(r.medianCpuMs)} | ${r.otherCores} |`,
    ),
    "",
  );
}
if (cluster) {
  out.push(
    "## (c) One cluster of 10, 100, 500 nodes",
    "",
    "*plan* is `node bin/xcluster.js plan <dir>` end to end (process start, a worker, policies, output).",
    "*program* times the cluster program alone (no policies) in one process: one warm-up run, then the",
    `median of ${cluster.innerRuns} runs, as a plan worker plans cluster after cluster; the median of that over`,
    "the processes; *program peak RSS* is that process's peak resident memory (its high-water mark, the",
    "warm-up run included). The variants of (c) and (d) run interleaved, process by process.",
    conditions(cluster),
    "",
    "| nodes | resources | processes | plan | program | program peak RSS | other work (cores) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...cluster.rows.map(
      (r) =>
        `| ${r.nodes} | ${r.resources} | ${r.processes} | ${s(r.planWallMedianMs)} | ${s(r.xclusterMs)} | ${r.xclusterRssMB} MB | ${r.otherCores} |`,
    ),
    "",
    "## (d) Time per resource against the floor",
    "",
    "*floor* is a bare program registering as many resources (Port + Instance pairs) under the same mocks",
    "with the SDK's default settings, timed the same way; *floor, tuned* is the same with the plan workers'",
    "tuning (`plan/fast-runtime.ts` and the worker flags `--max-semi-space-size`, `--single-threaded-gc`); *xcluster, SDK defaults* is the cluster",
    "program without that tuning. The ratio is *xcluster* (as plans run it) over *floor*; the CPU ratio is",
    "the same from process CPU time (all threads), which other work on the machine skews less.",
    "",
    "| nodes | xcluster ms/res | xcluster, SDK defaults | floor | floor, tuned | **ratio to floor** | CPU ms/res xcluster / floor | CPU ratio | peak RSS xcluster / floor |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...cluster.rows.map(
      (r) =>
        `| ${r.nodes} | ${mr(r.xclusterMsPerResource)} | ${mr(r.xclusterSdkDefaultsMsPerResource)} | ${mr(r.floorMsPerResource)} | ${mr(r.floorTunedMsPerResource)} | **${r.ratioToFloor.toFixed(2)}×** | ${mr(r.xclusterCpuMsPerResource)} / ${mr(r.floorCpuMsPerResource)} | ${r.cpuRatioToFloor.toFixed(2)}× | ${r.xclusterRssMB} / ${r.floorRssMB} MB |`,
    ),
    "",
    "Against the tuned floor (issue 19: at most 1.0× per resource, memory at most the floor's), from the same runs:",
    "",
    "| nodes | xcluster ms/res | floor, tuned | **ratio** | ratio by process (min–max) | CPU ms/res xcluster / tuned floor | CPU ratio | peak RSS xcluster / tuned floor |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...cluster.rows.map((r) => {
      const cpu = r.floorTunedCpuMsPerResource;
      return `| ${r.nodes} | ${mr(r.xclusterMsPerResource)} | ${mr(r.floorTunedMsPerResource)} | **${tunedRatio(r).toFixed(2)}×** | ${byProcess(r) ?? "not recorded"} | ${cpu === undefined ? "not recorded" : `${mr(r.xclusterCpuMsPerResource)} / ${mr(cpu)}`} | ${cpu === undefined ? "" : `${(r.xclusterCpuMsPerResource / cpu).toFixed(2)}×`} | ${r.floorTunedRssMB === undefined ? "not recorded" : `${r.xclusterRssMB} / ${r.floorTunedRssMB} MB`} |`;
    }),
    "",
  );
  const replayed = cluster.rows.filter((r) => r.replayMsPerResource !== undefined);
  if (replayed.length > 0) {
    out.push(
      "Where xcluster's time per resource goes, from the same runs: _own resources, replayed_ registers the",
      "resources the cluster program registered again, each through its SDK class with the inputs the mocks",
      "recorded (plain values where the program passed Outputs), and xcluster's own components bare, under the",
      "same mocks and tuning, with no program around them (`replayScript` in bench/scripts.ts; providers,",
      "parents and resource options are left out). _Everything else_ is xcluster's time minus the replay's,",
      "per resource xcluster registers: the Outputs passed between resources and the dependencies they carry,",
      "applies, rendering user data, the providers, and the plan's machinery around the program.",
      "",
      "| nodes | xcluster ms/res | own resources, replayed (resources) | floor, tuned | replayed / tuned floor | everything else, ms/res (share of xcluster's) |",
      "| ---: | ---: | ---: | ---: | ---: | ---: |",
      ...replayed.map((r) => {
        const replay = r.replayMsPerResource ?? 0;
        const added = r.programAddsMsPerResource ?? r.xclusterMsPerResource - replay;
        return `| ${r.nodes} | ${mr(r.xclusterMsPerResource)} | ${mr(replay)} (${n(r.replayResources ?? 0)}) | ${mr(r.floorTunedMsPerResource)} | ${(replay / r.floorTunedMsPerResource).toFixed(2)}× | ${mr(added)} (${Math.round((100 * added) / r.xclusterMsPerResource)} %) |`;
      }),
      "",
    );
  }
}
if (policy) {
  out.push(
    "## (e) Policy evaluation throughput",
    "",
    `The ${n(policy.resources)} resources of a ${policy.nodes}-node cluster evaluated by \`policy/evaluate.ts\` with the`,
    `cluster's config; a check is one rule run on one resource of a type it declares, or one stack rule run`,
    `(${n(policy.checksPerEvaluation)} per evaluation, ${policy.violations} findings). ${policy.runs} processes, 20 timed evaluations each.`,
    conditions(policy, policy.otherCores),
    "",
    "| per evaluation | checks/s | resources/s |",
    "| ---: | ---: | ---: |",
    `| ${policy.msPerEvaluation} ms | ${n(policy.checksPerSecond)} | ${n(policy.resourcesPerSecond)} |`,
    "",
  );
}
if (help) {
  out.push(
    "## (f) `xcluster --help` start time",
    "",
    `${conditions(help, help.otherCores)} ${help.runs} runs of each, interleaved.`,
    "",
    "| command | median |",
    "| --- | ---: |",
    `| \`node bin/xcluster.js --help\` (on \`dist/\`) | ${s(help.distMedianMs)} |`,
    `| \`npx xcluster --help\` | ${s(help.npxMedianMs)} |`,
    `| \`XCLUSTER_FROM_SOURCE=1 node bin/xcluster.js --help\` (ts-node, the fallback without a build) | ${s(help.sourceMedianMs)} |`,
    `| \`node -e 0\` (Node's own start) | ${s(help.nodeBaselineMedianMs)} |`,
    `| \`npx -c "node -e 0"\` (npm's own start, then Node's) | ${s(help.npmExecBaselineMedianMs)} |`,
    "",
  );
}
if (realPreview) {
  const kinds = (run: PreviewRun, what: "peakByKindMB" | "cpuByKindS") =>
    Object.entries(run.memory[what])
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${what === "cpuByKindS" ? `${v} s` : `${v} MB`}`)
      .join(", ");
  out.push(
    "## (g) `xcluster preview` on the real engine with the real OpenStack plugin",
    "",
    `\`node bin/xcluster.js preview --parallel N\` in a fresh project per run (file backend, passphrase, the`,
    "policy pack and the offline policy gate, so every run also creates its stacks), with the real OpenStack",
    `plugin ${realPreview.openstackPlugin} and stand-ins for ${realPreview.standIns.join(", ")} (node + ts-node per plugin`,
    "process: a cost a real installation does not have in that form). _plan_ is `node bin/xcluster.js plan`",
    `of the same fleet in the same pass; _per cluster_ divides the \`--parallel 2\` preview and the plan by the`,
    `number of clusters. Synthetic clusters as in (b). Machine: ${realPreview.machine.cpu}, ${realPreview.machine.cores} cores. ${conditions(realPreview)}`,
    "",
    "| fleet | clusters | plan | preview `--parallel 1` | preview `--parallel 2` | speed-up | preview / plan per cluster | CPU per cluster, preview / plan | load avg at start | other work (cores) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...realPreview.rows.map(
      (r) =>
        `| ${r.fleet} | ${r.clusters} | ${s(r.planMs)} | ${s(r.serial.ms)} | ${s(r.parallel.ms)} | ${r.speedup.toFixed(2)}× | ${s(r.previewMsPerCluster)} / ${s(r.planMsPerCluster)} = ${r.ratioToPlan.toFixed(2)}× | ${s(r.serial.sampledCpuMs / r.clusters)} / ${s(r.planCpuMs / r.clusters)} | ${r.loadAverageStart} | ${r.otherCores ?? "not measured"} |`,
    ),
    "",
    "Memory: peak resident memory of the whole process tree, and per kind of process, sampled every 250 ms;",
    "with `--parallel 1` that is one stack's footprint plus the driver's (the inline cluster program runs in",
    "the driver). CPU: each process's CPU time when last sampled, summed by kind (short-lived processes are",
    "undercounted; _other_ is processes the sampler could not name). The plan's CPU counts its worker processes.",
    "",
    "| fleet | run | peak RSS, tree | peak RSS by kind | CPU, all processes | CPU by kind |",
    "| --- | --- | ---: | --- | ---: | --- |",
    ...realPreview.rows.flatMap((r) =>
      (["serial", "parallel"] as const).map(
        (k) =>
          `| ${r.fleet} | \`--parallel ${k === "serial" ? 1 : 2}\` | ${r[k].memory.peakTreeMB} MB | ${kinds(r[k], "peakByKindMB")} | ${s(r[k].sampledCpuMs)} | ${kinds(r[k], "cpuByKindS")} |`,
      ),
    ),
    "",
  );
  const previewNotes = path.join(__dirname, "notes-real-preview.md");
  if (fs.existsSync(previewNotes)) out.push(fs.readFileSync(previewNotes, "utf8").trim(), "");
}
if (scale) {
  const cell = (m: ScaleMode) => `${s(m.medianMs)} | ${s(m.medianCpuMs)} | ${m.peakTreeMB} MB`;
  out.push(
    "## (h) Fleet at scale, with and without the plan cache",
    "",
    "Copies of the reference XCluster of the design brief (3 servers, 6 agents, 2 GPU agents; distinct names",
    "and subnets, no router IDs set by hand) in the prod environment of the example fleet (its quotas",
    "removed), `node bin/xcluster.js plan <dir>` with the default workers (one per core). Four ways,",
    "interleaved run by run: _uncached_ (`--no-cache`), _cold cache_ (cache emptied, every cluster planned",
    "and written), _warm cache_ (every cluster read from `.xcluster/plan-cache/`), _one change_ (one spec",
    "edited: that cluster planned, the rest read from the cache). CPU: every process (user + system,",
    "the workers included); memory: peak resident memory of the whole process tree, sampled every 100 ms.",
    `${conditions(scale)}`,
    "",
    "| clusters | runs | uncached | CPU | peak RSS | cold cache | CPU | peak RSS | warm cache | CPU | peak RSS | one change | CPU | peak RSS | load avg start / end | other work (cores, uncached) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...scale.rows.map(
      (r) =>
        `| ${r.clusters} | ${r.runs} | ${cell(r.uncached)} | ${cell(r.coldCache)} | ${cell(r.warmCache)} | ${cell(r.oneChange)} | ${r.loadAverageStart} / ${r.loadAverageEnd} | ${r.uncached.otherCores} |`,
    ),
    "",
  );
}
if (specSize) {
  const perMB = (ms: number) => s((ms * 1_000_000) / specSize.bytes);
  out.push(
    "## (i) Loading and validating a 1 MB spec",
    "",
    `A valid cluster spec of ${n(specSize.bytes)} bytes (24,000 add-on values), loaded and validated twice per`,
    "fresh `node` process with the compiled loader; CPU time of each load. Target (issue 17): well under a",
    `second per MB. ${conditions(specSize, specSize.otherCores)} ${specSize.runs} runs.`,
    "",
    "| what | median | per MB |",
    "| --- | ---: | ---: |",
    `| first load in a process (CPU, includes compiling the parser) | ${s(specSize.firstLoadCpuMedianMs)} | ${perMB(specSize.firstLoadCpuMedianMs)} |`,
    `| second load (CPU) | ${s(specSize.secondLoadCpuMedianMs)} | ${perMB(specSize.secondLoadCpuMedianMs)} |`,
    `| the whole process, both loads (wall) | ${s(specSize.processWallMedianMs)} | |`,
    "",
  );
}
const notes = path.join(__dirname, "notes.md");
if (fs.existsSync(notes)) out.push(fs.readFileSync(notes, "utf8").trim(), "");

async function main(): Promise<void> {
  const target = path.join(ROOT, "BENCHMARKS.md");
  const options = (await prettier.resolveConfig(target)) ?? {};
  fs.writeFileSync(target, await prettier.format(out.join("\n"), { ...options, filepath: target }));
  console.log(`wrote ${target}`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
