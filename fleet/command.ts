/**
 * The command-line side of fleet operations, shared by `preview`, `up`, `refresh`, `destroy`, `drift` and
 * `reconcile`: common flags, spec loading, refusals before anything runs, `[cluster]` progress, Ctrl-C,
 * the final table and the reports. Heavy modules load inside `runFleetCommand`, so `--help` stays fast.
 */
import * as os from "os";
import { Option, type Command } from "commander";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { EXIT } from "../cli/exit-codes";
import { specPaths, type CommandContext } from "../cli/context";
import type { ClusterSpec } from "../spec/types";
import type { Operation } from "./operation";
import { offlinePolicyGate, type PolicyGate } from "./policy-gate";
import type { RequiredPlugin } from "./preflight";
import type { ProgramFactory } from "./workspace";
import { capacityRefusals } from "./capacity-gate";

export interface FleetFlags {
  readonly env?: string;
  readonly cluster?: string[];
  readonly parallel?: string;
  readonly canary?: string[];
  readonly canarySelector?: string;
  readonly failFast?: boolean;
  readonly json?: string;
  readonly markdown?: string;
  readonly lockRetries?: string;
  /** `--no-policy` sets this to false. */
  readonly policy?: boolean;
  /** `--no-offline-policy` sets this to false. */
  readonly offlinePolicy?: boolean;
  readonly policyPack?: string;
  readonly yes?: boolean;
  readonly prune?: boolean;
  readonly dryRun?: boolean;
  readonly moveSpec?: boolean;
  /** destroy: every cluster of `--env` (with `--confirm-env`). */
  readonly all?: boolean;
  readonly confirmEnv?: string;
  /** destroy: destroy even when the cluster's cloud resources may be orphaned. */
  readonly forceOrphans?: boolean;
  /** destroy: the teardown's whole wait, in seconds. */
  readonly teardownTimeout?: string;
  readonly pulumiRoot?: string;
  readonly config?: string[];
  readonly secretEnv?: string[];
  /** Simulate on this machine: stand-in providers, the local backend (fleet/local/simulation.ts). */
  readonly local?: boolean;
}

/** `--local`, for the commands of the lifecycle. */
export const LOCAL_FLAG_HELP =
  "simulate on this machine, no cloud: stand-in providers, state in .xcluster/local-backend, a fixed passphrase; every line says SIMULATION";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Which flag groups a fleet command takes: a flag that would mean nothing on a command is not offered
 * there (commander then rejects it as an unknown option, with a suggestion).
 */
export interface FleetFlagGroups {
  /** `--policy-pack`, `--no-policy`, `--no-offline-policy`: commands that preview or update. */
  readonly policy: boolean;
  /** `--canary`, `--canary-selector`: commands that roll out, where a first wave gates the rest. */
  readonly waves: boolean;
  /** `--lock-retries`: commands that take the stack lock (a preview or a drift check takes none). */
  readonly lock: boolean;
  /**
   * `--config`, `--secret-env`: commands whose providers are configured from the stack config. A destroy
   * configures them from the inputs recorded in the state at the last update, not from the current
   * config (pulumi/pulumi#716, #7370), so extra config changes nothing there.
   */
  readonly config: boolean;
}

