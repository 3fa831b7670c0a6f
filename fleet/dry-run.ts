/**
 * `--dry-run` for `destroy` and `reconcile`: the same checks, progress lines, table and reports as the
 * real run, each cluster's row saying what the run would do (result `dry-run`), and nothing touched: no
 * cluster workspace is opened, no stack selected, created or changed, no backup written. What it reads:
 * the backend's stack list, the stacks' tags and (destroy) each state's resource list.
 */
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import { EXIT } from "../cli/exit-codes";
import { backendWorkspace, stateResourceTypes } from "./backend";
import { timestamp, type Layout } from "./layout";
import { formatChanges, type ClusterResult, type Operation } from "./operation";
import type { FleetOptions, FleetReport } from "./run-fleet";
import type { StackRecords } from "./spec-ownership";
import { stackName } from "./stack-name";
import { emptyChanges, type Changes } from "./tally";
import { destroySteps } from "./teardown-step";

export interface DryRunContext extends FleetOptions {
  readonly layout: Layout;
  readonly started: number;
  readonly now: () => number;
  readonly parallel: number;
  readonly waves: readonly (readonly ClusterSpec[])[];
}

function result(
  operation: Operation,
  spec: ClusterSpec,
  wave: number,
  outcome: "dry-run" | "skipped",
  message: string,
  changes: Changes = emptyChanges(),
): ClusterResult {
  return {
    cluster: spec.name,
    environment: spec.environment,
    stack: stackName(spec),
    operation,
    wave,
    result: outcome,
    exitCode: EXIT.ok,
    changes,
    policyViolations: [],
    drift: [],
    durationMs: 0,
    retries: 0,
    message,
  };
}

function report(operation: Operation, results: ClusterResult[], ctx: DryRunContext): FleetReport {
  const finished = ctx.now();
  return {
    operation,
    startedAt: new Date(ctx.started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - ctx.started,
    exitCode: EXIT.ok,
    parallel: ctx.parallel,
    waves: ctx.waves.map((w) => w.map(stackName)),
    cancelled: false,
    clusters: results,
  };
}

const waveOf = (ctx: DryRunContext, spec: ClusterSpec) => ctx.waves.findIndex((w) => w.includes(spec)) + 1;

/** Where the real destroy would export the state (the same name `backupState` writes). */
export function backupPath(l: Layout, stack: string, nowMs: number): string {
  return path.join(l.backupsDir, `${stack}-${timestamp(new Date(nowMs))}.json`);
}

/** What `destroy` would do to each cluster: export and destroy what its state holds, or skip a missing stack. */
export async function destroyDryRun(
  clusters: readonly ClusterSpec[],
  records: StackRecords,
  ctx: DryRunContext,
): Promise<FleetReport> {
  const results: ClusterResult[] = [];
  for (const spec of clusters) {
    const stack = stackName(spec);
    const record = records.get(stack);
    if (!record?.exists) {
      // The real run's words for a stack that was never deployed (operation.ts, MissingStackError).
      results.push(
        result(
          "destroy",
          spec,
          waveOf(ctx, spec),
          "skipped",
          `stack ${stack} does not exist in ${record?.backend ?? "the backend"}; nothing to destroy`,
        ),
      );
      continue;
    }
    const ws = await backendWorkspace(record.backend, ctx.layout, ctx);
    const types = await stateResourceTypes(ws, stack);
    const changes = { ...emptyChanges(), delete: types.length };
    const backup = path.relative(ctx.layout.root, backupPath(ctx.layout, stack, ctx.now()));
    const steps = destroySteps(spec, backup, types, {
      teardown: ctx.teardown !== false,
      forceOrphans: ctx.forceOrphans === true,
      ...(ctx.teardownLimits ? { limits: ctx.teardownLimits } : {}),
    });
    steps.forEach((s, i) => ctx.onProgress?.(spec, `dry run: step ${i + 1}: ${s}`));
    const message = `dry run: would destroy: ${formatChanges(changes)}`;
    ctx.onProgress?.(spec, message);
    results.push({ ...result("destroy", spec, waveOf(ctx, spec), "dry-run", message, changes), steps });
  }
  return report("destroy", results, ctx);
}

/** What `reconcile` would do to each cluster with a spec: create its stack and up, or up the existing one. */
export function reconcileDryRun(
  clusters: readonly ClusterSpec[],
  records: StackRecords,
  ctx: DryRunContext,
): FleetReport {
  const results = clusters.map((spec) => {
    const stack = stackName(spec);
    const record = records.get(stack);
    const message = record?.exists
      ? `dry run: would up the existing stack ${stack}` +
        (record.resourceCount !== undefined ? ` (${record.resourceCount} resource(s) in its state)` : "")
      : `dry run: would create the stack ${stack}, then up`;
    ctx.onProgress?.(spec, message);
    return result("up", spec, waveOf(ctx, spec), "dry-run", message);
  });
  return report("up", results, ctx);
}
