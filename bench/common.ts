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
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
  };
}

export interface Timed {
  readonly ms: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <args>` and times it (wall clock, including process start). */
export function timeNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
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

/** Writes the prod environment of the example fleet plus the given clusters as spec files; returns the dir. */
export function writeFleet(clusters: readonly SyntheticCluster[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-bench-"));
  const env = path.join(dir, "prod");
  fs.mkdirSync(env);
  fs.copyFileSync(path.join(ROOT, "stacks", "prod", "environment.yaml"), path.join(env, "environment.yaml"));
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

export function saveResult(name: string, data: unknown): void {
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}

/** Runs `xcluster plan` from dist with the given arguments, `runs` times; returns every wall time. */
export function timePlan(args: readonly string[], runs: number, env: NodeJS.ProcessEnv = {}): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = timeNode([path.join(ROOT, "bin", "xcluster.js"), "plan", ...args], env);
    if (r.status !== 0 && r.status !== 3)
      throw new Error(`xcluster plan failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    times.push(r.ms);
  }
  return times;
}

export const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;
