/**
 * Fleet at scale (issue 19): `xcluster plan` over 1, 10, 100 and 300 copies of the reference XCluster of
 * the design brief (distinct names and subnets, no router IDs set by hand), end to end from
 * `node bin/xcluster.js plan <dir>` with the default workers (one per core), in four ways, interleaved run by run:
 * - _uncached_: `--no-cache`, every cluster planned;
 * - _cold cache_: the cache emptied first, every cluster planned and written to `.xcluster/plan-cache/`;
 * - _warm cache_: nothing changed since, every cluster read from the cache;
 * - _one change_: one spec edited (one more worker), that cluster planned, the rest read from the cache.
 * For each: wall time, CPU time of every process (user + system, the workers included), and the peak
 * resident memory of the whole process tree, sampled every 100 ms.
 * The environment is the example fleet's prod environment without its quotas (a 300-cluster fleet
 * exceeds them, and `plan` would then refuse it; the capacity report itself is still computed).
 * Targets: 100 clusters < 10 s; one change in 100 clusters < 2 s.
 * Run: npm run build && npx ts-node -T bench/fleet-scale.ts [runs=3] [sizes…=1 10 100 300:2]
 * (a size may name its own number of runs: `300:2`).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  ROOT,
  benchEnvironment,
  loadAverage,
  machine,
  median,
  requireBuild,
  round,
  saveResult,
  sizesArg,
} from "./common";

const MODES = ["uncached", "coldCache", "warmCache", "oneChange"] as const;
type Mode = (typeof MODES)[number];

interface Measured {
  readonly ms: number;
  readonly cpuMs: number;
  readonly peakTreeMB: number;
  /** Cores other work on the machine kept busy meanwhile (machine CPU minus this run's). */
  readonly otherCores: number;
}

const TICK_MS = 10;
const PAGE = 4096;

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** CPU ticks: [this process's waited-for children, the whole machine busy]. */
function ticks(): [number, number] {
  const self = read("/proc/self/stat") ?? "";
  const f = self
    .slice(self.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  const cpu = (read("/proc/stat") ?? "").split("\n")[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  const busy = cpu.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
  return [(f[13] ?? 0) + (f[14] ?? 0), busy];
}

/** Resident MB of `root` and all its descendants now. */
function treeRssMB(root: number): number {
  const parents = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (stat !== undefined)
      parents.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents)
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
  }
  let pages = 0;
  for (const pid of tree) pages += Number((read(`/proc/${pid}/statm`) ?? "0 0").split(" ")[1]);
  return (pages * PAGE) / 2 ** 20;
}

/** `node bin/xcluster.js plan <args>` in `cwd`; rejects unless it planned (exit 0 or 3) and printed `expect`. */
function plan(cwd: string, args: readonly string[], expect: RegExp): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const [cpu0, busy0] = ticks();
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "xcluster.js"), "plan", ...args], { cwd });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRssMB(child.pid ?? -1))), 100);
    child.on("error", reject);
    child.on("close", (status) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const [cpu1, busy1] = ticks();
      if ((status !== 0 && status !== 3) || !expect.test(out))
        return reject(
          new Error(`xcluster plan ${args.join(" ")} (exit ${status}), expected ${expect}:\n${out}`),
        );
      const cpuMs = (cpu1 - cpu0) * TICK_MS;
      resolve({
        ms,
        cpuMs,
        peakTreeMB: Math.round(peak),
        otherCores: round(Math.max(0, (busy1 - busy0) * TICK_MS - cpuMs) / ms, 2),
      });
    });
  });
}

/** The reference XCluster (DESIGN.md), as the `i`-th cluster of a fleet: its own name and /24. */
function referenceCluster(i: number, workers = 6): string {
  return [
    "apiVersion: crossplane.ecmwf.int/v1alpha1",
    "kind: XCluster",
    "metadata:",
    `  name: fleet-${String(i).padStart(3, "0")}`,
    "spec:",
    "  parameters:",
    "    numberOfMasters: 3",
    `    numberOfWorkers: ${workers}`,
    "    numberOfGpuWorkers: 2",
    "    rke2Version: v1.33.3+rke2r1",
    `    subnetCidr: 10.${64 + Math.floor(i / 256)}.${i % 256}.0/24`,
    "    floatingIpPool: external-internet",
    "  addons:",
    "    - cert-manager",
    "    - external-dns",
    "    - vault-secrets-operator",
    "    - gpu-operator",
    "",
  ].join("\n");
}

/** A project directory with `stacks/prod/`: the prod environment (quotas removed) and `count` clusters. */
function writeProject(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-scale-"));
  const env = path.join(dir, "stacks", "prod");
  fs.mkdirSync(env, { recursive: true });
  fs.writeFileSync(path.join(env, "environment.yaml"), benchEnvironment());
  for (let i = 0; i < count; i++)
    fs.writeFileSync(path.join(env, `fleet-${String(i).padStart(3, "0")}.yaml`), referenceCluster(i));
  return dir;
}

async function main(): Promise<void> {
  requireBuild();
  const started = machine();
  const runs = Number(process.argv[2] ?? 3);
  const sizes = sizesArg(process.argv.slice(3), ["1", "10", "100", "300:2"], runs);
  const rows = [];
  for (const { size: clusters, runs: n } of sizes) {
    const dir = writeProject(clusters);
    const cache = path.join(dir, ".xcluster", "plan-cache");
    const edited = path.join(dir, "stacks", "prod", "fleet-000.yaml");
    const loadAverageStart = loadAverage();
    const samples: Record<Mode, Measured[]> = { uncached: [], coldCache: [], warmCache: [], oneChange: [] };
    const all = new RegExp(`^${clusters} cluster\\(s\\) planned`, "m");
    try {
      for (let r = 0; r < n; r++) {
        samples.uncached.push(await plan(dir, ["--no-cache"], all));
        fs.rmSync(cache, { recursive: true, force: true });
        samples.coldCache.push(await plan(dir, [], new RegExp(`^${clusters} planned, 0 from cache`, "m")));
        samples.warmCache.push(await plan(dir, [], new RegExp(`^0 planned, ${clusters} from cache`, "m")));
        // A different edit each run, so that each one-change run misses the cache for exactly one cluster.
        fs.writeFileSync(edited, referenceCluster(0, 7 + r));
        samples.oneChange.push(
          await plan(dir, [], new RegExp(`^1 planned, ${clusters - 1} from cache`, "m")),
        );
        fs.writeFileSync(edited, referenceCluster(0));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const summary = Object.fromEntries(
      MODES.map((m) => [
        m,
        {
          runsMs: samples[m].map((s) => round(s.ms)),
          medianMs: round(median(samples[m].map((s) => s.ms))),
          medianCpuMs: round(median(samples[m].map((s) => s.cpuMs))),
          peakTreeMB: Math.max(...samples[m].map((s) => s.peakTreeMB)),
          otherCores: round(median(samples[m].map((s) => s.otherCores)), 2),
        },
      ]),
    );
    rows.push({ clusters, runs: n, loadAverageStart, loadAverageEnd: loadAverage(), ...summary });
    console.log(
      `${clusters} cluster(s): ${MODES.map((m) => `${m} ${round((summary[m] as { medianMs: number }).medianMs / 1000, 2)} s`).join(", ")}`,
    );
  }
  const result = { machine: started, loadAverageEnd: loadAverage(), rows };
  await saveResult("fleet-scale", result);
  console.log(JSON.stringify(result, null, 2));
}

void main();