/** Flags of the fleet commands; the groups say which of the optional ones this command takes. */
export function addFleetFlags(cmd: Command, groups: FleetFlagGroups): Command {
  cmd
    .argument("[paths...]", "spec files or directories (default: every spec under stacks/)")
    .option("--env <environment>", "only clusters of this environment")
    .option("--cluster <name>", "only this cluster (repeatable)", collect)
    .option(
      "--parallel <n>",
      `clusters at once (default: ${os.availableParallelism()}, the number of cores)`,
    );
  if (groups.waves) {
    cmd
      .option(
        "--canary <cluster>",
        "run this cluster first, the rest only if it succeeded (repeatable)",
        collect,
      )
      .option(
        "--canary-selector <key=value>",
        "first wave: clusters whose labels match (comma-separated pairs)",
      );
  }
  cmd.option("--fail-fast", "start no new cluster after the first failure");
  if (groups.lock) cmd.option("--lock-retries <n>", "retries when another update holds a stack's lock", "3");
  cmd
    .option("--json <file>", "write the JSON report to this file")
    .option("--markdown <file>", "write the Markdown summary (for a merge request) to this file");
  if (groups.config) {
    cmd
      .option(
        "--config <key=value>",
        "extra plain stack config, e.g. openstack:insecure=false (repeatable)",
        collect,
      )
      .option(
        "--secret-env <key=VAR>",
        "stack config secret read from environment variable VAR (repeatable)",
        collect,
      );
  }
  cmd.addOption(
    new Option("--pulumi-root <dir>", "pulumi installation to use (holds bin/pulumi)").env(
      "XCLUSTER_PULUMI_ROOT",
    ),
  );
  if (groups.policy) {
    cmd
      .option("--policy-pack <dir>", "policy pack directory (default: policy/)")
      .option("--no-policy", "run without the policy pack")
      .option(
        "--no-offline-policy",
        "skip the offline plan's policy check before the engine runs (it decides the rules the engine cannot before a first up)",
      );
  }
  return cmd;
}

/** Test seams: a ready CLI, a signal, the environment. */
export interface FleetCommandDeps {
  readonly pulumi?: PulumiCommand;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  readonly progressIntervalMs?: number;
  readonly lockRetryDelayMs?: number;
  /** The gate before preview/up; false for none. @default the offline plan's gate */
  readonly policyGate?: PolicyGate | false;
  /** The program each stack runs. @default the cluster program */
  readonly program?: ProgramFactory;
  /** Provider plugins checked before preview and up. @default the cluster program's */
  readonly plugins?: readonly RequiredPlugin[];
  /** Limits of destroy's ordered teardown (request timeout, polling). @default teardown/ defaults */
  readonly teardownLimits?: import("../teardown/teardown").TeardownLimits;
  /** The clusters as run (the simulation points them at its backend). @default as loaded */
  readonly clusters?: (loaded: readonly ClusterSpec[]) => ClusterSpec[];
  /** Set on a simulated run: the notice its reports carry. @default not a simulation */
  readonly simulation?: string;
  /** `false`: destroy without the ordered teardown through the cluster (a simulation has no cluster). */
  readonly teardown?: false;
  /** The quota check before preview/up/reconcile. @default fleet/capacity-gate.ts */
  readonly capacityGate?: (
    selected: readonly ClusterSpec[],
    all: readonly ClusterSpec[],
  ) => Promise<string[]>;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || (flag === "--parallel" && n < 1)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { InvalidRunError } = require("./errors") as typeof import("./errors");
    throw new InvalidRunError(
      `${flag}: expected a whole number${flag === "--parallel" ? " of at least 1" : ""} (got ${text})`,
    );
  }
  return n;
}

/** The selected clusters and every spec of their environments. */
export interface LoadedClusters {
  readonly clusters: ClusterSpec[];
  /** Every spec of the selected clusters' environments (names are unique among these). */
  readonly environmentSpecs: ClusterSpec[];
}

/**
 * Loads and filters the specs, then every spec of their environments (a name must be unique among
 * those, even when one file is given); prints problems and returns undefined (exit 2) when there are any.
 */
