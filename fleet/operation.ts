/**
 * One operation on one cluster's stack: open the stack, run preview/up/refresh/destroy/drift with the
 * policy pack and an event tally, retry a locked stack where that is safe, and turn whatever happened
 * into a `ClusterResult` (never a thrown error: one failing cluster must not stop the others).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { EXIT } from "../cli/exit-codes";
import {
  CancelledError,
  DriftFoundError,
  OrphansRefusedError,
  FleetError,
  OperationFailedError,
  PassphraseMismatchError,
  PolicyViolationError,
  StackLockedError,
  firstLine,
  isPassphraseMismatch,
} from "./errors";
import { timestamp, workspaceDir } from "./layout";
import { writePolicyFiles, type PolicyFiles } from "./policy";
import { stackName } from "./stack-name";
import { EngineTally, changesFrom, type Changes, type DriftItem, type PolicyViolation } from "./tally";
import { openStack, type WorkspaceContext } from "./workspace";
import type { ClusterTeardown } from "./teardown-step";
import type { TeardownReport } from "../teardown/teardown";
import { recordOwnership, type StackRecords } from "./spec-ownership";

export type Operation = "preview" | "up" | "refresh" | "destroy" | "drift";

export const OPERATIONS: readonly Operation[] = ["preview", "up", "refresh", "destroy", "drift"];

/**
 * `succeeded`; `failed`; `drifted` (drift found); `skipped` (not started: a canary or fail-fast stop, or
 * nothing to do); `cancelled` (Ctrl-C); `dry-run` (`--dry-run`: what the run would do, nothing touched).
 */
export type ClusterOutcome = "succeeded" | "failed" | "drifted" | "skipped" | "cancelled" | "dry-run";

export interface ClusterResult {
  readonly cluster: string;
  readonly environment: string;
  readonly stack: string;
  readonly operation: Operation;
  /** 1-based wave the cluster ran in. */
  readonly wave: number;
  readonly result: ClusterOutcome;
  /** This cluster's exit code: 0, 1 failed, 3 mandatory policy violation, 4 drift. */
  readonly exitCode: number;
  readonly changes: Changes;
  readonly policyViolations: PolicyViolation[];
  readonly drift: DriftItem[];
  readonly durationMs: number;
  /** Lock retries used. */
  readonly retries: number;
  /** State export written before destroy. */
  readonly backup?: string;
  /** destroy `--dry-run`: the steps the real run would take, in order. */
  readonly steps?: readonly string[];
  /** destroy: the ordered teardown through the cluster before the Pulumi destroy (docs/adr/0016). */
  readonly teardown?: TeardownReport;
  /** Why it failed or was skipped, in one line. */
  readonly message?: string;
  readonly error?: { readonly kind: string; readonly detail: string };
}

export interface OperationContext extends WorkspaceContext {
  /** Absolute policy pack directory; undefined runs without policies. */
  readonly policyPack?: string;
  readonly lockRetries: number;
  /** First back-off; doubles per retry. */
  readonly lockRetryDelayMs: number;
  readonly signal?: AbortSignal;
  /** Progress sink: one line, already meant for this cluster (the caller prefixes it). */
  readonly progress: (spec: ClusterSpec, line: string) => void;
  readonly progressIntervalMs: number;
  readonly now: () => number;
  /** What the backend said about each stack before the run (its ownership tags). @default none read */
  readonly records?: StackRecords;
  /** destroy: cleans what the cluster created before the Pulumi destroy. @default none (destroy at once) */
  readonly teardown?: ClusterTeardown;
  /** `up` only: URNs the engine replaces even without a diff (`xcluster replace`). @default none */
  readonly replace?: readonly string[];
}

const execFileAsync = promisify(execFile);

/** Operations that take the stack lock and may be retried when another update holds it. */
const LOCKING: ReadonlySet<Operation> = new Set(["up", "refresh", "destroy"]);

const NO_CHANGES_EXPECTED = /no changes were expected but changes (were proposed|occurred)/i;

