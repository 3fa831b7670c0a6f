/** `xcluster outputs <cluster> [--env E]`: a cluster's stack outputs, secrets masked unless `--show-secrets`. */
import { Option, type Command } from "commander";
import { EXIT } from "../exit-codes";
import type { CommandContext } from "../context";

interface OutputsFlags {
  readonly env?: string;
  readonly showSecrets?: boolean;
  readonly json?: boolean;
  readonly pulumiRoot?: string;
  readonly local?: boolean;
}

export function registerOutputs(program: Command, ctx: CommandContext): void {
  program
    .command("outputs")
    .description(
      "print a cluster's stack outputs (API endpoint, ingress address, kubeconfig…); secrets masked",
    )
    .argument("<cluster>", "cluster name, or <environment>/<cluster>")
    .argument("[paths...]", "spec files or directories (default: every spec under stacks/)")
    .option("--env <environment>", "the cluster's environment (needed when the name is in several)")
    .option("--show-secrets", "print secret outputs (the kubeconfig) in plain text")
    .option("--json", "print one JSON object")
    .option(
      "--local",
      "the outputs of a simulated stack (`up --local`: stand-in providers, .xcluster/local-backend); every line says SIMULATION",
    )
    .addOption(
      new Option("--pulumi-root <dir>", "pulumi installation to use (holds bin/pulumi)").env(
        "XCLUSTER_PULUMI_ROOT",
      ),
    )
    .action(async (cluster: string, paths: string[], flags: OutputsFlags) => {
      if (flags.local !== true) {
        ctx.exitCode = await outputs(cluster, paths, flags, ctx);
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const local = require("../../fleet/local/simulation") as typeof import("../../fleet/local/simulation");
      const io = local.simulationIo(ctx.io);
      // JSON stays JSON on stdout; the notice goes to stderr then.
      const notice = (text: string) => (flags.json ? io.err(text) : io.out(text));
      notice(local.SIMULATION_NOTICE);
      ctx.exitCode = await outputs(cluster, paths, flags, {
        ...ctx,
        io: flags.json ? { ...io, out: ctx.io.out } : io,
      });
      notice(`${local.SIMULATION_NOTICE} (exit ${ctx.exitCode})`);
    });
}

async function outputs(
  name: string,
  paths: string[],
  flags: OutputsFlags,
  ctx: CommandContext,
): Promise<number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadClusters } = require("../../fleet/command") as typeof import("../../fleet/command");
  const { FleetError } = require("../../fleet/errors") as typeof import("../../fleet/errors");
  const { checkSecretsProviders } =
    require("../../fleet/workspace") as typeof import("../../fleet/workspace");
  const { findPulumi } = require("../../fleet/pulumi-cli") as typeof import("../../fleet/pulumi-cli");
  const { stackOutputs, formatOutputs } =
    require("../../fleet/outputs") as typeof import("../../fleet/outputs");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const slash = name.indexOf("/");
  const env = slash > 0 ? name.slice(0, slash) : flags.env;
  const cluster = slash > 0 ? name.slice(slash + 1) : name;
  const all = loadClusters(paths, { env }, ctx)?.clusters;
  if (!all) return EXIT.invalid;
  const matches = all.filter((c) => c.name === cluster);
  if (matches.length !== 1) {
    ctx.io.err(
      matches.length === 0
        ? `outputs: no cluster named ${cluster}${env ? ` in ${env}` : ""} (allowed: ${all.map((c) => `${c.environment}/${c.name}`).join(", ")})`
        : `outputs: ${cluster} exists in ${matches.map((c) => c.environment).join(", ")}; name one with --env`,
    );
    return EXIT.invalid;
  }
  let spec = matches[0]!;
  let cliEnv = process.env;
  if (flags.local === true) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const local = require("../../fleet/local/simulation") as typeof import("../../fleet/local/simulation");
    const refusals = local.localRefusals([spec], process.env);
    if (refusals.length > 0) {
      for (const r of refusals) ctx.io.err(`xcluster outputs: ${r}`);
      return EXIT.invalid;
    }
    spec = local.simulatedClusters([spec], ctx.cwd)[0]!;
    cliEnv = local.simulationEnv(ctx.cwd);
  }
  try {
    checkSecretsProviders([spec], cliEnv);
    const pulumi = await findPulumi({ root: flags.pulumiRoot, projectRoot: ctx.cwd });
    const values = await stackOutputs(spec, {
      root: ctx.cwd,
      pulumi,
      env: cliEnv,
      showSecrets: flags.showSecrets === true,
    });
    if (flags.json) ctx.io.out(JSON.stringify(values, null, 2));
    else if (Object.keys(values).length === 0)
      ctx.io.out(
        `stack ${spec.environment}.${spec.name} has no outputs (its last update exported none, or it was destroyed; \`xcluster up\` creates them)`,
      );
    else for (const line of formatOutputs(values)) ctx.io.out(line);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof FleetError) {
      ctx.io.err(`xcluster outputs: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
