/**
 * GitOps reconcile: the specs are the source of truth. Stacks that are missing are created and stacks
 * that exist are updated (one `up` each — unchanged clusters come back with no changes); stacks in the
 * backend that no spec names are listed, and destroyed (state exported first) and removed only with
 * `prune` and `yes`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import { EXIT } from "../cli/exit-codes";
import { InvalidRunError, firstLine } from "./errors";
import { backendUrl, ensureBackendDir, layout, workspaceDir, type Layout } from "./layout";
import { backupState } from "./operation";
import { preflight, runFleet, type FleetOptions, type FleetReport, type OrphanStack } from "./run-fleet";
import { PROJECT_NAME, parseStackName, stackName } from "./stack-name";

export interface ReconcileOptions extends FleetOptions {
  /** Destroy and remove orphan stacks (needs `yes`). @default false */
  readonly prune?: boolean;
  /** Environments whose orphans are considered. @default the environments of the specs */
  readonly environments?: readonly string[];
}

function envVars(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
  for (const k of [
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "PULUMI_HOME",
    "PULUMI_ACCESS_TOKEN",
  ]) {
    const v = env[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

/** Stack names in one backend (for this project), through a workspace that belongs to no stack. */
export async function listBackendStacks(url: string, l: Layout, options: FleetOptions): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const auto = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  const id = crypto.createHash("sha1").update(url).digest("hex").slice(0, 10);
  const workDir = path.join(l.workspacesDir, `_backend-${id}`);
  fs.mkdirSync(workDir, { recursive: true });
  ensureBackendDir(url);
  const ws = await auto.LocalWorkspace.create({
    workDir,
    pulumiCommand: options.pulumi,
    projectSettings: { name: PROJECT_NAME, runtime: "nodejs", backend: { url } },
    envVars: envVars(options.env ?? process.env),
  });
  return (await ws.listStacks()).map((s) => s.name.slice(s.name.lastIndexOf("/") + 1));
}

export async function reconcile(
  clusters: readonly ClusterSpec[],
  options: ReconcileOptions,
): Promise<FleetReport> {
  if (options.prune && !options.yes) {
    throw new InvalidRunError(
      "--prune destroys every stack without a spec; pass --yes to confirm (no stack was touched)",
    );
  }
  preflight("up", clusters, options);
  const l = layout(options.root);
  const scope = new Set(options.environments ?? clusters.map((c) => c.environment));
  const backends = new Set(clusters.map((c) => backendUrl(c, l)));
  if (backends.size === 0) backends.add(`file://${l.stateDir}`);
  const wanted = new Set(clusters.map(stackName));

  const orphans: { stack: string; environment: string; cluster: string; backend: string }[] = [];
  for (const url of backends) {
    for (const name of await listBackendStacks(url, l, options)) {
      const parsed = parseStackName(name);
      if (!parsed || !scope.has(parsed.environment) || wanted.has(name)) continue;
      orphans.push({ stack: name, ...parsed, backend: url });
    }
  }
  for (const o of orphans) options.onProgress?.(orphanSpecStub(o), `stack ${o.stack} has no spec (orphan)`);

  const report = await runFleet("up", clusters, options);
  const handled: OrphanStack[] = [];
  for (const o of orphans) {
    if (!options.prune || options.signal?.aborted) {
      handled.push({ ...o, action: "listed" });
      continue;
    }
    handled.push(await destroyOrphan(o, l, options));
  }
  const failedOrphan = handled.some((o) => o.action === "failed");
  const exitCode = report.exitCode !== EXIT.ok ? report.exitCode : failedOrphan ? EXIT.failed : EXIT.ok;
  return { ...report, exitCode, orphans: handled };
}

/** Enough of a spec for progress lines about a stack that has none. */
function orphanSpecStub(o: { environment: string; cluster: string }): ClusterSpec {
  return { name: o.cluster, environment: o.environment } as ClusterSpec;
}

async function destroyOrphan(
  o: { stack: string; environment: string; cluster: string; backend: string },
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
        envVars: envVars(options.env ?? process.env),
      },
    );
    backup = await backupState(stack, { layout: l, now: options.now ?? Date.now });
    say(`state exported to ${path.relative(l.root, backup)}`);
    await stack.destroy({ color: "never", signal: options.signal });
    await stack.workspace.removeStack(o.stack);
    say(`orphan stack ${o.stack} destroyed and removed`);
    return { ...o, action: "destroyed", backup };
  } catch (e) {
    const message = `orphan stack ${o.stack}: destroy failed: ${firstLine((e as Error).message)}`;
    say(message);
    return { ...o, action: "failed", message, ...(backup !== undefined ? { backup } : {}) };
  }
}
