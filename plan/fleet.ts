/**
 * Plans a whole fleet: in worker processes (default, one per core) or in this process (`serial`). Both
 * give the same report: each cluster is planned alone under fresh mocks, and the report is sorted.
 */
import * as os from "os";
import type { ClusterSpec } from "../spec/types";
import { tuneForPlans } from "./fast-runtime";
import type { ClusterCache } from "./cache";
import { planInWorkers, type PrestartedWorker } from "./pool";
import { canonicalReport, failedCluster, type ClusterReport, type PlanReport } from "./report";

export interface FleetPlanOptions {
  /** Plan in this process, one cluster after another. @default false */
  readonly serial?: boolean;
  /** Worker processes. @default the number of cores */
  readonly workers?: number;
  /** Per-cluster timeout. @default DEFAULT_CLUSTER_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Replace a worker after this many clusters. @default DEFAULT_MAX_CLUSTERS_PER_WORKER */
  readonly maxClustersPerWorker?: number;
  /** Replace a worker once its heap exceeds this. @default DEFAULT_MAX_HEAP_BYTES */
  readonly maxHeapBytes?: number;
  /** Called as each cluster finishes. */
  readonly onCluster?: (report: ClusterReport) => void;
  /** Take what it holds from this cache, plan only the rest, and store what was planned. */
  readonly cache?: ClusterCache;
  /** A worker started ahead (`prestartWorker`): the first worker if any cluster is planned in workers, else stopped. */
  readonly prestarted?: PrestartedWorker;
}

export function defaultWorkers(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

async function planSerially(
  specs: readonly ClusterSpec[],
  options: FleetPlanOptions,
): Promise<ClusterReport[]> {
  // Loaded here: with workers, this process never loads Pulumi or the providers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planCluster } = require("./plan-cluster") as typeof import("./plan-cluster");
  const tuning = tuneForPlans();
  try {
    const reports: ClusterReport[] = [];
    for (const spec of specs) {
      let report: ClusterReport;
      try {
        report = await planCluster(
          spec,
          options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {},
        );
      } catch (e) {
        // A timed-out program may still be running here; the next cluster gets fresh mocks regardless.
        report = failedCluster(spec, e);
      }
      options.onCluster?.(report);
      reports.push(report);
    }
    return reports;
  } finally {
    tuning.restore();
  }
}

/** Plans every cluster; never rejects for a cluster's failure (that is the cluster's `error`). */
export async function planFleet(
  specs: readonly ClusterSpec[],
  options: FleetPlanOptions = {},
): Promise<PlanReport> {
  try {
    return await planWithCache(specs, options);
  } finally {
    options.prestarted?.dispose();
  }
}

async function planWithCache(specs: readonly ClusterSpec[], options: FleetPlanOptions): Promise<PlanReport> {
  const cache = options.cache;
  if (cache === undefined) return canonicalReport(await planUncached(specs, options));
  const cached: ClusterReport[] = [];
  const missing: ClusterSpec[] = [];
  for (const spec of specs) {
    const hit = cache.lookup(spec);
    if (hit === undefined) missing.push(spec);
    else {
      options.onCluster?.(hit);
      cached.push(hit);
    }
  }
  const planned = missing.length === 0 ? [] : await planUncached(missing, options);
  planned.forEach((report, i) => cache.store(missing[i] as ClusterSpec, report));
  return canonicalReport([...cached, ...planned]);
}

async function planUncached(
  specs: readonly ClusterSpec[],
  options: FleetPlanOptions,
): Promise<ClusterReport[]> {
  return options.serial
    ? await planSerially(specs, options)
    : await planInWorkers(specs, {
        workers: options.workers ?? defaultWorkers(),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.maxClustersPerWorker !== undefined
          ? { maxClustersPerWorker: options.maxClustersPerWorker }
          : {}),
        ...(options.maxHeapBytes !== undefined ? { maxHeapBytes: options.maxHeapBytes } : {}),
        ...(options.onCluster ? { onCluster: options.onCluster } : {}),
        ...(options.prestarted ? { prestarted: options.prestarted } : {}),
      });
}
