/** `xcluster validate [paths…]`: parse and validate specs; every problem at once; touches no stack. */
import type { Command } from "commander";
import { EXIT } from "../exit-codes";
import type { Io } from "../io";
import { DEFAULT_SPEC_DIR, specPaths, type CommandContext } from "../context";
import { unknownEnvironment } from "../did-you-mean";

/** The environment document's file name (spec/defaults.ts; not imported, so --help loads no spec code). */
const ENVIRONMENT_FILE = "environment.yaml";

export function registerValidate(program: Command, ctx: CommandContext): void {
  program
    .command("validate")
    .description(
      "parse and validate cluster specs and their environments (default: every spec under stacks/)",
    )
    .argument("[paths...]", "spec files or directories")
    .option("--env <environment>", "only clusters of this environment")
    .action(async (paths: string[], opts: { env?: string }) => {
      ctx.exitCode = validate(paths, opts.env, ctx);
    });
}

export function validate(paths: string[], env: string | undefined, ctx: { io: Io; cwd: string }): number {
  // Loaded here, not at the top: `xcluster --help` should not pay for zod and yaml.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadFleet, formatIssue } = require("../../spec") as typeof import("../../spec");
  const { siblingIssues } =
    require("../../fleet/environment-specs") as typeof import("../../fleet/environment-specs");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const loaded = loadFleet(specPaths(paths, ctx.cwd), { environment: env, cwd: ctx.cwd });
  // A cluster name is unique in its environment, even when one file is given: its siblings are read too.
  const fleet = { ...loaded, issues: [...loaded.issues, ...siblingIssues(loaded.clusters, ctx.cwd)] };
  if (fleet.issues.length > 0) {
    for (const issue of fleet.issues) ctx.io.err(formatIssue(issue));
    ctx.io.err(
      `${fleet.issues.length} problem(s) in ${new Set(fleet.issues.map((i) => i.file)).size} file(s); no stack was touched.`,
    );
    return EXIT.invalid;
  }
  const names = [...new Set(fleet.environments.map((e) => e.name))];
  if (env !== undefined && !names.includes(env)) {
    ctx.io.err(unknownEnvironment(env, names, paths));
    return EXIT.invalid;
  }
  const environments = fleet.environments.filter((e) => env === undefined || e.name === env);
  if (fleet.clusters.length === 0 && environments.length === 0) {
    ctx.io.err(`nothing to validate: no cluster spec or ${ENVIRONMENT_FILE} under ${where(paths)}`);
    return EXIT.invalid;
  }
  for (const e of environments) ctx.io.out(`${e.file}: environment ${e.name} valid`);
  for (const c of fleet.clusters) {
    ctx.io.out(
      `${c.source.clusterFile}: ${c.environment}/${c.name} valid (${c.topology.mode}, ${c.controlPlane.count} server(s), ${nodes(c, "agent")} agent(s), ${nodes(c, "gpu")} GPU agent(s))`,
    );
  }
  ctx.io.out(`${fleet.clusters.length} cluster(s) valid, in ${environments.length} environment(s).`);
  return EXIT.ok;
}

function where(paths: readonly string[]): string {
  return paths.length > 0 ? paths.join(", ") : `${DEFAULT_SPEC_DIR}/`;
}

function nodes(c: import("../../spec").ClusterSpec, role: "agent" | "gpu"): number {
  return c.pools.filter((p) => p.role === role).reduce((n, p) => n + p.count, 0);
}
