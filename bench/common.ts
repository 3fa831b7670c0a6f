/**
 * Shared benchmark helpers: timing child processes, medians, synthetic fleets written as real spec files,
 * and results saved as JSON under bench/results/ (BENCHMARKS.md is rendered from them by bench/report.ts).
 *
 * Every measurement runs in a fresh `node` process on the compiled code in dist/ (build first:
 * `npm run build`), so that what is timed is what users run, without ts-node's source-map hooks.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as prettier from "prettier";

export const ROOT = path.join(__dirname, "..");
export const DIST = path.join(ROOT, "dist");
export const RESULTS = path.join(__dirname, "results");

export function requireBuild(): void {
  for (const f of ["cli/main.js", "plan/render-cluster.js", "plan/worker.js", "policy/evaluate.js"]) {
    if (!fs.existsSync(path.join(DIST, f))) {
      throw new Error(`dist/${f} is missing: run \`npm run build\` before the benchmarks`);
    }
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the benchmark started (other work on the machine skews timings). */
  readonly loadAverage: number;
  /** When the benchmark started (ISO 8601, UTC). */
  readonly startedAt: string;
}

export function machine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: loadAverage(),
    startedAt: new Date().toISOString(),
  };
}

/** The CPU as /proc/cpuinfo names it (model name, family/model, MHz), else as Node reports it. */
function cpuModel(): string {
  const fallback = os.cpus()[0]?.model.trim() ?? "unknown";
  let info: string;
  try {
    info = fs.readFileSync("/proc/cpuinfo", "utf8").split("\n\n")[0] ?? "";
  } catch {
    return fallback;
  }
  const field = (k: string) => new RegExp(`^${k}\\s*:\\s*(.*)$`, "m").exec(info)?.[1]?.trim();
  const name = field("model name") ?? fallback;
  const family = field("cpu family");
  const model = field("model");
  const mhz = field("cpu MHz");
  const details = [
    family !== undefined && model !== undefined ? `family ${family} model ${model}` : undefined,
    mhz !== undefined ? `${Math.round(Number(mhz))} MHz` : undefined,
  ].filter((x) => x !== undefined);
  return details.length > 0 ? `${name} (${details.join(", ")})` : name;
}

/** The 1-minute load average now, to one decimal. */
export function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
}

