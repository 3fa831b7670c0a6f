/**
 * Runs one operation over a fleet: checks everything that can be checked before a stack is touched,
 * then runs the clusters wave by wave with bounded parallelism. A failing cluster never stops the others
 * unless `failFast`; an aborted signal (Ctrl-C) reaches the running operations and starts nothing new.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import pLimit from "p-limit";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { EXIT } from "../cli/exit-codes";
import { InvalidRunError } from "./errors";
import { layout } from "./layout";
import {
  runOperation,
  violationLine,
  type ClusterResult,
  type Operation,
  type OperationContext,
} from "./operation";
import { stackName } from "./stack-name";
import type { ExtraConfig } from "./stack-config";
import { emptyChanges } from "./tally";
import { planWaves, type CanarySelection } from "./waves";
import { checkSecretsProviders, type ProgramFactory } from "./workspace";
import { destroyDryRun } from "./dry-run";
import { programPlugins, requirePrerequisites, type RequiredPlugin } from "./preflight";
import { readStackRecords, refuseRepointing } from "./spec-ownership";
import type { GateFinding, PolicyGate } from "./policy-gate";
import { readAppliedStates, upgradeRefusals, type AppliedState } from "./applied-state";
import type { PolicyViolation } from "./tally";
import { clusterTeardown, type ClusterTeardown } from "./teardown-step";
import type { TeardownLimits } from "../teardown/teardown";

export interface FleetOptions {
  /** The project root (holds `stacks/`, `policy/`, `.xcluster/`). */
  readonly root: string;
  /** The CLI to drive (see `findPulumi`); tests pass a fake one. */
  readonly pulumi: PulumiCommand;
  /** Clusters run at once. @default os.availableParallelism() */
  readonly parallel?: number;
  readonly canary?: CanarySelection;
  /** Start no new cluster after the first failure (running ones finish). @default false */
  readonly failFast?: boolean;
  /** Retries of a locked stack (up, refresh, destroy; preview takes no lock). @default 3 */
  readonly lockRetries?: number;
  /** First retry delay; doubles each time. @default 5000 */
  readonly lockRetryDelayMs?: number;
  /** Policy pack directory; `false` runs without policies. @default `<root>/policy` when it has PulumiPolicy.yaml */
  readonly policyPack?: string | false;
  /** Destroy's confirmation. @default false */
  readonly yes?: boolean;
  /** Touch nothing: report what the run would do (destroy and reconcile). @default false */
  readonly dryRun?: boolean;
  /**
   * destroy: the ordered teardown through the cluster before the Pulumi destroy (docs/adr/0016); `false`
   * destroys at once. @default the real one (fleet/teardown-step.ts) with `forceOrphans` and `teardownLimits`
   */
  readonly teardown?: ClusterTeardown | false;
  /** destroy: destroy even when the cluster's cloud resources may be left behind. @default false */
  readonly forceOrphans?: boolean;
  readonly teardownLimits?: TeardownLimits;
  /**
   * Point an existing stack at a spec file other than the one it records (`xcluster:spec`); without it
   * such a run is refused. @default false
   */
  readonly moveSpec?: boolean;
  /**
   * Provider plugins the program needs, checked before preview and up.
   * @default the cluster program's (package.json's provider packages); none when `program` is given
   */
  readonly plugins?: readonly RequiredPlugin[];
  readonly signal?: AbortSignal;
  /** Where passphrases and tokens come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly extraConfig?: ExtraConfig;
  /** Directory the specs' `source.clusterFile` names are relative to. @default root */
  readonly specCwd?: string;
  /** The program each stack runs. @default the cluster program, `programs/program.ts` */
  readonly program?: ProgramFactory;
  /**
   * Checked before `preview` and `up` when a policy pack is in use: a cluster with mandatory findings
   * fails (exit 3) without its stack being touched. The CLI passes the offline plan's gate. @default none
   */
  readonly policyGate?: PolicyGate;
  /** Progress lines; the driver prefixes nothing, the sink gets the cluster. @default none */
  readonly onProgress?: (cluster: ClusterSpec, line: string) => void;
  /** Minimum time between two progress lines of one cluster. @default 1000 */
  readonly progressIntervalMs?: number;
  readonly now?: () => number;
  /** Set by `reconcile`, which checked the prerequisites itself before listing the backend. @internal */
  readonly prerequisitesChecked?: boolean;
}

/** Operations that create stacks: everything they need is checked before anything is touched. */
const CREATING: ReadonlySet<Operation> = new Set(["preview", "up"]);