export async function runOperation(
  operation: Operation,
  spec: ClusterSpec,
  wave: number,
  ctx: OperationContext,
): Promise<ClusterResult> {
  const started = ctx.now();
  const stack = stackName(spec);
  const base = { cluster: spec.name, environment: spec.environment, stack, operation, wave };
  const tally = new EngineTally(operation === "drift" || operation === "refresh");
  let retries = 0;
  let backup: string | undefined;
  let teardown: TeardownReport | undefined;
  const finish = (
    result: ClusterOutcome,
    exitCode: number,
    extra: Partial<Pick<ClusterResult, "message" | "error" | "changes">> = {},
  ): ClusterResult => ({
    ...base,
    result,
    exitCode,
    changes: extra.changes ?? tally.changes(),
    policyViolations: [...tally.violations],
    drift: operation === "drift" || operation === "refresh" ? [...tally.drift] : [],
    durationMs: ctx.now() - started,
    retries,
    ...(backup !== undefined ? { backup } : {}),
    ...(teardown !== undefined ? { teardown } : {}),
    ...(extra.message !== undefined ? { message: extra.message } : {}),
    ...(extra.error !== undefined ? { error: extra.error } : {}),
  });

  if (ctx.signal?.aborted) return finish("cancelled", EXIT.failed, { message: "not started (interrupted)" });
  try {
    const creating = operation === "preview" || operation === "up";
    const opened = await openStack(spec, ctx, creating ? "create-or-select" : "select");
    let tags = ctx.records?.get(stack)?.tags ?? {};
    if (creating) {
      // The stack now belongs to this spec file (checked before the run: it belonged to no other). Its
      // protection tag may only grow more protective until an up has applied the spec.
      tags = await recordOwnership(opened, spec, tags, ctx.layout, ctx.specCwd ?? ctx.layout.root, "before");
    }
    const onEvent = progressReporter(operation, spec, tally, ctx);
    const policy = operation === "preview" || operation === "up" ? policyFiles(spec, ctx) : {};
    const attempt = async (): Promise<Changes | undefined> => {
      switch (operation) {
        case "preview": {
          const r = await opened.preview({ ...policy, color: "never", onEvent, signal: ctx.signal });
          return changesFrom(r.changeSummary);
        }
        case "up": {
          const r = await opened.up({
            ...policy,
            ...(ctx.replace !== undefined ? { replace: [...ctx.replace] } : {}),
            color: "never",
            onEvent,
            signal: ctx.signal,
          });
          return r.summary.resourceChanges ? changesFrom(r.summary.resourceChanges) : undefined;
        }
        case "refresh": {
          const r = await opened.refresh({ color: "never", onEvent, signal: ctx.signal });
          return r.summary.resourceChanges ? changesFrom(r.summary.resourceChanges) : undefined;
        }
        case "destroy": {
          backup ??= await backupState(opened, ctx);
          ctx.progress(spec, `state exported to ${path.relative(ctx.layout.root, backup)}`);
          const destroy = () => opened.destroy({ color: "never", onEvent, signal: ctx.signal });
          let r: Awaited<ReturnType<typeof destroy>>;
          if (ctx.teardown === undefined || teardown !== undefined) {
            // No teardown asked, or it ran already and this is a retry of a locked destroy.
            r = await destroy();
          } else {
            const exported: unknown = JSON.parse(fs.readFileSync(backup, "utf8"));
            const done = await ctx.teardown(
              spec,
              { outputs: await opened.outputs(), exported },
              destroy,
              (line) => ctx.progress(spec, line),
              (report) => (teardown = report),
            );
            teardown = done.report;
            if (done.destroyed === undefined) {
              throw new OrphansRefusedError(
                stack,
                done.report.reason ?? "objects outlived their wait",
                done.report.orphans.map((o) => o.kind),
              );
            }
            r = done.destroyed;
          }
          return r.summary.resourceChanges ? changesFrom(r.summary.resourceChanges) : undefined;
        }
        case "drift": {
          await opened.refresh({
            previewOnly: true,
            expectNoChanges: true,
            color: "never",
            onEvent,
            signal: ctx.signal,
          });
          return undefined;
        }
      }
    };
    let changes: Changes | undefined;
    for (;;) {
      try {
        changes = await attempt();
        break;
      } catch (e) {
        const locked = (e as Error).name === "ConcurrentUpdateError";
        if (!locked || !LOCKING.has(operation) || retries >= ctx.lockRetries || ctx.signal?.aborted) throw e;
        const delay = ctx.lockRetryDelayMs * 2 ** retries;
        retries += 1;
        ctx.progress(
          spec,
          `stack ${stack} is locked by another update; retry ${retries}/${ctx.lockRetries} in ${delay} ms`,
        );
        await sleep(delay, ctx.signal);
      }
    }
    const result = changes ? { changes } : {};
    if (tally.mandatoryViolations > 0) {
      const err = new PolicyViolationError(stack, tally.mandatoryViolations);
      return finish("failed", err.exitCode, {
        ...result,
        message: err.message,
        error: { kind: err.kind, detail: "" },
      });
    }
    if (operation === "drift" && tally.drift.length > 0) {
      return finish("drifted", EXIT.drift, {
        message: new DriftFoundError(stack, tally.drift.length).message,
      });
    }
    if (operation === "up") {
      await recordOwnership(opened, spec, tags, ctx.layout, ctx.specCwd ?? ctx.layout.root, "applied");
    }
    ctx.progress(
      spec,
      `${operation} ${operation === "drift" ? "found no drift" : "done"}: ${formatChanges(tally.changes())}`,
    );
    return finish("succeeded", EXIT.ok, result);
  } catch (e) {
    const err = classify(e, operation, stack, tally, retries, ctx.signal);
    if (err.kind === "drift") return finish("drifted", EXIT.drift, { message: err.message });
    if (err.kind === "stack-missing" && operation !== "preview" && operation !== "up") {
      // Nothing deployed yet: nothing to refresh, destroy or drift. Not a failure of the fleet run.
      return finish("skipped", EXIT.ok, { message: `${err.message}; nothing to ${operation}` });
    }
    ctx.progress(spec, err.message);
    return finish(err.kind === "cancelled" ? "cancelled" : "failed", err.exitCode, {
      message: err.message,
      error: { kind: err.kind, detail: err.detail },
    });
  }
}

