/**
 * Where the time goes: V8 CPU profiles, summarised as self time by package and by function. Raw profiles
 * are kept under bench/results/profiles/ (open them in Chrome DevTools or speedscope).
 *
 * Two modes:
 * - `program <what> [size=100] [runs=5]`: the warm runs only of one program in one process (bench/scripts.ts),
 *   where <what> is `xcluster` (the cluster program of a synthetic <size>-node cluster, with the plan
 *   workers' tuning), `xcluster-sdk-defaults` (the same without it), `floor` (<size> resources, SDK
 *   defaults) or `floor-tuned` (the same with the workers' tuning);
 * - `plan [args…]`: `node bin/xcluster.js plan [args…]` end to end, every process profiled from start to
 *   exit (the CLI and each worker, through a preload in NODE_OPTIONS); one summary per process.
 *
 * Run: npm run build && npx ts-node -T bench/profile.ts program xcluster 500 3
 *      npm run build && npx ts-node -T bench/profile.ts plan            (the example fleet)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WORKER_NODE_FLAGS } from "../plan/pool";
import { RESULTS, ROOT, requireBuild, syntheticClusters, timeNode, writeFleet } from "./common";
import { floorScript, xclusterScript } from "./scripts";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

interface Row {
  readonly name: string;
  readonly ms: number;
}

const PROFILES = path.join(RESULTS, "profiles");

/** Self time per function and per package (ms), from a V8 `.cpuprofile`. */
export function selfTimes(profile: CpuProfile): { functions: Row[]; packages: Row[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) continue;
    totalMs += ms;
    const file = f.url.replace(/^file:\/\//, "");
    const nm = file.lastIndexOf("node_modules/");
    const short = nm >= 0 ? file.slice(nm + "node_modules/".length) : file && path.relative(ROOT, file);
    const name = `${f.functionName || "(anonymous)"}${short ? ` ${short}:${f.lineNumber + 1}` : ""}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const where = m
      ? (m[1] as string)
      : file.startsWith("node:")
        ? "node: (Node's own JS)"
        : file === ""
          ? f.functionName || "(native)"
          : "xcluster";
    pkg.set(where, (pkg.get(where) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { functions: sorted(fn), packages: sorted(pkg), totalMs };
}

function summarise(file: string, functions = 25): void {
  const t = selfTimes(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile);
  const pct = (ms: number) => `${((100 * ms) / t.totalMs).toFixed(1).padStart(5)}%`;
  console.log(`${path.relative(process.cwd(), file)}: ${Math.round(t.totalMs)} ms sampled`);
  console.log("  self time by package:");
  for (const p of t.packages.slice(0, 10)) console.log(`    ${pct(p.ms)}  ${p.name}`);
  console.log("  top functions by self time:");
  for (const f of t.functions.slice(0, functions)) console.log(`    ${pct(f.ms)}  ${f.name}`);
  console.log("");
}

function profileProgram(what: string, size: number, runs: number): void {
  if (!["xcluster", "xcluster-sdk-defaults", "floor", "floor-tuned"].includes(what))
    throw new Error(
      `unknown program '${what}': expected xcluster, xcluster-sdk-defaults, floor or floor-tuned`,
    );
  const floor = what.startsWith("floor");
  const [cluster] = syntheticClusters(1, floor ? 10 : size);
  const dir = writeFleet([cluster!]);
  const keep = path.join(PROFILES, `${what}-${size}.cpuprofile`);
  try {
    const tuned = what === "xcluster" || what === "floor-tuned";
    const source = floor ? floorScript(size, runs) : xclusterScript(dir, runs);
    const r = timeNode([...(tuned ? WORKER_NODE_FLAGS : []), "-e", source], {
      BENCH_TUNED: tuned ? "1" : "0",
      BENCH_PROFILE: keep,
    });
    if (r.status !== 0) throw new Error(`profiled script failed (${r.status}):\n${r.stderr}`);
    console.log(`${what} ${size}, ${runs} warm run(s): ${r.stdout.trim().split("\n").pop()}\n`);
    summarise(keep);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Preloaded into every process of a plan (NODE_OPTIONS does not allow --cpu-prof): profiles from start to
 * exit and writes `<seq>-<pid>.cpuprofile`. An in-thread inspector session answers synchronously, so the
 * profile can be taken in an `exit` handler, after the worker's `process.exit`.
 */
const PRELOAD = `
const inspector = require("inspector");
const fs = require("fs");
const path = require("path");
const session = new inspector.Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 500 });
session.post("Profiler.start");
process.on("exit", () => {
  session.post("Profiler.stop", (err, res) => {
    if (err) return;
    const name = process.hrtime.bigint().toString().padStart(20, "0") + "-" + process.pid + ".cpuprofile";
    fs.writeFileSync(path.join(process.env.BENCH_PROFILE_DIR, name), JSON.stringify(res.profile));
  });
});
`;

function profilePlan(args: readonly string[]): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-prof-"));
  const out = path.join(tmp, "out");
  fs.mkdirSync(out);
  const preload = path.join(tmp, "preload.js");
  fs.writeFileSync(preload, PRELOAD);
  try {
    const r = timeNode([path.join(ROOT, "bin", "xcluster.js"), "plan", ...args], {
      NODE_OPTIONS: `${process.env["NODE_OPTIONS"] ?? ""} --require ${preload}`.trim(),
      BENCH_PROFILE_DIR: out,
    });
    if (r.status !== 0 && r.status !== 3) throw new Error(`xcluster plan failed (${r.status}):\n${r.stderr}`);
    console.log(`xcluster plan ${args.join(" ")}: ${Math.round(r.ms)} ms wall, ${r.cpuMs} ms CPU\n`);
    const dest = path.join(PROFILES, "plan");
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    // Named by exit time: the workers, then the CLI.
    for (const f of fs.readdirSync(out).sort()) {
      fs.copyFileSync(path.join(out, f), path.join(dest, f));
      summarise(path.join(dest, f), 15);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main(): void {
  requireBuild();
  fs.mkdirSync(PROFILES, { recursive: true });
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === "plan") profilePlan(rest);
  else if (mode === "program")
    profileProgram(rest[0] ?? "xcluster", Number(rest[1] ?? 100), Number(rest[2] ?? 5));
  else
    throw new Error(
      "usage: bench/profile.ts program <xcluster|xcluster-sdk-defaults|floor> [size] [runs] | plan [args…]",
    );
}

if (require.main === module) main();
