/**
 * GitOps reconcile: the specs are the source of truth. Stacks that are missing are created and stacks
 * that exist are updated (one `up` each — unchanged clusters come back with no changes); stacks in the
 * backend that no spec names are listed, and destroyed (state exported first) and removed only with
 * `prune` and `yes`.
 *
 * Safety: a stack is an orphan only when no spec of its environment names it — every spec of the
 * environment, whatever was selected — and `prune` on a selection that leaves out some of an
 * environment's specs is refused. `prune` lists what it would destroy before it asks for `yes`, and never
 * destroys a stack whose last run recorded protection (or recorded nothing: see `orphanProtection`).
 */
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import { formatIssue } from "../spec";
import { EXIT } from "../cli/exit-codes";
import { backendStacks, backendWorkspace, cliEnv, stackTags } from "./backend";
import { InvalidRunError, firstLine } from "./errors";
import { reconcileDryRun } from "./dry-run";
import { requireEnvironmentSpecs, specDirs, unselected } from "./environment-specs";
import { backendUrl, layout, workspaceDir, type Layout } from "./layout";
import { backupState } from "./operation";
import { programPlugins, requirePrerequisites } from "./preflight";
import { preflight, runFleet, type FleetOptions, type FleetReport, type OrphanStack } from "./run-fleet";
import {
  orphanProtection,
  PROTECT_TAG,
  readStackRecords,
  refuseRepointing,
  SPEC_TAG,
} from "./spec-ownership";
import { specRemoval } from "./spec-history";
import { PROJECT_NAME, parseStackName, stackName } from "./stack-name";
import { planWaves } from "./waves";
import { stackTeardown } from "./teardown-step";
import type { TeardownReport } from "../teardown/teardown";

export { listBackendStacks } from "./backend";

export interface ReconcileOptions extends FleetOptions {
  /** Destroy and remove orphan stacks (needs `yes`, refused on a partial selection). @default false */
  readonly prune?: boolean;
  /** Environments whose orphans are considered. @default the environments of the specs */
  readonly environments?: readonly string[];
  /**
   * Every spec of those environments (orphans are judged against these, not the selection).
   * @default loaded from `<root>/stacks` and the selected specs' directories
   */
  readonly environmentSpecs?: readonly ClusterSpec[];
}

type Orphan = Omit<OrphanStack, "action"> & {
  /** `unconfirmed`: recorded unprotected, but this checkout's history never removed its spec file. */
  protection: ReturnType<typeof orphanProtection> | "unconfirmed";
  /** The spec file the stack records (`xcluster:spec`), when it records one. */
  specPath?: string;
};

/**
 * An orphan recorded as unprotected is destroyable only when this checkout can show its spec's removal
 * (or has no git history to consult). Otherwise the spec may live on another branch, or after this
 * checkout's HEAD: a stale checkout would destroy a live cluster.
 */
function judged(
  root: string,
  tags: Readonly<Record<string, string>>,
): Pick<Orphan, "protection" | "specPath"> {
  const protection = orphanProtection(tags);
  const specPath = tags[SPEC_TAG];
  if (specPath === undefined || specPath === "") return { protection };
  if (protection === "unprotected" && specRemoval(root, specPath) === "not-removed-here") {
    return { protection: "unconfirmed", specPath };
  }
  return { protection, specPath };
}

function orphanLine(o: Orphan): string {
  return `${o.stack}${o.resourceCount !== undefined ? ` (${o.resourceCount} resource(s))` : ""}`;
}

function keptReason(o: Orphan): string {
  if (o.protection === "protected") {
    return `kept: its last preview or up recorded ${PROTECT_TAG}=true (the cluster was protected)`;
  }
  if (o.protection === "unconfirmed") {
    return (
      `kept: its spec ${o.specPath ?? "?"} was never removed in this checkout's history (added on another ` +
      `branch, or this checkout is behind); update the checkout, or prune from the branch that removed it`
    );
  }
  return (
    `kept: it records no ${PROTECT_TAG} tag, so its protection is unknown; after checking it, ` +
    `\`pulumi stack tag set ${PROTECT_TAG} false --stack ${o.stack}\` lets --prune destroy it`
  );
}

