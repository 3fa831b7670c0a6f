/**
 * `xcluster replace <cluster> <node> --env E`: delete one node's instance and create it again with the
 * current boot config (fleet/replace.ts; the runbook is docs/operations.md, _Replace a node_).
 */
import { Option, type Command } from "commander";
import { EXIT } from "../exit-codes";
import type { CommandContext } from "../context";

interface ReplaceFlags {
  readonly env?: string;
  readonly confirmEnv?: string;
  /** `--no-policy` sets this to false. */
  readonly policy?: boolean;
  readonly policyPack?: string;
  readonly config?: string[];
  readonly secretEnv?: string[];
  readonly pulumiRoot?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerReplace(program: Command, ctx: CommandContext): void {
  program
    .command("replace")
    .description(
      "delete one node's instance and create it again on the same port, booted with the current config (drain it first; docs/operations.md)",
    )
    .argument("<cluster>", "cluster name, or <environment>/<cluster>")
    .argument("<node>", "node name, e.g. <cluster>-server-0 or <cluster>-workers-2")
    .argument("[paths...]", "spec files or directories (default: every spec under stacks/)")
    .option("--env <environment>", "the cluster's environment (needed when the name is in several)")
    .option("--confirm-env <environment>", "a production cluster: its environment's name typed back")
    .option("--policy-pack <dir>", "policy pack directory (default: policy/)")
    .option("--no-policy", "run without the policy pack")
    .option("--config <key=value>", "extra plain stack config (repeatable)", collect)
    .option(
      "--secret-env <key=VAR>",
      "stack config secret read from environment variable VAR (repeatable)",
      collect,
    )
    .addOption(
      new Option("--pulumi-root <dir>", "pulumi installation to use (holds bin/pulumi)").env(
        "XCLUSTER_PULUMI_ROOT",
      ),
    )
    .action(async (cluster: string, node: string, paths: string[], flags: ReplaceFlags) => {
      ctx.exitCode = await replace(cluster, node, paths, flags, ctx);
    });
}

async function replace(
  name: string,
  node: string,
  paths: string[],
  flags: ReplaceFlags,
  ctx: CommandContext,
): Promise<number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadClusters } = require("../../fleet/command") as typeof import("../../fleet/command");
  const { FleetError } = require("../../fleet/errors") as typeof import("../../fleet/errors");
  const { findPulumi } = require("../../fleet/pulumi-cli") as typeof import("../../fleet/pulumi-cli");
  const { parseKeyValues } = require("../../fleet/stack-config") as typeof import("../../fleet/stack-config");
  const { formatChanges } = require("../../fleet/operation") as typeof import("../../fleet/operation");
  const { didYouMean } = require("../did-you-mean") as typeof import("../did-you-mean");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const slash = name.indexOf("/");
  const env = slash > 0 ? name.slice(0, slash) : flags.env;
  const cluster = slash > 0 ? name.slice(slash + 1) : name;
  const all = loadClusters(paths, { env }, ctx)?.clusters;
  if (!all) return EXIT.invalid;
  const matches = all.filter((c) => c.name === cluster);
  if (matches.length !== 1) {
    const names = all.map((c) => c.name);
    ctx.io.err(
      matches.length === 0
        ? `replace: no cluster named ${cluster}${env ? ` in ${env}` : ""}${didYouMean(cluster, names)} ` +
            `(allowed: ${all.map((c) => `${c.environment}/${c.name}`).join(", ")}); no stack was touched`
        : `replace: ${cluster} exists in ${matches.map((c) => c.environment).join(", ")}; name one with --env`,
    );
    return EXIT.invalid;
  }
  const spec = matches[0]!;
  try {
    const { replaceNode, unknownNodeProblem, productionProblem } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("../../fleet/replace") as typeof import("../../fleet/replace");
    // Refusals that need no CLI come first.
    const refused = unknownNodeProblem(spec, node) ?? productionProblem(spec, flags.confirmEnv);
    if (refused !== undefined) {
      ctx.io.err(refused);
      return EXIT.invalid;
    }
    const pulumi = await findPulumi({ root: flags.pulumiRoot, projectRoot: ctx.cwd });
    const result = await replaceNode(spec, node, {
      root: ctx.cwd,
      pulumi,
      ...(flags.confirmEnv !== undefined ? { confirmEnv: flags.confirmEnv } : {}),
      policyPack: flags.policy === false ? false : flags.policyPack,
      extraConfig: {
        plain: parseKeyValues(flags.config ?? [], "--config"),
        secretFromEnv: parseKeyValues(flags.secretEnv ?? [], "--secret-env"),
      },
      onProgress: (_c, line) => ctx.io.out(`[${spec.name}] ${line}`),
    });
    if (result.result !== "succeeded") {
      ctx.io.err(`xcluster replace: ${result.message ?? "failed"}`);
      return result.exitCode;
    }
    ctx.io.out(
      `[${spec.name}] replaced ${node}: ${formatChanges(result.changes)}. It boots with the current config ` +
        `and joins through the registration address; wait until it is Ready before the next node.`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof FleetError) {
      ctx.io.err(`xcluster replace: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
