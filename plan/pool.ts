/**
 * Plans clusters in worker processes: one per core by default, each loading Pulumi once and planning
 * many clusters. Clusters are handed out one at a time (a worker that finishes early takes the next), and
 * a worker is replaced after `maxClustersPerWorker` clusters or once its heap passes `maxHeapBytes`, so
 * that memory stays bounded however large the fleet. A worker that crashes, or whose cluster times out,
 * fails that cluster only; the others go on in a fresh worker.
 */
import { fork, type ChildProcess } from "child_process";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import type { FromWorker, ToWorker } from "./protocol";
import { failedCluster, type ClusterReport } from "./report";
import { DEFAULT_CLUSTER_TIMEOUT_MS } from "./timeout";

export interface PoolOptions {
  /** Worker processes (at most one per cluster). */
  readonly workers: number;
  /** Replace a worker after this many clusters. @default DEFAULT_MAX_CLUSTERS_PER_WORKER */
  readonly maxClustersPerWorker?: number;
  /** Replace a worker once its V8 heap exceeds this after a cluster. @default DEFAULT_MAX_HEAP_BYTES */
  readonly maxHeapBytes?: number;
  /** Per-cluster timeout inside the worker. @default DEFAULT_CLUSTER_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Called as each cluster finishes (progress). */
  readonly onCluster?: (report: ClusterReport) => void;
  /** A worker started earlier (`prestartWorker`), taken as the first of `workers`. */
  readonly prestarted?: PrestartedWorker;
}

/**
 * A plan worker started before the fleet is known, so that its loading (about a second of Pulumi, the
 * providers and the program) overlaps the CLI's own work (reading and validating specs, the cache). The
 * pool takes it as its first worker; `dispose()` stops it if no pool did (nothing to plan).
 */
export class PrestartedWorker {
  private worker: Worker | undefined = new Worker();
  /** Its process ID (undefined if it could not be started). */
  readonly pid = this.worker?.child.pid;

  /** For the pool: the worker, once. */
  take(): Worker | undefined {
    const w = this.worker;
    this.worker = undefined;
    return w;
  }

  /** Whether a pool took it. */
  get taken(): boolean {
    return this.worker === undefined;
  }

  /** Stops the worker unless a pool took it. Safe to call more than once. */
  dispose(): void {
    const w = this.take();
    if (w) w.child.kill();
  }
}

/** Starts a plan worker now, for a pool later (see PrestartedWorker). */
export function prestartWorker(): PrestartedWorker {
  return new PrestartedWorker();
}

export const DEFAULT_MAX_CLUSTERS_PER_WORKER = 50;
export const DEFAULT_MAX_HEAP_BYTES = 768 * 1024 * 1024;
/** Time the pool grants past the worker's own timeout before it kills an unresponsive worker. */
const KILL_GRACE_MS = 15_000;
/** Bytes of a worker's stderr kept to explain a crash. */
const STDERR_TAIL = 4096;

/**
 * Node flags for workers. A plan allocates many short-lived objects (promises, outputs, serialised
 * properties); a larger young generation lets more of them die young, in cheap scavenges.
 * `--single-threaded-gc` (a V8 flag): the workers already keep every core busy, one per core, so V8's
 * parallel and concurrent GC helper threads only compete with the other workers for the same cores and
 * add synchronisation. Measured on 20 reference clusters in one worker under load, interleaved: about
 * 8 % less CPU (6.6–7.1 s against 7.3–8.1 s; BENCHMARKS.md, "fleet at scale").
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=32", "--single-threaded-gc"];

/** How to start a worker: the compiled worker beside this file, or the TypeScript one through ts-node. */
function workerEntry(): { file: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  if (__filename.endsWith(".ts")) {
    return {
      file: path.join(__dirname, "worker.ts"),
      execArgv: [...WORKER_NODE_FLAGS, "-r", require.resolve("ts-node/register/transpile-only")],
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") },
    };
  }
  return { file: path.join(__dirname, "worker.js"), execArgv: [...WORKER_NODE_FLAGS], env: process.env };
}

interface Job {
  readonly id: number;
  readonly spec: ClusterSpec;
}

interface Handlers {
  readonly onMessage: (w: Worker, m: FromWorker) => void;
  readonly onExit: (w: Worker, why: string) => void;
}

class Worker {
  readonly child: ChildProcess;
  planned = 0;
  /** It loaded the program and said so. */
  ready = false;
  current: Job | undefined;
  /** It was told to exit (it may still say it is ready: the message crossed ours). */
  retired = false;
  private stderr = "";
  private killTimer: NodeJS.Timeout | undefined;

  private timeoutMs = DEFAULT_CLUSTER_TIMEOUT_MS;
  private handlers: Handlers | undefined;
  /** What happened before a pool took the worker (a prestarted worker's "ready", or its exit). */
  private early: ((h: Handlers) => void)[] = [];