export async function reconcile(
  clusters: readonly ClusterSpec[],
  options: ReconcileOptions,
): Promise<FleetReport> {
  preflight("up", clusters, options);
  const l = layout(options.root);
  const cwd = options.specCwd ?? options.root;
  const env = options.env ?? process.env;
  const scope = [...new Set(options.environments ?? clusters.map((c) => c.environment))].sort();
  const known =
    options.environmentSpecs ??
    requireEnvironmentSpecs(options.root, scope, specDirs(clusters, cwd), cwd, formatIssue);
  if (options.prune) {
    const left = unselected(clusters, known, scope);
    if (left.length > 0) {
      throw new InvalidRunError(
        `--prune needs every spec of environment ${scope.join(", ")}, but this run leaves out ` +
          `${left.map((c) => `${c.environment}/${c.name} (${c.source.clusterFile})`).join(", ")}; ` +
          `run reconcile --prune on whole environments (--env E, no --cluster or paths); no stack was touched`,
      );
    }
  }
  await requirePrerequisites(clusters, {
    layout: l,
    pulumi: options.pulumi,
    env,
    plugins: options.plugins ?? (options.program ? [] : programPlugins()),
  });

  const access = { pulumi: options.pulumi, env };
  const inScope = known.filter((c) => scope.includes(c.environment));
  const backends = new Set([...clusters, ...inScope].map((c) => backendUrl(c, l)));
  if (backends.size === 0) backends.add(`file://${l.stateDir}`);
  const wanted = new Set(inScope.map(stackName));
  const orphans: Orphan[] = [];
  for (const url of backends) {
    const ws = await backendWorkspace(url, l, access);
    for (const s of await backendStacks(ws)) {
      const parsed = parseStackName(s.name);
      if (!parsed || !scope.includes(parsed.environment) || wanted.has(s.name)) continue;
      const tags = await stackTags(ws, s.name);
      orphans.push({
        stack: s.name,
        ...parsed,
        backend: url,
        ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
        ...judged(l.root, tags),
      });
    }
  }
  const doomed = orphans.filter((o) => o.protection === "unprotected");
  const kept = orphans.filter((o) => o.protection !== "unprotected");
  if (options.prune && !options.yes && !options.dryRun) {
    throw new InvalidRunError(
      `--prune would destroy ${doomed.length} orphan stack(s) (no spec in the repository; state exported ` +
        `first): ${doomed.map(orphanLine).join(", ") || "none"}` +
        (kept.length > 0 ? `; and keep ${kept.map((o) => `${o.stack} (${keptReason(o)})`).join("; ")}` : "") +
        `. Pass --yes to confirm (no stack was touched)`,
    );
  }

  const records = await readStackRecords(clusters, l, access);
  refuseRepointing(clusters, records, l, cwd, options.moveSpec === true);

  const say = (o: Orphan, line: string) => options.onProgress?.(orphanSpecStub(o), line);
  for (const o of orphans) say(o, `stack ${o.stack} has no spec (orphan)`);
  const decide = (o: Orphan): OrphanStack["action"] => {
    if (!options.prune) return "listed";
    if (o.protection !== "unprotected") return "protected";
    return "would-destroy";
  };

  if (options.dryRun) {
    const now = options.now ?? Date.now;
    const report = reconcileDryRun(clusters, records, {
      ...options,
      layout: l,
      started: now(),
      now,
      parallel: options.parallel ?? 1,
      waves: planWaves(clusters, options.canary),
    });
    const handled = orphans.map((o) => ({ ...strip(o), action: decide(o) }));
    for (const o of orphans) if (decide(o) === "protected") say(o, keptReason(o));
    return { ...report, orphans: handled };
  }

  const report = await runFleet("up", clusters, { ...options, prerequisitesChecked: true });
  const handled: OrphanStack[] = [];
  for (const o of orphans) {
    const action = decide(o);
    if (action !== "would-destroy" || options.signal?.aborted) {
      if (action === "protected") say(o, keptReason(o));
      handled.push({ ...strip(o), action: action === "would-destroy" ? "listed" : action });
      continue;
    }
    handled.push(await destroyOrphan(strip(o), l, options));
  }
  const failedOrphans = handled.filter((o) => o.action === "failed");
  const orphanCode =
    failedOrphans.length === 0 ? EXIT.ok : failedOrphans.every((o) => o.refused) ? EXIT.orphans : EXIT.failed;
  const exitCode = report.exitCode !== EXIT.ok ? report.exitCode : orphanCode;
  return { ...report, exitCode, orphans: handled };
}