export function loadClusters(
  paths: string[],
  flags: Pick<FleetFlags, "env" | "cluster">,
  ctx: CommandContext,
): LoadedClusters | undefined {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadFleet, formatIssue } = require("../spec") as typeof import("../spec");
  const { loadEnvironmentSpecs, specDirs } =
    require("./environment-specs") as typeof import("./environment-specs");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const fleet = loadFleet(specPaths(paths, ctx.cwd), { environment: flags.env, cwd: ctx.cwd });
  if (fleet.issues.length > 0) {
    for (const issue of fleet.issues) ctx.io.err(formatIssue(issue));
    ctx.io.err(`${fleet.issues.length} problem(s) in the specs; no stack was touched.`);
    return undefined;
  }
  const environmentNames = [...new Set(fleet.environments.map((e) => e.name))];
  if (flags.env !== undefined && !environmentNames.includes(flags.env)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownEnvironment } = require("../cli/did-you-mean") as typeof import("../cli/did-you-mean");
    ctx.io.err(`${unknownEnvironment(flags.env, environmentNames, paths)}; no stack was touched.`);
    return undefined;
  }
  const wanted = flags.cluster ?? [];
  const selected =
    wanted.length === 0 ? fleet.clusters : fleet.clusters.filter((c) => wanted.includes(c.name));
  const missing = wanted.filter((w) => !fleet.clusters.some((c) => c.name === w));
  if (missing.length > 0) {
    ctx.io.err(
      `--cluster ${missing.join(", ")}: no such cluster (allowed: ${fleet.clusters.map((c) => c.name).join(", ")})`,
    );
    return undefined;
  }
  if (selected.length === 0) {
    ctx.io.err(
      `no cluster spec found${flags.env ? ` for environment ${flags.env}` : ""}; no stack was touched.`,
    );
    return undefined;
  }
  const environments = [...new Set(selected.map((c) => c.environment))];
  const all = loadEnvironmentSpecs(ctx.cwd, environments, specDirs(selected, ctx.cwd), ctx.cwd);
  if (all.issues.length > 0) {
    for (const issue of all.issues) ctx.io.err(formatIssue(issue));
    ctx.io.err(
      `${all.issues.length} problem(s) in the specs of environment ${environments.join(", ")}: cluster ` +
        `names and orphan stacks are judged against every spec of an environment, not only the ones ` +
        `selected; no stack was touched.`,
    );
    return undefined;
  }
  const files = new Set(selected.map((c) => c.source.clusterFile));
  return {
    clusters: all.clusters.filter((c) => files.has(c.source.clusterFile)),
    environmentSpecs: all.clusters,
  };
}

/**
 * `destroy` needs an explicit scope: `--env` and `--cluster` or spec paths, or `--all` with the
 * environment's name typed back (`--confirm-env`). Returns the refusal, or undefined.
 */
export function destroyScopeProblem(paths: readonly string[], flags: FleetFlags): string | undefined {
  const named = (flags.cluster ?? []).length > 0 || paths.length > 0;
  if (flags.env === undefined)
    return "destroy needs --env <environment> and --cluster <name> or spec paths (or --all --confirm-env <environment>); no stack was touched";
  if (flags.all && named)
    return "destroy --all takes every cluster of --env; it does not combine with --cluster or spec paths; no stack was touched";
  if (flags.all) {
    if (flags.confirmEnv !== flags.env)
      return (
        `destroy --all --env ${flags.env} destroys every unprotected cluster of ${flags.env}; type the ` +
        `environment name back with --confirm-env ${flags.env}` +
        (flags.confirmEnv !== undefined ? ` (got --confirm-env ${flags.confirmEnv})` : "") +
        `; no stack was touched`
      );
    return undefined;
  }
  if (!named)
    return `destroy needs --cluster <name> or spec paths to say which clusters of ${flags.env} to destroy (every cluster: --all --confirm-env ${flags.env}); no stack was touched`;
  return undefined;
}

const ORPHAN_WORDS: Record<import("./run-fleet").OrphanStack["action"], string> = {
  listed: "listed (destroy with --prune --yes)",
  protected: "kept (protected)",
  "would-destroy": "dry run: would destroy (state exported first)",
  destroyed: "destroyed",
  failed: "FAILED",
};

/** Runs a fleet operation for the CLI; resolves to the exit code. */
export async function runFleetCommand(
  operation: Operation | "reconcile",
  paths: string[],
  flags: FleetFlags,
  ctx: CommandContext,
  deps: FleetCommandDeps = {},
): Promise<number> {
  if (flags.local === true && operation !== "reconcile") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const local = require("./local/simulation") as typeof import("./local/simulation");
    const io = local.simulationIo(ctx.io);
    const simCtx: CommandContext = { ...ctx, io };
    io.out(local.SIMULATION_NOTICE);
    const code = await runSimulated(operation, paths, flags, simCtx, deps);
    io.out(`${local.SIMULATION_NOTICE} (exit ${code})`);
    return code;
  }
  return runFleetCommandOn(operation, paths, flags, ctx, deps);
}

