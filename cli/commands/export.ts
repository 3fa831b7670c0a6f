/**
 * `xcluster export operator [paths…]`: one Pulumi Kubernetes Operator `Stack` object per cluster (YAML), so
 * a management cluster can reconcile the fleet from git continuously.
 */
import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { EXIT } from "../exit-codes";
import type { CommandContext } from "../context";

interface ExportFlags {
  readonly env?: string;
  readonly cluster?: string[];
  readonly repo?: string;
  readonly branch: string;
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
    .option("--branch <branch>", "branch the operator tracks", "main")
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

function originRemote(cwd: string): string | undefined {
  try {
    const text = fs.readFileSync(path.join(cwd, ".git", "config"), "utf8");
    return /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(text)?.[1];
  } catch {
    return undefined;
  }
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
      branch: flags.branch,
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