function strip(o: Orphan): Omit<OrphanStack, "action"> {
  const { protection: _, specPath: __, ...rest } = o;
  return rest;
}

/** Enough of a spec for progress lines about a stack that has none. */
function orphanSpecStub(o: { environment: string; cluster: string }): ClusterSpec {
  return { name: o.cluster, environment: o.environment } as ClusterSpec;
}

async function destroyOrphan(
  o: Omit<OrphanStack, "action">,
  l: Layout,
  options: ReconcileOptions,
): Promise<OrphanStack> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const auto = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  const workDir = workspaceDir(l, o.stack);
  fs.mkdirSync(workDir, { recursive: true });
  const say = (line: string) => options.onProgress?.(orphanSpecStub(o), line);
  let backup: string | undefined;
  try {
    // The spec is gone, so is its program; destroy works from the state alone (the program is not run).
    const stack = await auto.LocalWorkspace.selectStack(
      { stackName: o.stack, projectName: PROJECT_NAME, program: async () => ({}) },
      {
        workDir,
        pulumiCommand: options.pulumi,
        projectSettings: { name: PROJECT_NAME, runtime: "nodejs", backend: { url: o.backend } },
        envVars: cliEnv(options.env ?? process.env),
      },
    );
    backup = await backupState(stack, { layout: l, now: options.now ?? Date.now });
    say(`state exported to ${path.relative(l.root, backup)}`);
    const destroy = () => stack.destroy({ color: "never", signal: options.signal });
    let teardown: TeardownReport | undefined;
    if (options.teardown !== false) {
      // The same ordered teardown as `destroy` (docs/adr/0016): the cluster's LoadBalancer Services and
      // Cinder claims go through its own controllers first, or the destroy is refused with the orphans.
      const run = stackTeardown(
        { cluster: o.cluster },
        {
          forceOrphans: options.forceOrphans === true,
          ...(options.teardownLimits ? { limits: options.teardownLimits } : {}),
        },
        options.now ?? Date.now,
      );
      const exported = JSON.parse(fs.readFileSync(backup, "utf8")) as unknown;
      const done = await run(
        { outputs: await stack.outputs(), exported },
        destroy,
        say,
        (r) => (teardown = r),
      );
      teardown = done.report;
      if (done.report.refused) {
        const message =
          `orphan stack ${o.stack}: destroy refused: its cluster could not be cleaned first ` +
          `(${done.report.orphans.length} kind(s) of cloud resources would be orphaned); --force-orphans destroys anyway`;
        say(message);
        return { ...o, action: "failed", refused: true, message, backup, teardown };
      }
    } else {
      await destroy();
    }
    await stack.workspace.removeStack(o.stack);
    say(`orphan stack ${o.stack} destroyed and removed`);
    return { ...o, action: "destroyed", backup, ...(teardown !== undefined ? { teardown } : {}) };
  } catch (e) {
    const message = `orphan stack ${o.stack}: destroy failed: ${firstLine((e as Error).message)}`;
    say(message);
    return { ...o, action: "failed", message, ...(backup !== undefined ? { backup } : {}) };
  }
}
