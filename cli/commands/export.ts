/**
 * `xcluster export operator [paths…]`: one Pulumi Kubernetes Operator `Stack` object per cluster (YAML), so
 * a management cluster can reconcile the fleet from git continuously.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { EXIT } from "../exit-codes";
import type { CommandContext } from "../context";

interface ExportFlags {
  readonly env?: string;
  readonly cluster?: string[];
  readonly repo?: string;
  readonly branch?: string;
  readonly repoDir?: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly backend?: string;
  readonly credentialsSecret: string;
  readonly resyncSeconds: string;
  readonly out?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerExport(program: Command, ctx: CommandContext): void {
  // Output and exit handling first: `operator` inherits them when it is created.
  const exp = program
    .command("export")
    .description("export the fleet for other tools")
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  exp
    .command("operator")
    .description("write one Pulumi Kubernetes Operator Stack object per cluster (multi-document YAML)")
    .argument("[paths...]", "spec files or directories (default: every spec under stacks/)")
    .option("--env <environment>", "only clusters of this environment")
    .option("--cluster <name>", "only this cluster (repeatable)", collect)
    .option("--repo <url>", "git repository the operator clones (default: this checkout's origin remote)")
    .option(
      "--branch <branch>",
      `branch the operator tracks (default: this checkout's current branch; ${FALLBACK_BRANCH} outside git or on a detached HEAD)`,
    )
    .option("--repo-dir <dir>", "directory of Pulumi.yaml inside the repository (default: its root)")
    .option("--namespace <ns>", "namespace of the Stack objects", "pulumi-operator")
    .option("--service-account <name>", "service account of the operator's workspace pods", "pulumi")
    .option("--backend <url>", "backend URL for clusters whose environment uses the local file backend")
    .option(
      "--credentials-secret <name>",
      "Secret with PULUMI_CONFIG_PASSPHRASE, VAULT_TOKEN, backend keys",
      "xcluster-credentials",
    )
    .option("--resync-seconds <n>", "how often the operator re-runs each stack", "600")
    .option("--out <file>", "write to this file instead of stdout")
    .action((paths: string[], flags: ExportFlags) => {
      ctx.exitCode = exportOperator(paths, flags, ctx);
    });
}

/** The branch `--branch` falls back to where git names none. */
const FALLBACK_BRANCH = "main";

/** `git <args>` in `cwd`: its first output line, or undefined when git fails (not a checkout, no such ref). */
function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    const out = execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out.trim().split("\n")[0] || undefined;
  } catch {
    return undefined;
  }
}

/** The checkout's current branch; `symbolic-ref` also names an unborn branch and fails on a detached HEAD. */
function currentBranch(cwd: string): string | undefined {
  return git(cwd, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
}

/** The origin remote's URL (worktrees included: git reads the shared config). */
function originRemote(cwd: string): string | undefined {
  return git(cwd, ["config", "--get", "remote.origin.url"]);
}

/**
 * True when a repository address names a directory on this machine rather than a server: a path, or a
 * `file://` URL. Anything with a scheme (https://, ssh://, git://) or git's scp-like `host:path` form names
 * a server.
 */
export function isLocalRepo(repo: string): boolean {
  if (/^file:/i.test(repo)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) return false;
  // scp-like syntax: `[user@]host:path`, no slash before the first colon (git-clone(1), "GIT URLS").
  return !/^[^/:]+:/.test(repo);
}

function exportOperator(paths: string[], flags: ExportFlags, ctx: CommandContext): number {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadClusters } = require("../../fleet/command") as typeof import("../../fleet/command");
  const { FleetError } = require("../../fleet/errors") as typeof import("../../fleet/errors");
  const { renderOperatorStacks } =
    require("../../fleet/operator-export") as typeof import("../../fleet/operator-export");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const clusters = loadClusters(paths, flags, ctx)?.clusters;
  if (!clusters) return EXIT.invalid;
  const repo = flags.repo ?? originRemote(ctx.cwd);
  if (repo === undefined) {
    ctx.io.err("export operator: --repo <url> is required (this checkout has no origin remote)");
    return EXIT.invalid;
  }
  if (isLocalRepo(repo)) {
    ctx.io.err(
      `export operator: warning: --repo ${repo} is a path on this machine${flags.repo === undefined ? " (this checkout's origin remote)" : ""}; ` +
        `the operator clones the repository from its own pods and needs a URL it can reach (pass --repo https://… or ssh://…)`,
    );
  }
  let branch = flags.branch ?? currentBranch(ctx.cwd);
  if (branch === undefined) {
    branch = FALLBACK_BRANCH;
    ctx.io.err(
      `export operator: --branch: ${ctx.cwd} is not on a git branch (not a checkout, or a detached HEAD); using ${FALLBACK_BRANCH}`,
    );
  }
  const resync = Number(flags.resyncSeconds);
  if (!Number.isInteger(resync) || resync < 60) {
    ctx.io.err(
      `export operator: --resync-seconds: expected a whole number of at least 60 (got ${flags.resyncSeconds})`,
    );
    return EXIT.invalid;
  }
  try {
    const yaml = renderOperatorStacks(clusters, {
      projectRepo: repo,
      branch,
      ...(flags.repoDir ? { repoDir: flags.repoDir } : {}),
      namespace: flags.namespace,
      serviceAccountName: flags.serviceAccount,
      ...(flags.backend ? { backend: flags.backend } : {}),
      credentialsSecret: flags.credentialsSecret,
      resyncFrequencySeconds: resync,
      root: ctx.cwd,
    });
    if (flags.out) {
      fs.mkdirSync(path.dirname(path.resolve(ctx.cwd, flags.out)), { recursive: true });
      fs.writeFileSync(path.resolve(ctx.cwd, flags.out), yaml);
      ctx.io.out(`${clusters.length} Stack object(s) written to ${flags.out}`);
    } else {
      ctx.io.out(yaml);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof FleetError) {
      ctx.io.err(`export operator: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