export interface FleetReport {
  readonly operation: Operation;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /**
   * 0 ok; 3 if any mandatory policy violation; else 6 if every failure is a destroy refused for orphans;
   * else 1 if any cluster failed or was cancelled; else 4 on drift.
   */
  readonly exitCode: number;
  readonly parallel: number;
  /** Stack names per wave, in order. */
  readonly waves: string[][];
  readonly cancelled: boolean;
  readonly clusters: ClusterResult[];
  /** `reconcile` only: stacks in the backend without a spec. */
  readonly orphans?: OrphanStack[];
  /** Set when the run was a simulation (`--local`): what it was, in one sentence. */
  readonly simulation?: string;
}

export interface OrphanStack {
  readonly stack: string;
  readonly environment: string;
  readonly cluster: string;
  readonly backend: string;
  /**
   * `listed` (no `--prune`); `protected` (kept: its last run recorded protection, or none was recorded);
   * `would-destroy` (dry run); or what `--prune --yes` did.
   */
  readonly action: "listed" | "protected" | "would-destroy" | "destroyed" | "failed";
  /** Resources in its state (when the backend counts them). */
  readonly resourceCount?: number;
  readonly backup?: string;
  readonly message?: string;
  /** `--prune`: the ordered teardown through the cluster before its destroy (as `destroy` runs it). */
  readonly teardown?: import("../teardown/teardown").TeardownReport;
  /** `--prune`: the destroy was refused because the cluster's cloud resources would be orphaned. */
  readonly refused?: boolean;
}

/** Refusals that apply before any stack is touched (exit 2). */
export function preflight(
  operation: Operation,
  clusters: readonly ClusterSpec[],
  options: Pick<FleetOptions, "parallel" | "yes" | "env" | "dryRun">,
): void {
  if (options.parallel !== undefined && (!Number.isInteger(options.parallel) || options.parallel < 1)) {
    throw new InvalidRunError(`--parallel: expected a whole number of at least 1 (got ${options.parallel})`);
  }
  if (operation === "destroy") {
    if (!options.yes && !options.dryRun) {
      throw new InvalidRunError(
        `destroy deletes every resource of ${clusters.map(stackName).join(", ") || "no stack"}; ` +
          `pass --yes to confirm (no stack was touched)`,
      );
    }
    const protectedOnes = clusters.filter((c) => c.protect);
    if (protectedOnes.length > 0) {
      throw new InvalidRunError(
        protectedOnes
          .map(
            (c) =>
              `cluster ${c.environment}/${c.name} is protected; set spec.parameters.protect: false in ` +
              `${c.source.clusterFile} (production clusters are protected by default), then destroy`,
          )
          .join("\n"),
      );
    }
  }
  // preview and up report a missing passphrase with everything else that is missing (requirePrerequisites).
  if (!CREATING.has(operation)) checkSecretsProviders(clusters, options.env ?? process.env);
}

/** The policy pack to use, or undefined. */
export function resolvePolicyPack(root: string, option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  const dir = path.resolve(root, option ?? "policy");
  if (fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) return dir;
  if (option !== undefined)
    throw new InvalidRunError(`--policy-pack ${option}: no PulumiPolicy.yaml in ${dir}`);
  return undefined;
}

export function fleetExitCode(results: readonly ClusterResult[]): number {
  if (results.some((r) => r.exitCode === EXIT.policy)) return EXIT.policy;
  const failed = results.filter((r) => r.result === "failed" || r.result === "cancelled");
  // Only destroys refused for orphans: their own code, so CI can tell "rerun with --force-orphans".
  if (failed.length > 0 && failed.every((r) => r.exitCode === EXIT.orphans)) return EXIT.orphans;
  if (failed.length > 0) return EXIT.failed;
  if (results.some((r) => r.result === "drifted")) return EXIT.drift;
  return EXIT.ok;
}

/**
 * Runs `operation` on every cluster and resolves to the report (it rejects only on invalid input,
 * before anything ran). Results are in the clusters' order.
 */
