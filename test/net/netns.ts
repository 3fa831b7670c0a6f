/**
 * A throwaway network made of Linux network namespaces, for tests that run real daemons (keepalived) on a
 * real kernel. Tier: real Linux (netns, veth, a bridge), as root.
 *
 * Everything lives in namespaces this module creates: a "switch" namespace holding a bridge, and one
 * namespace per node joined to it by a veth pair. Nothing is added to the host's own network namespace (no
 * interface, address or route), so the addresses used (10.211.0.0/16 by the tests) exist only in here.
 * Names carry the test process id (`xcka<pid>-…`), so concurrent runs never meet. `destroy()` kills every
 * process started here and deletes every namespace, and runs at process exit too, whatever failed.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { skipTier } from "../support/tiers";

/** Set in CI: a real-Linux test that cannot run fails instead of skipping. */
export const REQUIRED_VAR = "XCLUSTER_REAL_ENGINE";

function commandPath(command: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Why this machine cannot run the real-Linux network tests, or undefined when it can. */
export function whyNoRealNetwork(commands: readonly string[]): string | undefined {
  if (process.platform !== "linux") return `needs Linux (got ${process.platform})`;
  if (typeof process.getuid === "function" && process.getuid() !== 0)
    return "needs root to create network namespaces (run as root; CI does)";
  const missing = commands.filter((c) => commandPath(c) === undefined);
  if (missing.length > 0) return `needs ${missing.join(", ")} on PATH (Debian: see .ci/run)`;
  const probe = `xcka${process.pid}-probe`;
  const add = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (add.status !== 0) return `cannot create a network namespace: ${add.stderr.trim()}`;
  spawnSync("ip", ["netns", "del", probe]);
  return undefined;
}

/** Skips the suite saying why, or fails it when REQUIRED_VAR=required (CI must run it for real). */
export function skipOrFail(ctx: Mocha.Context, why: string): void {
  skipTier(ctx, "real-network", why, "real-engine-required");
}

/** Runs a command, throwing with its output when it fails. */
export function run(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** One node: its namespace, its interface (inside the namespace) and its address. */
export interface NetNode {
  readonly name: string;
  readonly namespace: string;
  readonly interfaceName: string;
  readonly address: string;
  /** A private directory for the node's files (configuration, pid files, logs). */
  readonly dir: string;
}

const live = new Set<NetSandbox>();
process.once("exit", () => {
  for (const s of live) s.destroy();
});

export class NetSandbox {
  /** Prefix of every name this sandbox creates. */
  readonly id = `xcka${process.pid}`;
  /** Temporary directory (0700) for everything the sandbox writes. */
  readonly dir: string;
  private readonly switchNs: string;
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<ChildProcess>();
  private ports = 0;

  constructor(readonly prefixLength = 24) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.id}-`));
    live.add(this);
    this.switchNs = this.addNamespace("sw");
    run("ip", ["-n", this.switchNs, "link", "add", "br0", "type", "bridge"]);
    run("ip", ["-n", this.switchNs, "link", "set", "br0", "up"]);
  }

  private addNamespace(suffix: string): string {
    const ns = `${this.id}-${suffix}`;
    run("ip", ["netns", "add", ns]);
    this.namespaces.push(ns);
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    return ns;
  }

  /** Adds a node on the bridge with `address` on its interface `interfaceName`. */
  addNode(name: string, address: string, interfaceName: string): NetNode {
    const ns = this.addNamespace(name);
    const port = `p${this.ports++}`;
    run("ip", [
      "-n",
      this.switchNs,
      "link",
      "add",
      port,
      "type",
      "veth",
      "peer",
      "name",
      interfaceName,
      "netns",
      ns,
    ]);
    run("ip", ["-n", this.switchNs, "link", "set", port, "master", "br0", "up"]);
    run("ip", ["-n", ns, "addr", "add", `${address}/${this.prefixLength}`, "dev", interfaceName]);
    run("ip", ["-n", ns, "link", "set", interfaceName, "up"]);
    const dir = path.join(this.dir, name);
    fs.mkdirSync(dir, { mode: 0o700 });
    return { name, namespace: ns, interfaceName, address, dir };
  }

  /** Runs a command inside the node's namespace and returns its result. */
  exec(node: NetNode, args: readonly string[]): { status: number | null; output: string } {
    const r = spawnSync("ip", ["netns", "exec", node.namespace, ...args], { encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  /** Starts a long-running command inside the node's namespace; output goes to `logFile`. */
  start(node: NetNode, args: readonly string[], logFile: string): ChildProcess {
    const log = fs.openSync(logFile, "a");
    const child = spawn("ip", ["netns", "exec", node.namespace, ...args], { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    return this.track(child);
  }

  /** Kills `child` on destroy() if it still runs. */
  track(child: ChildProcess): ChildProcess {
    this.processes.add(child);
    child.once("exit", () => this.processes.delete(child));
    return child;
  }

  /** Takes the node off the network (its link down: nothing it sends leaves) and SIGKILLs all it runs. */
  killNode(node: NetNode): void {
    run("ip", ["-n", node.namespace, "link", "set", node.interfaceName, "down"]);
    killNamespacePids(node.namespace);
  }

  /** Names of every namespace of the sandbox, the switch first. */
  get allNamespaces(): readonly string[] {
    return [...this.namespaces];
  }

  /** Kills what this sandbox started, deletes its namespaces and its directory. Safe to call twice. */
  destroy(): void {
    for (const p of this.processes) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    // Processes started in a namespace by others of ours (keepalived's scripts) die with their parents;
    // anything left would keep a namespace alive, so kill exactly what `ip netns pids` lists for ours.
    for (const ns of this.namespaces) {
      killNamespacePids(ns);
      spawnSync("ip", ["netns", "del", ns]);
    }
    this.namespaces.length = 0;
    this.processes.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

/** SIGKILLs every process in the namespace: all of them were started by the sandbox that owns it. */
function killNamespacePids(ns: string): void {
  const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split(/\s+/);
  for (const pid of pids.filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
}
