/**
 * `xcluster plan [paths…]`: the whole fleet rendered under Pulumi's mock runtime and checked against the
 * policy pack, offline (no pulumi CLI, no credentials). Exit 2 for an invalid spec (before anything runs),
 * 1 when a cluster could not be planned, 5 when the fleet does not fit a declared project quota,
 * 3 for a mandatory violation, else 0.
 */
import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { EXIT } from "../exit-codes";
import { specPaths, type CommandContext } from "../context";

export interface PlanFlags {
  readonly env?: string;
  /** Write the JSON report here. */
  readonly json?: string;
  /** Write the Markdown report (tables, findings, Mermaid diagrams) here. */
  readonly markdown?: string;
  /** Worker processes. @default one per core */
  readonly workers?: string;
  /** Plan in this process, one cluster after another. */
  readonly serial?: boolean;
  /** Per-cluster timeout in seconds. @default 120 */
  readonly timeout?: string;
  /** Compare with this earlier `--json` report: boot config out of date, nodes added/removed, upgrades, quota deltas. */
  readonly baseline?: string;
  /** false with `--no-cache`: plan every cluster, neither read nor write `.xcluster/plan-cache/`. */
  readonly cache?: boolean;
  /** Only the clusters whose spec or environment file changed since this git ref. */
  readonly changedSince?: string;
}

export function registerPlan(program: Command, ctx: CommandContext): void {
  program
    .command("plan")
    .description(
      "offline: run every cluster program under Pulumi's mock runtime, record what it would create, check the policy pack (default: every spec under stacks/)",
    )
    .argument("[paths...]", "spec files or directories")
    .option("--env <environment>", "only clusters of this environment")
    .option("--json <file>", "write the report as JSON")
    .option("--markdown <file>", "write the report as Markdown, with a Mermaid diagram per cluster")
    .option("--workers <n>", "worker processes (default: one per core)")
    .option("--serial", "plan in this process, one cluster after another")
    .option("--timeout <seconds>", "give up on a cluster after this long", "120")
    .option(
      "--baseline <file>",
      "compare with an earlier plan --json report: nodes whose boot config is out of date, the RKE2 upgrade, what the change adds to or frees from the quotas",
    )
    .option(
      "--changed-since <ref>",
      "only the clusters whose spec or environment file changed since this git ref (committed since the branch left it, or not committed yet)",
    )
    .option("--no-cache", "plan every cluster again: neither read nor write .xcluster/plan-cache/")
    .action(async (paths: string[], flags: PlanFlags) => {
      ctx.exitCode = await plan(paths, flags, ctx);
    });
}

function positiveInt(
  flag: string,
  value: string | undefined,
  ctx: CommandContext,
): number | undefined | null {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    ctx.io.err(`xcluster plan: ${flag}: not a positive whole number (got ${JSON.stringify(value)})`);
    return null;
  }
  return n;
}

export async function plan(paths: string[], flags: PlanFlags, ctx: CommandContext): Promise<number> {
  const workers = positiveInt("--workers", flags.workers, ctx);
  const timeout = positiveInt("--timeout", flags.timeout, ctx);
  if (workers === null || timeout === null) return EXIT.invalid;
  const started = Date.now();
  // The first plan worker loads Pulumi and the program (about a second) while this process reads and
  // validates the specs and consults the cache; stopped unused when nothing needs planning.
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const pool = require("../../plan/pool") as typeof import("../../plan/pool");
  const prestarted = flags.serial === true ? undefined : pool.prestartWorker();
  try {
    return await planSelected(paths, flags, ctx, { started, workers, timeout, prestarted });
  } finally {
    prestarted?.dispose();
  }
}

interface PlanRun {
  readonly started: number;
  readonly workers: number | undefined;
  readonly timeout: number | undefined;
  readonly prestarted: import("../../plan/pool").PrestartedWorker | undefined;
}