  /** Starts the process; it reports to `handlers`, or, until `attach`, queues what it has to say. */
  constructor(handlers?: Handlers) {
    this.handlers = handlers;
    const onMessage = (w: Worker, m: FromWorker) => this.dispatch((h) => h.onMessage(w, m));
    const onExit = (w: Worker, why: string) => this.dispatch((h) => h.onExit(w, why));
    const entry = workerEntry();
    this.child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env: entry.env,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-STDERR_TAIL);
    });
    this.child.on("message", (m: FromWorker) => onMessage(this, m));
    // A message sent as the worker dies fails with EPIPE, emitted here; unhandled, it would crash the CLI.
    // The worker's exit, reported below, is what fails its cluster; a worker that never started has none.
    this.child.on("error", (e) => {
      if (this.child.pid === undefined) onExit(this, `plan worker could not start: ${e.message}`);
      else this.stderr = `${this.stderr}\n${e.message}`.slice(-STDERR_TAIL);
    });
    this.child.on("exit", (code, signal) => {
      this.clearKillTimer();
      const tail = this.stderr.trim();
      onExit(this, `plan worker exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ""}`);
    });
  }

  private dispatch(event: (h: Handlers) => void): void {
    if (this.handlers) event(this.handlers);
    else this.early.push(event);
  }

  /** A pool takes the worker: what it said so far is delivered now. */
  attach(handlers: Handlers, timeoutMs: number): void {
    this.handlers = handlers;
    this.timeoutMs = timeoutMs;
    for (const event of this.early.splice(0)) event(handlers);
  }

  setClusterTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  give(job: Job): void {
    this.current = job;
    this.planned++;
    const msg: ToWorker = { kind: "plan", id: job.id, spec: job.spec, timeoutMs: this.timeoutMs };
    this.child.send(msg);
    // The worker times the cluster out itself; this only catches a worker that stopped answering.
    this.killTimer = setTimeout(() => this.child.kill("SIGKILL"), this.timeoutMs + KILL_GRACE_MS);
  }

  done(): void {
    this.current = undefined;
    this.clearKillTimer();
  }

  /** Tells the worker to exit, once: a second message could reach a process already gone. */
  retire(): void {
    this.clearKillTimer();
    if (this.retired) return;
    this.retired = true;
    if (this.child.connected) this.child.send({ kind: "exit" } satisfies ToWorker);
  }

  private clearKillTimer(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = undefined;
  }
}

/** Plans every spec in worker processes; resolves with one report per spec, in the specs' order. */
export function planInWorkers(specs: readonly ClusterSpec[], options: PoolOptions): Promise<ClusterReport[]> {
  const maxClusters = options.maxClustersPerWorker ?? DEFAULT_MAX_CLUSTERS_PER_WORKER;
  const maxHeap = options.maxHeapBytes ?? DEFAULT_MAX_HEAP_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLUSTER_TIMEOUT_MS;
  const results: (ClusterReport | undefined)[] = specs.map(() => undefined);
  const jobs: Job[] = specs.map((spec, id) => ({ id, spec }));
  let next = 0;
  let finished = 0;
  const live = new Set<Worker>();

  return new Promise((resolve) => {
    if (specs.length === 0) return resolve([]);

    const record = (job: Job, report: ClusterReport): void => {
      if (results[job.id] !== undefined) return;
      results[job.id] = report;
      finished++;
      options.onCluster?.(report);
      if (finished === specs.length) {
        for (const w of live) w.retire();
        live.clear();
        resolve(results as ClusterReport[]);
      }
    };

    const feed = (w: Worker): void => {
      const job = jobs[next];
      if (job === undefined) {
        live.delete(w);
        w.retire();
        return;
      }
      next++;
      w.give(job);
    };

    const onMessage = (w: Worker, m: FromWorker): void => {
      if (m.kind === "ready") {
        w.ready = true;
        // A replacement started for the last jobs can be retired, the fleet done, before it is ready.
        return w.retired ? undefined : feed(w);
      }
      const job = w.current;
      w.done();
      if (m.poisoned || w.planned >= maxClusters || m.heapUsedBytes > maxHeap) {
        live.delete(w);
        w.retire();
        if (next < jobs.length) start();
      } else feed(w);
      if (job) record(job, m.report);
    };

    const onExit = (w: Worker, why: string): void => {
      const wasLive = live.delete(w);
      const job = w.current;
      w.current = undefined;
      if (job) record(job, failedCluster(job.spec, why));
      if (!w.ready) {
        // It died loading the program: so would every replacement. Fail what is left, once.
        for (; next < jobs.length; next++)
          record(jobs[next] as Job, failedCluster((jobs[next] as Job).spec, why));
        return;
      }
      if ((wasLive || job) && next < jobs.length && finished < specs.length) start();
    };

    const start = (): void => {
      const w = new Worker({ onMessage, onExit });
      w.setClusterTimeout(timeoutMs);
      live.add(w);
    };

    const count = Math.max(1, Math.min(options.workers, specs.length));
    const head = options.prestarted?.take();
    if (head) {
      live.add(head);
      head.attach({ onMessage, onExit }, timeoutMs);
    }
    for (let i = head ? 1 : 0; i < count; i++) start();
  });
}