export async function runFleet(
  operation: Operation,
  clusters: readonly ClusterSpec[],
  options: FleetOptions,
): Promise<FleetReport> {
  preflight(operation, clusters, options);
  const waves = planWaves(clusters, options.canary);
  const now = options.now ?? Date.now;
  const started = now();
  const parallel = options.parallel ?? os.availableParallelism();
  const l = layout(options.root);
  const env = options.env ?? process.env;
  if (CREATING.has(operation) && !options.prerequisitesChecked) {
    await requirePrerequisites(clusters, {
      layout: l,
      pulumi: options.pulumi,
      env,
      plugins: options.plugins ?? (options.program ? [] : programPlugins()),
    });
  }
  const records = await readStackRecords(clusters, l, { pulumi: options.pulumi, env }, parallel);
  refuseRepointing(clusters, records, l, options.specCwd ?? options.root, options.moveSpec === true);
  // What each stack last applied: a refused upgrade path stops the run before any stack is opened, and
  // the program learns whether the cluster was initialised (server-0 is then rendered join-only).
  let applied: ReadonlyMap<string, AppliedState> | undefined;
  if (CREATING.has(operation)) {
    applied = await readAppliedStates(clusters, records, l, { pulumi: options.pulumi, env }, parallel);
    const refused = upgradeRefusals(clusters, applied, options.specCwd ?? options.root);
    if (refused.length > 0) throw new InvalidRunError(`${refused.join("\n")}\nno stack was touched`);
  }
  if (operation === "destroy" && options.dryRun) {
    return destroyDryRun(clusters, records, { ...options, layout: l, started, now, parallel, waves });
  }
  const ctx: OperationContext = {
    layout: l,
    pulumi: options.pulumi,
    env,
    records,
    extraConfig: options.extraConfig,
    specCwd: options.specCwd,
    program: options.program,
    ...(applied !== undefined ? { applied } : {}),
    policyPack: resolvePolicyPack(options.root, options.policyPack),
    lockRetries: options.lockRetries ?? 3,
    lockRetryDelayMs: options.lockRetryDelayMs ?? 5000,
    signal: options.signal,
    progress: options.onProgress ?? (() => undefined),
    progressIntervalMs: options.progressIntervalMs ?? 1000,
    now,
    ...(operation === "destroy" && options.teardown !== false
      ? {
          teardown:
            options.teardown ??
            clusterTeardown(
              {
                forceOrphans: options.forceOrphans === true,
                ...(options.teardownLimits ? { limits: options.teardownLimits } : {}),
              },
              now,
            ),
        }
      : {}),
  };

  const gated: ReadonlyMap<ClusterSpec, GateFinding> =
    (operation === "preview" || operation === "up") && ctx.policyPack !== undefined && options.policyGate
      ? await options.policyGate(clusters)
      : new Map();

  const results = new Map<ClusterSpec, ClusterResult>();
  let stopReason: string | undefined;
  for (const [i, wave] of waves.entries()) {
    const n = i + 1;
    if (stopReason === undefined && i > 0 && waves[0]!.some((c) => results.get(c)?.result !== "succeeded")) {
      stopReason = "not started: the canary wave did not succeed";
    }
    const limit = pLimit(parallel);
    await Promise.all(
      wave.map((spec) =>
        limit(async () => {
          const blocked = options.signal?.aborted ? "not started (interrupted)" : stopReason;
          if (blocked !== undefined) {
            results.set(spec, skipped(operation, spec, n, blocked, options.signal?.aborted === true));
            return;
          }
          const finding = gated.get(spec);
          if (finding?.error !== undefined) {
            ctx.progress(
              spec,
              `offline policy check could not plan this cluster (${finding.error}); the engine's checks still apply`,
            );
          }
          const refused = finding !== undefined && finding.violations.length > 0;
          if (refused) for (const v of finding.violations) ctx.progress(spec, violationLine(v));
          const r = refused
            ? refusedByPolicy(operation, spec, n, finding.violations)
            : await runOperation(operation, spec, n, ctx);
          results.set(spec, r);
          if (
            options.failFast &&
            (r.result === "failed" || r.result === "cancelled") &&
            stopReason === undefined
          ) {
            stopReason = `not started: --fail-fast after ${r.stack} failed`;
          }
        }),
      ),
    );
  }
  const ordered = clusters.map((c) => results.get(c) ?? skipped(operation, c, 0, "not planned", false));
  const finished = now();
  return {
    operation,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    exitCode: fleetExitCode(ordered),
    parallel,
    waves: waves.map((w) => w.map(stackName)),
    cancelled: options.signal?.aborted === true,
    clusters: ordered,
  };
}

function refusedByPolicy(
  operation: Operation,
  spec: ClusterSpec,
  wave: number,
  violations: readonly PolicyViolation[],
): ClusterResult {
  const stack = stackName(spec);
  return {
    cluster: spec.name,
    environment: spec.environment,
    stack,
    operation,
    wave,
    result: "failed",
    exitCode: EXIT.policy,
    changes: emptyChanges(),
    policyViolations: [...violations],
    drift: [],
    durationMs: 0,
    retries: 0,
    message: `stack ${stack}: ${violations.length} mandatory policy violation(s) found by the offline plan; the stack was not touched`,
    error: {
      kind: "policy",
      detail: violations.map((v) => `${v.policy} on ${v.resource}: ${v.message}`).join("\n"),
    },
  };
}

function skipped(
  operation: Operation,
  spec: ClusterSpec,
  wave: number,
  why: string,
  cancelled: boolean,
): ClusterResult {
  return {
    cluster: spec.name,
    environment: spec.environment,
    stack: stackName(spec),
    operation,
    wave,
    result: cancelled ? "cancelled" : "skipped",
    exitCode: cancelled ? EXIT.failed : EXIT.ok,
    changes: emptyChanges(),
    policyViolations: [],
    drift: [],
    durationMs: 0,
    retries: 0,
    message: why,
  };
}