export interface Timed {
  readonly ms: number;
  /** CPU time (user + system) of the command and the processes it waited for (Linux only, else NaN). */
  readonly cpuMs: number;
  /** CPU time the rest of the machine used meanwhile: other work skewing the timing (Linux only, else NaN). */
  readonly otherCpuMs: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Clock ticks per second of /proc (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICK_MS = 10;

/** CPU ticks: [this process's waited-for children, the whole machine busy], or undefined off Linux. */
function cpuTicks(): [number, number] | undefined {
  try {
    // /proc/self/stat: fields after the command name; cutime and cstime are the 14th and 15th of them.
    const self = fs.readFileSync("/proc/self/stat", "utf8");
    const f = self
      .slice(self.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const children = (f[13] ?? 0) + (f[14] ?? 0);
    // /proc/stat "cpu" line: user nice system idle iowait irq softirq steal …; busy is all but idle/iowait.
    const cpu = (fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = cpu.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
    return [children, busy];
  } catch {
    return undefined;
  }
}

let timedMs = 0;
let otherMs = 0;

/**
 * Other work on the machine while the commands timed since the last call ran: the average number of
 * cores it kept busy (0 on an idle machine; NaN off Linux). Resets the tally.
 */
export function contention(): number {
  const cores = timedMs > 0 ? otherMs / timedMs : 0;
  timedMs = 0;
  otherMs = 0;
  return Math.round(cores * 100) / 100;
}

/** Runs a command and times it (wall clock, including process start). */
export function timeCommand(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
  const before = cpuTicks();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, [...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = cpuTicks();
  if (r.error) throw r.error;
  const cpuMs = before && after ? (after[0] - before[0]) * TICK_MS : NaN;
  const otherCpuMs = before && after ? Math.max(0, (after[1] - before[1]) * TICK_MS - cpuMs) : NaN;
  timedMs += ms;
  otherMs += otherCpuMs;
  return { ms, cpuMs, otherCpuMs, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `node <args>` (this node) and times it. */
export function timeNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
  return timeCommand(process.execPath, args, env);
}

/** Runs `npx <args>` from the repository root, as users do, and times it. */
export function timeNpx(args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
  return timeCommand(process.platform === "win32" ? "npx.cmd" : "npx", args, env);
}

/** Runs a script (CommonJS source) in a fresh node process and parses the JSON it prints last. */
export function runScript<T>(
  source: string,
  nodeFlags: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): T {
  const r = timeNode([...nodeFlags, "-e", source], env);
  if (r.status !== 0) throw new Error(`benchmark script failed (${r.status}):\n${r.stderr}`);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as T;
}

/** Cluster shape for synthetic fleets. */
export interface SyntheticCluster {
  readonly name: string;
  readonly masters: number;
  readonly workers: number;
  readonly gpus: number;
  /** Ingress nodes (keepalived topology). */
  readonly ingress: number;
  readonly subnetCidr: string;
  readonly virtualRouterId: number;
}

/** `count` clusters of `nodes` nodes each (3 servers, 2 GPU agents, 2 ingress nodes, the rest agents). */
export function syntheticClusters(count: number, nodes: number): SyntheticCluster[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `synthetic-${String(i).padStart(3, "0")}`,
    masters: 3,
    gpus: 2,
    ingress: 2,
    workers: nodes - 7,
    // /20 per cluster: room for 500 nodes; distinct per cluster (the spec rejects overlaps in one environment).
    subnetCidr: `10.${64 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
    virtualRouterId: (i % 250) + 1,
  }));
}

/**
 * The prod environment of the example fleet without its project quotas: synthetic fleets exceed them, and
 * `plan` then refuses the fleet (exit 5). The capacity report itself is still computed.
 */
export function benchEnvironment(): string {
  const environment = fs.readFileSync(path.join(ROOT, "stacks", "prod", "environment.yaml"), "utf8");
  return environment.replace(/^ {4}quota:\n(?: {6}.*\n)*/m, "");
}

/** Writes the prod environment of the example fleet plus the given clusters as spec files; returns the dir. */
export function writeFleet(clusters: readonly SyntheticCluster[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-bench-"));
  const env = path.join(dir, "prod");
  fs.mkdirSync(env);
  fs.writeFileSync(path.join(env, "environment.yaml"), benchEnvironment());
  for (const c of clusters) {
    fs.writeFileSync(
      path.join(env, `${c.name}.yaml`),
      [
        "apiVersion: crossplane.ecmwf.int/v1alpha1",
        "kind: XCluster",
        "metadata:",
        `  name: ${c.name}`,
        "spec:",
        "  parameters:",
        `    numberOfMasters: ${c.masters}`,
        `    numberOfWorkers: ${c.workers}`,
        `    numberOfGpuWorkers: ${c.gpus}`,
        "    rke2Version: v1.33.3+rke2r1",
        `    subnetCidr: ${c.subnetCidr}`,
        "    floatingIpPool: external-internet",
        "    topology:",
        "      mode: keepalived",
        `      ingressNodes: ${c.ingress}`,
        `      virtualRouterId: ${c.virtualRouterId}`,
        "  addons: [cert-manager, external-dns, vault-secrets-operator, gpu-operator]",
        "",
      ].join("\n"),
    );
  }
  return dir;
}

/** Writes bench/results/<name>.json, formatted as Prettier would (the results are committed). */
export async function saveResult(name: string, data: unknown): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(JSON.stringify(data), { ...options, filepath: file }));
}

/**
 * Runs `xcluster plan` with the given arguments, `runs` times. `via: "bin"` starts `node bin/xcluster.js`
 * (the compiled CLI), `via: "npx"` runs `npx xcluster`, as users do.
 */
export function timePlan(
  args: readonly string[],
  runs: number,
  via: "bin" | "npx" = "bin",
  env: NodeJS.ProcessEnv = {},
): Timed[] {
  const out: Timed[] = [];
  // Every run plans: without --no-cache, runs after the first would read the plan cache (.xcluster/).
  const argv = args.includes("--no-cache") ? args : [...args, "--no-cache"];
  for (let i = 0; i < runs; i++) {
    const r =
      via === "npx"
        ? timeNpx(["xcluster", "plan", ...argv], env)
        : timeNode([path.join(ROOT, "bin", "xcluster.js"), "plan", ...argv], env);
    // 3: planned, with a mandatory violation (a finding, not a failure of the plan).
    if (r.status !== 0 && r.status !== 3)
      throw new Error(`xcluster plan failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    if (!/cluster\(s\) planned/.test(r.stdout))
      throw new Error(`xcluster plan printed no summary:\n${r.stdout}\n${r.stderr}`);
    out.push(r);
  }
  return out;
}

/** Wall and CPU times of runs: every wall time, and the medians. */
export function stats(runs: readonly Timed[]): { runsMs: number[]; medianMs: number; medianCpuMs: number } {
  return {
    runsMs: runs.map((r) => round(r.ms)),
    medianMs: round(median(runs.map((r) => r.ms))),
    medianCpuMs: round(median(runs.map((r) => r.cpuMs))),
  };
}

/**
 * Sizes from the command line, each `<size>` or `<size>:<runs>` (fewer runs for the slow ones), with
 * `runs` for those that name none.
 */
export function sizesArg(args: readonly string[], defaults: readonly string[], runs: number) {
  return (args.length > 0 ? args : defaults).map((a) => {
    const [size, n] = a.split(":");
    const out = { size: Number(size), runs: n === undefined ? runs : Number(n) };
    if (!Number.isInteger(out.size) || out.size < 1 || !Number.isInteger(out.runs) || out.runs < 1)
      throw new Error(`bad size '${a}': expected <size> or <size>:<runs>, positive whole numbers`);
    return out;
  });
}

export const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;