/** `--local`: the run inside a simulation (its clusters, environment, program and plugins). */
async function runSimulated(
  operation: Operation,
  paths: string[],
  flags: FleetFlags,
  ctx: CommandContext,
  deps: FleetCommandDeps,
): Promise<number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const local = require("./local/simulation") as typeof import("./local/simulation");
  const { FleetError } = require("./errors") as typeof import("./errors");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const loaded = loadClusters(paths, flags, ctx);
  if (!loaded) return EXIT.invalid;
  if (operation === "destroy")
    ctx.io.out(
      "destroy: no ordered teardown through the clusters' APIs first (docs/adr/0016): a simulated cluster has none",
    );
  try {
    return await local.withSimulation(ctx.cwd, loaded.clusters, (sim) =>
      runFleetCommandOn(operation, paths, flags, ctx, {
        ...deps,
        env: sim.env,
        program: sim.program,
        // The stand-ins are on PATH, not installed: nothing to look for in the plugin cache.
        plugins: [],
        clusters: (c) => local.simulatedClusters(c, ctx.cwd),
        simulation: local.SIMULATION_NOTICE,
        teardown: false,
      }),
    );
  } catch (e) {
    if (e instanceof FleetError) {
      ctx.io.err(`xcluster ${operation}: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

async function runFleetCommandOn(
  operation: Operation | "reconcile",
  paths: string[],
  flags: FleetFlags,
  ctx: CommandContext,
  deps: FleetCommandDeps,
): Promise<number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { FleetError } = require("./errors") as typeof import("./errors");
  const { runFleet, preflight } = require("./run-fleet") as typeof import("./run-fleet");
  const { reconcile } = require("./reconcile") as typeof import("./reconcile");
  const { findPulumi } = require("./pulumi-cli") as typeof import("./pulumi-cli");
  const { missingPrerequisites, PrerequisitesMissingError } =
    require("./preflight") as typeof import("./preflight");
  const { layout } = require("./layout") as typeof import("./layout");
  const { parseKeyValues } = require("./stack-config") as typeof import("./stack-config");
  const { parseSelector } = require("./waves") as typeof import("./waves");
  const report = require("./report") as typeof import("./report");
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (operation === "destroy") {
    const refused = destroyScopeProblem(paths, flags);
    if (refused !== undefined) {
      ctx.io.err(`xcluster destroy: ${refused}`);
      return EXIT.invalid;
    }
  }
  const loaded = loadClusters(paths, flags, ctx);
  if (!loaded) return EXIT.invalid;
  const asRun = deps.clusters ?? ((c: readonly ClusterSpec[]) => [...c]);
  const clusters = asRun(loaded.clusters);
  if (operation === "preview" || operation === "up" || operation === "reconcile") {
    const refused = await quotaRefusals(clusters, loaded.environmentSpecs, ctx, deps);
    if (refused) return EXIT.quota;
  }
  const env = deps.env ?? process.env;
  const controller = new AbortController();
  const onSigint = () => {
    ctx.io.err("interrupted: cancelling running operations, starting no new ones (Ctrl-C again to force)");
    controller.abort();
    process.removeListener("SIGINT", onSigint);
  };
  deps.signal?.addEventListener("abort", () => controller.abort());
  const ambiguous = new Set(clusters.map((c) => c.name)).size < clusters.length;
  const prefix = (c: ClusterSpec) => (ambiguous ? `[${c.environment}/${c.name}]` : `[${c.name}]`);
  try {
    const secretFromEnv: Record<string, string> = parseKeyValues(flags.secretEnv ?? [], "--secret-env");
    const options = {
      root: ctx.cwd,
      specCwd: ctx.cwd,
      parallel: positiveInt(flags.parallel, "--parallel"),
      canary: {
        names: flags.canary ?? [],
        ...(flags.canarySelector !== undefined ? { selector: parseSelector(flags.canarySelector) } : {}),
      },
      failFast: flags.failFast === true,
      lockRetries: positiveInt(flags.lockRetries, "--lock-retries") ?? 3,
      ...(deps.lockRetryDelayMs !== undefined ? { lockRetryDelayMs: deps.lockRetryDelayMs } : {}),
      policyPack: flags.policy === false ? (false as const) : flags.policyPack,
      ...(flags.offlinePolicy === false || deps.policyGate === false
        ? {}
        : { policyGate: deps.policyGate ?? offlinePolicyGate() }),
      yes: flags.yes === true,
      prune: flags.prune === true,
      dryRun: flags.dryRun === true,
      moveSpec: flags.moveSpec === true,
      forceOrphans: flags.forceOrphans === true,
      teardownLimits: {
        ...deps.teardownLimits,
        ...(flags.teardownTimeout !== undefined
          ? { deadlineMs: (positiveInt(flags.teardownTimeout, "--teardown-timeout") ?? 0) * 1000 }
          : {}),
      },
      environmentSpecs: asRun(loaded.environmentSpecs),
      ...(deps.teardown === false ? { teardown: false as const } : {}),
      ...(deps.program !== undefined ? { program: deps.program } : {}),
      ...(deps.plugins !== undefined ? { plugins: deps.plugins } : {}),
      env,
      extraConfig: { plain: parseKeyValues(flags.config ?? [], "--config"), secretFromEnv },
      signal: controller.signal,
      onProgress: (c: ClusterSpec, line: string) => ctx.io.out(`${prefix(c)} ${line}`),
      progressIntervalMs: deps.progressIntervalMs ?? 1000,
    };
    // Refusals (no --yes, protected clusters) come before the CLI is even looked for.
    const op = operation === "reconcile" ? "up" : operation;
    preflight(op, clusters, options);
    const found =
      deps.pulumi ??
      (await findPulumi({ root: flags.pulumiRoot, projectRoot: ctx.cwd, env }).catch(
        (e: unknown) => e as Error,
      ));
    if (found instanceof Error) {
      // Without a CLI, say at once everything else that is missing too.
      const creating = op === "preview" || op === "up";
      const missing = await missingPrerequisites(clusters, {
        layout: layout(ctx.cwd),
        pulumi: found,
        env,
        plugins: creating ? (deps.plugins ?? (deps.program ? [] : undefined)) : [],
      });
      throw new PrerequisitesMissingError(missing);
    }
    const pulumi = found;
    process.on("SIGINT", onSigint);
    const ran =
      operation === "reconcile"
        ? await reconcile(clusters, { ...options, pulumi })
        : await runFleet(operation, clusters, { ...options, pulumi });
    const result = deps.simulation !== undefined ? { ...ran, simulation: deps.simulation } : ran;
    ctx.io.out(report.renderTable(result));
    for (const o of result.orphans ?? []) {
      ctx.io.out(
        `orphan stack ${o.stack} (no spec): ${ORPHAN_WORDS[o.action]}${o.message ? ` — ${o.message}` : ""}`,
      );
    }
    if (flags.json) ctx.io.out(`JSON report: ${report.writeReport(flags.json, report.renderJson(result))}`);
    if (flags.markdown)
      ctx.io.out(`Markdown report: ${report.writeReport(flags.markdown, report.renderMarkdown(result))}`);
    ctx.io.out(report.summaryLine(result));
    return result.exitCode;
  } catch (e) {
    if (e instanceof FleetError) {
      ctx.io.err(`xcluster ${operation}: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

/** Prints each exceeded quota and returns true when the run must not start (exit 5, nothing touched). */
async function quotaRefusals(
  clusters: readonly ClusterSpec[],
  environmentSpecs: readonly ClusterSpec[],
  ctx: CommandContext,
  deps: FleetCommandDeps,
): Promise<boolean> {
  const gate = deps.capacityGate ?? capacityRefusals;
  const refusals = await gate(clusters, environmentSpecs);
  for (const r of refusals) ctx.io.err(r);
  if (refusals.length > 0) ctx.io.err(`${refusals.length} quota problem(s); no stack was touched.`);
  return refusals.length > 0;
}