async function planSelected(
  paths: string[],
  flags: PlanFlags,
  ctx: CommandContext,
  { started, workers, timeout, prestarted }: PlanRun,
): Promise<number> {
  // Loaded here, not at the top: `xcluster --help` should not pay for the spec layer or the planner.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadFleet, formatIssue } = require("../../spec") as typeof import("../../spec");
  const { siblingIssues } =
    require("../../fleet/environment-specs") as typeof import("../../fleet/environment-specs");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const loaded = loadFleet(specPaths(paths, ctx.cwd), { environment: flags.env, cwd: ctx.cwd });
  // A cluster name is unique in its environment, even when one file is given: its siblings are read too.
  const fleet = { ...loaded, issues: [...loaded.issues, ...siblingIssues(loaded.clusters, ctx.cwd)] };
  if (fleet.issues.length > 0) {
    for (const issue of fleet.issues) ctx.io.err(formatIssue(issue));
    ctx.io.err(`${fleet.issues.length} problem(s); nothing was planned.`);
    return EXIT.invalid;
  }
  const environments = [...new Set(fleet.environments.map((e) => e.name))];
  if (flags.env !== undefined && !environments.includes(flags.env)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownEnvironment } = require("../did-you-mean") as typeof import("../did-you-mean");
    ctx.io.err(`xcluster plan: ${unknownEnvironment(flags.env, environments, paths)}`);
    return EXIT.invalid;
  }
  if (fleet.clusters.length === 0) {
    ctx.io.err(`xcluster plan: no cluster specs found${flags.env ? ` for environment ${flags.env}` : ""}.`);
    return EXIT.invalid;
  }
  let selected = fleet.clusters;
  if (flags.changedSince !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const changes = require("../../plan/changed-since") as typeof import("../../plan/changed-since");
    try {
      selected = changes.affectedClusters(
        fleet.clusters,
        changes.changedFiles(flags.changedSince, ctx.cwd),
        ctx.cwd,
      );
    } catch (e) {
      if (!(e instanceof changes.ChangedSinceError)) throw e;
      ctx.io.err(`xcluster plan: ${e.message}`);
      return EXIT.invalid;
    }
    ctx.io.out(
      `${selected.length} of ${fleet.clusters.length} cluster(s) affected by changes since ${flags.changedSince}\n`,
    );
  }

  /* eslint-disable @typescript-eslint/no-require-imports */
  const { planFleet } = require("../../plan/fleet") as typeof import("../../plan/fleet");
  const { clusterText, summaryLine } = require("../../plan/terminal") as typeof import("../../plan/terminal");
  const { mandatoryViolations, reportJson } =
    require("../../plan/report") as typeof import("../../plan/report");
  const capacity = require("../../plan/capacity") as typeof import("../../plan/capacity");
  const { capacityText } =
    require("../../plan/capacity-tables") as typeof import("../../plan/capacity-tables");
  const baselines = require("../../plan/baseline") as typeof import("../../plan/baseline");
  /* eslint-enable @typescript-eslint/no-require-imports */

  let baseline: import("../../plan/report").PlanReport | undefined;
  try {
    baseline =
      flags.baseline === undefined
        ? undefined
        : baselines.readBaseline(path.resolve(ctx.cwd, flags.baseline));
  } catch (e) {
    ctx.io.err(`xcluster plan: ${(e as Error).message}`);
    return EXIT.invalid;
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PlanCache } = require("../../plan/cache") as typeof import("../../plan/cache");
  const cache = flags.cache === false ? undefined : new PlanCache(ctx.cwd);
  const planned = await planFleet(selected, {
    serial: flags.serial === true,
    ...(cache !== undefined ? { cache } : {}),
    ...(prestarted !== undefined ? { prestarted } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
  });
  const compared =
    baseline === undefined
      ? planned
      : {
          clusters: planned.clusters.map((c) => {
            const since = baselines.sinceBaseline(c, baseline);
            return since === undefined ? c : { ...c, sinceBaseline: since };
          }),
        };
  const settings = capacity.capacitySettings(selected);
  let report = compared;
  try {
    if (settings.size > 0)
      report = { ...compared, capacity: capacity.fleetCapacity(compared, settings, baseline) };
  } catch (e) {
    if (!(e instanceof capacity.CapacityError)) throw e;
    ctx.io.err(`xcluster plan: capacity: ${e.message}`);
    return EXIT.invalid;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { settingOrigin } = require("../../spec/origin") as typeof import("../../spec/origin");
  const specs = new Map(selected.map((s) => [`${s.environment}/${s.name}`, s]));
  for (const c of report.clusters) {
    const spec = specs.get(`${c.environment}/${c.name}`);
    const origins = new Map<string, string>();
    for (const v of spec ? c.violations : []) {
      const origin = origins.has(v.policy) ? undefined : settingOrigin(spec!, v.policy, ctx.cwd);
      if (origin !== undefined) origins.set(v.policy, origin);
    }
    const since = c.sinceBaseline === undefined ? [] : baselines.baselineLines(c.sinceBaseline);
    ctx.io.out(`${[clusterText(c, origins), ...since].join("\n")}\n`);
  }
  if (report.capacity !== undefined) ctx.io.out(`${capacityText(report.capacity)}\n`);

  if (flags.json !== undefined) write(ctx, flags.json, reportJson(report));
  if (flags.markdown !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { reportMarkdown } = require("../../plan/markdown") as typeof import("../../plan/markdown");
    write(ctx, flags.markdown, reportMarkdown(report));
  }
  if (cache !== undefined) {
    cache.prune();
    const { hits, misses, corrupt } = cache.stats;
    ctx.io.out(
      `${misses} planned, ${hits} from cache${corrupt > 0 ? ` (${corrupt} damaged cache entr${corrupt === 1 ? "y" : "ies"} ignored and rewritten)` : ""}\n`,
    );
  }
  ctx.io.out(summaryLine(report, (Date.now() - started) / 1000));

  const refused = baselines.upgradeProblems(report);
  for (const problem of refused) ctx.io.err(problem);
  if (refused.length > 0) return EXIT.invalid;
  if (report.clusters.some((c) => c.error !== undefined)) return EXIT.failed;
  const excesses = report.capacity === undefined ? [] : capacity.quotaExcesses(report.capacity);
  if (excesses.length > 0) {
    for (const x of excesses) ctx.io.err(capacity.excessMessage(x));
    ctx.io.err(`${excesses.length} quota(s) exceeded; the fleet does not fit (exit ${EXIT.quota}).`);
    return EXIT.quota;
  }
  return mandatoryViolations(report) > 0 ? EXIT.policy : EXIT.ok;
}

function write(ctx: CommandContext, file: string, content: string): void {
  const target = path.resolve(ctx.cwd, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
}
