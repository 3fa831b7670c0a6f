/**
 * (g) `xcluster preview` on the real engine with the real OpenStack provider plugin: the example fleet
 * (stacks/: 3 clusters) and a synthetic fleet of 15-node clusters (default 20), each with `--parallel 1`
 * and `--parallel 2`, wall and CPU time, memory per stack, and where the CPU goes by process kind. The
 * offline plan of the same fleet is timed in the same pass for the per-cluster comparison.
 *
 * As users run it: `node bin/xcluster.js preview` in a project directory (file backend, passphrase, the
 * policy pack and the offline policy gate), a fresh project per run (so every run creates its stacks).
 * The OpenStack plugin is real; kubernetes, aws, vault and rancher2 are the engine tests' stand-ins
 * (test/engine/stand-in/: node + ts-node per plugin process), whose cost a real installation does not have
 * in that form; the profile reports them apart.
 *
 * Needs `npm run build` and `npm run setup:pulumi` (CLI and OpenStack plugin).
 * Run: npx ts-node -T bench/real-preview.ts [clusters=20] [runs=1]
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  withRealOpenStack,
  OPENSTACK_PLUGIN,
  OPENSTACK_PLUGIN_VERSION,
} from "../test/engine/real-openstack-plugin";
import {
  ROOT,
  loadAverage,
  machine,
  median,
  requireBuild,
  round,
  saveResult,
  syntheticClusters,
  writeFleet,
} from "./common";

const PULUMI_ROOT = path.join(ROOT, ".pulumi-tools", "3.248.0");
const PASSPHRASE = "bench-passphrase";

/** Process kinds the profile tells apart, by command line. */
const KINDS: [string, RegExp][] = [
  ["openstack plugin (real)", /pulumi-resource-openstack/],
  ["stand-in plugins", /stand-in\/provider\.ts/],
  ["policy pack", /run-policy-pack/],
  ["cluster program", /@pulumi\/pulumi\/cmd\/run\b/],
  ["dynamic provider (ClusterPki)", /pulumi-resource-pulumi-nodejs|cmd\/dynamic-provider/],
  ["language host", /pulumi-language-nodejs/],
  ["pulumi CLI (engine)", /(^|\/)pulumi\0/],
  ["offline gate (plan workers)", /plan\/worker|worker\.js/],
];

interface Sample {
  /** Peak summed RSS of the whole process tree (MB). */
  peakTreeMB: number;
  /** Peak summed RSS per kind (MB). */
  peakByKindMB: Record<string, number>;
  /** CPU seconds per kind (last seen utime+stime of each process; short-lived ones are undercounted). */
  cpuByKindS: Record<string, number>;
}

interface Run {
  readonly ms: number;
  /** CPU of the waited-for descendants only (processes re-parented away from the driver are missing). */
  readonly cpuMs: number;
  /** CPU of every process of the tree, from the samples (the better total). */
  readonly sampledCpuMs: number;
  /** Cores the rest of the machine kept busy meanwhile (machine CPU from /proc/stat minus the tree's). */
  readonly otherCores: number;
  readonly status: number | null;
  readonly memory: Sample;
  readonly stdout: string;
  readonly stderr: string;
}

const PAGE = 4096;
const TICK_S = 0.01;

function kindOf(pid: number, root: number, cmdline: string): string {
  if (pid === root) return "xcluster driver";
  for (const [kind, re] of KINDS) if (re.test(cmdline)) return kind;
  return "other";
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** pid → [ppid, utime+stime ticks] for every process. */
function processTable(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (stat === undefined) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.set(Number(d), [Number(f[1]), Number(f[11]) + Number(f[12])]);
  }
  return out;
}

/** Runs `node bin/xcluster.js <args>` in `cwd`, sampling its process tree every 250 ms. */
function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const before = childTicks();
    const busyBefore = machineBusyTicks();
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "xcluster.js"), ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const memory: Sample = { peakTreeMB: 0, peakByKindMB: {}, cpuByKindS: {} };
    const cpuByPid = new Map<number, [string, number]>();
    const sample = () => {
      const table = processTable();
      const tree = new Set<number>([child.pid ?? -1]);
      let grew = true;
      while (grew) {
        grew = false;
        for (const [pid, [ppid]] of table) {
          if (!tree.has(pid) && tree.has(ppid)) {
            tree.add(pid);
            grew = true;
          }
        }
      }
      let total = 0;
      const byKind: Record<string, number> = {};
      for (const pid of tree) {
        const statm = read(`/proc/${pid}/statm`);
        const cmdline = read(`/proc/${pid}/cmdline`);
        if (statm === undefined || cmdline === undefined) continue;
        const mb = (Number(statm.split(" ")[1]) * PAGE) / 2 ** 20;
        const kind = kindOf(pid, child.pid ?? -1, cmdline);
        total += mb;
        byKind[kind] = (byKind[kind] ?? 0) + mb;
        cpuByPid.set(pid, [kind, table.get(pid)?.[1] ?? 0]);
      }
      memory.peakTreeMB = Math.max(memory.peakTreeMB, Math.round(total));
      for (const [k, mb] of Object.entries(byKind)) {
        memory.peakByKindMB[k] = Math.max(memory.peakByKindMB[k] ?? 0, Math.round(mb));
      }
    };
    const timer = setInterval(sample, 250);
    child.on("error", reject);
    child.on("close", (status) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const after = childTicks();
      let sampledTicks = 0;
      for (const [kind, ticks] of cpuByPid.values()) {
        memory.cpuByKindS[kind] = round((memory.cpuByKindS[kind] ?? 0) + ticks * TICK_S, 1);
        sampledTicks += ticks;
      }
      const sampledCpuMs = sampledTicks * 10;
      const otherCores = round(Math.max(0, (machineBusyTicks() - busyBefore) * 10 - sampledCpuMs) / ms, 2);
      resolve({ ms, cpuMs: (after - before) * 10, sampledCpuMs, otherCores, status, memory, stdout, stderr });
    });
  });
}