function policyFiles(spec: ClusterSpec, ctx: OperationContext): PolicyFiles | Record<string, never> {
  if (ctx.policyPack === undefined) return {};
  return writePolicyFiles(spec, ctx.policyPack, workspaceDir(ctx.layout, stackName(spec)));
}

/**
 * Exports the stack's state before destroy. `pulumi stack export` without `--show-secrets` keeps the
 * secrets encrypted by the stack's provider (the API's `exportStack()` decrypts them into the file), and
 * `pulumi stack import --file` restores it with the same provider.
 */
export async function backupState(
  stack: Stack,
  ctx: Pick<OperationContext, "layout" | "now">,
): Promise<string> {
  const ws = stack.workspace;
  let stdout: string;
  try {
    // The automation API has no export without --show-secrets, so the CLI is run directly, as it would.
    ({ stdout } = await execFileAsync(
      ws.pulumiCommand.command,
      ["stack", "export", "--stack", stack.name, "--non-interactive"],
      {
        cwd: ws.workDir,
        env: { ...process.env, ...ws.envVars, PULUMI_AUTOMATION_API: "true" },
        maxBuffer: 1024 * 1024 * 1024,
      },
    ));
    JSON.parse(stdout); // a backup that is not a deployment must stop the destroy
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new OperationFailedError(
      stack.name,
      "state export (before destroy)",
      firstLine(err.stderr || err.message),
      `${err.message}\n${err.stderr ?? ""}`,
    );
  }
  fs.mkdirSync(ctx.layout.backupsDir, { recursive: true });
  const file = path.join(ctx.layout.backupsDir, `${stack.name}-${timestamp(new Date(ctx.now()))}.json`);
  fs.writeFileSync(file, stdout, { mode: 0o600 });
  return file;
}

/** Maps what the automation API threw, plus the events seen, to one typed error. */
export function classify(
  e: unknown,
  operation: Operation,
  stack: string,
  tally: EngineTally,
  retries: number,
  signal?: AbortSignal,
): FleetError {
  if (e instanceof FleetError) return e;
  const err = e as Error;
  const text = err.message ?? String(e);
  if (signal?.aborted) return new CancelledError(stack);
  if (tally.mandatoryViolations > 0) return new PolicyViolationError(stack, tally.mandatoryViolations, text);
  if (operation === "drift" && (NO_CHANGES_EXPECTED.test(text) || tally.drift.length > 0)) {
    return new DriftFoundError(stack, tally.drift.length, text);
  }
  if (err.name === "ConcurrentUpdateError") return new StackLockedError(stack, retries, text);
  if (isPassphraseMismatch(text)) return new PassphraseMismatchError(stack, text);
  const reason = tally.errors.length > 0 ? firstLine(tally.errors.join("\n")) : firstLine(text);
  return new OperationFailedError(stack, operation, reason, text);
}

export function formatChanges(c: Changes): string {
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.same} unchanged`;
}

/** Prints `[cluster]`-style progress as counts change, at most once per interval (the last line always). */
function progressReporter(
  operation: Operation,
  spec: ClusterSpec,
  tally: EngineTally,
  ctx: OperationContext,
): (e: EngineEvent) => void {
  let last = -Infinity;
  return (e) => {
    const before = tally.violations.length;
    if (!tally.add(e)) return;
    for (const v of tally.violations.slice(before)) ctx.progress(spec, violationLine(v));
    const now = ctx.now();
    if (now - last < ctx.progressIntervalMs && !e.summaryEvent) return;
    last = now;
    ctx.progress(spec, progressLine(operation, tally));
  };
}

/**
 * `up: 3 create, 0 update, 1 replace, 0 delete (2/4 done)`. Both counts are resources with a change, each
 * once, from the same events, so the first never exceeds the second (the columns switch to the engine's
 * summary once it arrives; the counter does not).
 */
export function progressLine(operation: Operation, tally: EngineTally): string {
  const p = tally.changes();
  return (
    `${operation}: ${p.create} create, ${p.update} update, ${p.replace} replace, ${p.delete} delete` +
    ` (${tally.finished}/${tally.steps} done${tally.failed > 0 ? `, ${tally.failed} failed` : ""})`
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** One policy finding as a progress line (engine findings and the offline gate's alike). */
export function violationLine(v: PolicyViolation): string {
  return `policy ${v.enforcement}: ${v.policy}: ${v.message}${v.resource ? ` (${v.resource})` : ""}`;
}