/** CPU ticks of this process's waited-for children (user + system). */
function childTicks(): number {
  const self = fs.readFileSync("/proc/self/stat", "utf8");
  const f = self
    .slice(self.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return (f[13] ?? 0) + (f[14] ?? 0);
}

/** Busy ticks of the whole machine (/proc/stat `cpu` line: all but idle and iowait). */
function machineBusyTicks(): number {
  const cpu = (fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/).slice(1).map(Number);
  return cpu.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
}

/** A fresh project: the fleet's stacks/, the repository's node_modules and policy pack. */
function project(stacksFrom: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-bench-preview-"));
  fs.cpSync(stacksFrom, path.join(dir, "stacks"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.symlinkSync(path.join(ROOT, "policy"), path.join(dir, "policy"), "dir");
  fs.mkdirSync(path.join(dir, ".pulumi-home"));
  return dir;
}

interface Measured {
  readonly fleet: string;
  readonly clusters: number;
  readonly planMs: number;
  readonly planCpuMs: number;
  readonly serial: Omit<Run, "stdout" | "stderr">;
  readonly parallel: Omit<Run, "stdout" | "stderr">;
  readonly speedup: number;
  readonly previewMsPerCluster: number;
  readonly planMsPerCluster: number;
  readonly ratioToPlan: number;
  readonly loadAverageStart: number;
  /** Cores other work kept busy during the two previews, on average. */
  readonly otherCores: number;
}

async function measure(
  name: string,
  stacksFrom: string,
  clusters: number,
  pluginDir: string,
): Promise<Measured> {
  const loadAverageStart = loadAverage();
  const preview = async (parallel: number): Promise<Run> => {
    const dir = project(stacksFrom);
    try {
      const r = await run(["preview", "--parallel", String(parallel)], dir, {
        PATH: `${pluginDir}${path.delimiter}${process.env["PATH"] ?? ""}`,
        PULUMI_HOME: path.join(dir, ".pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_UPDATE_CHECK: "1",
        XCLUSTER_PULUMI_ROOT: PULUMI_ROOT,
      });
      // 3: previewed, with a mandatory policy violation (a finding, not a failure of the preview).
      if (r.status !== 0 && r.status !== 3) {
        throw new Error(
          `xcluster preview --parallel ${parallel} failed (${r.status}):\n${r.stdout}\n${r.stderr}`,
        );
      }
      return r;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const planDir = project(stacksFrom);
  let plan: Run;
  try {
    plan = await run(["plan"], planDir, {});
  } finally {
    fs.rmSync(planDir, { recursive: true, force: true });
  }
  if (plan.status !== 0 && plan.status !== 3) throw new Error(`xcluster plan failed:\n${plan.stderr}`);
  const serial = await preview(1);
  const parallel = await preview(2);
  const strip = ({ stdout: _o, stderr: _e, ...rest }: Run) => rest;
  const previewMsPerCluster = parallel.ms / clusters;
  const planMsPerCluster = plan.ms / clusters;
  return {
    fleet: name,
    clusters,
    planMs: round(plan.ms),
    planCpuMs: round(plan.cpuMs),
    serial: { ...strip(serial), ms: round(serial.ms) },
    parallel: { ...strip(parallel), ms: round(parallel.ms) },
    speedup: round(serial.ms / parallel.ms, 2),
    previewMsPerCluster: round(previewMsPerCluster),
    planMsPerCluster: round(planMsPerCluster),
    ratioToPlan: round(previewMsPerCluster / planMsPerCluster, 2),
    loadAverageStart,
    otherCores: round(
      (serial.otherCores * serial.ms + parallel.otherCores * parallel.ms) / (serial.ms + parallel.ms),
      2,
    ),
  };
}

async function main(): Promise<void> {
  requireBuild();
  if (!fs.existsSync(path.join(PULUMI_ROOT, "bin", "pulumi")) || !fs.existsSync(OPENSTACK_PLUGIN)) {
    throw new Error("needs the pulumi CLI and the OpenStack plugin: run `npm run setup:pulumi` first");
  }
  const size = Number(process.argv[2] ?? 20);
  const runs = Number(process.argv[3] ?? 1);
  const started = machine();
  const plugins = withRealOpenStack(OPENSTACK_PLUGIN);
  const synthetic = writeFleet(syntheticClusters(size, 15));
  const rows: Measured[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      rows.push(await measure("example", path.join(ROOT, "stacks"), 3, plugins.dir));
      rows.push(await measure(`${size} × 15 nodes`, synthetic, size, plugins.dir));
    }
  } finally {
    fs.rmSync(plugins.dir, { recursive: true, force: true });
    fs.rmSync(synthetic, { recursive: true, force: true });
  }
  const result = {
    machine: started,
    loadAverageEnd: loadAverage(),
    openstackPlugin: OPENSTACK_PLUGIN_VERSION,
    standIns: plugins.standIns,
    runs,
    rows,
    medianSpeedup: round(median(rows.map((r) => r.speedup)), 2),
  };
  await saveResult("real-preview", result);
  console.log(JSON.stringify(result, null, 2));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
