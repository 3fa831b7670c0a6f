/**
 * The `xcluster` command line. Commands register themselves here; heavy modules (Pulumi, providers)
 * are loaded inside the actions so that `--help` stays fast.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, CommanderError } from "commander";
import { EXIT } from "./exit-codes";
import { processIo, type Io } from "./io";
import type { CommandContext } from "./context";
import { registerValidate } from "./commands/validate";
import { registerPlan } from "./commands/plan";
import { registerFleetOperations } from "./commands/fleet-operations";
import { registerOutputs } from "./commands/outputs";
import { registerReconcile } from "./commands/reconcile";
import { registerExport } from "./commands/export";
import { registerSnapshot } from "./commands/snapshot";
import { registerReplace } from "./commands/replace";

/** What every command's help ends with: the exit codes (cli/exit-codes.ts) and the environment read. */
export const HELP_FOOTER = `
Exit codes:
  ${EXIT.ok}  success
  ${EXIT.failed}  a run failed (an operation on a cluster, or an internal error)
  ${EXIT.invalid}  invalid input: a spec or a flag (nothing was touched)
  ${EXIT.policy}  a mandatory policy was violated
  ${EXIT.drift}  drift found (drift)
  ${EXIT.quota}  the fleet does not fit a declared project quota (nothing was touched)
  ${EXIT.orphans}  destroy refused: the cluster's cloud resources could not be cleaned first (orphans
     printed; --force-orphans destroys anyway)

Environment (fleet commands: preview, up, destroy, refresh, drift, reconcile, outputs, snapshot):
  PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE
                        passphrase of the stacks' secrets (the default "passphrase" provider)
  PULUMI_ACCESS_TOKEN   credentials of an https:// backend (the environment's spec.backend.url;
                        default: a file backend in .xcluster/state)
  VAULT_ADDR, VAULT_TOKEN
                        Vault, when the environment enables it
  XCLUSTER_PULUMI_ROOT  directory of the pulumi CLI to use (default: PATH, then .pulumi-tools)
validate and plan need none of them.`;

/** The version in package.json, found from the source (cli/) or the build (dist/cli/). */
export function xclusterVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; dir = path.dirname(dir), i++) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "xcluster" && pkg.version) return pkg.version;
  }
  return "unknown";
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command("xcluster")
    .description(
      "A fleet of RKE2 clusters on OpenStack from one spec per cluster (Pulumi components, automation API, CrossGuard).",
    )
    .version(xclusterVersion(), "-V, --version", "print the xcluster version")
    .showHelpAfterError()
    .showSuggestionAfterError()
    .addHelpText("after", HELP_FOOTER)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  registerValidate(program, ctx);
  registerPlan(program, ctx);
  registerFleetOperations(program, ctx);
  registerOutputs(program, ctx);
  registerReconcile(program, ctx);
  registerExport(program, ctx);
  registerSnapshot(program, ctx);
  registerReplace(program, ctx);
  unquoteDefaults(program);
  for (const cmd of program.commands)
    cmd
      .addHelpText("after", HELP_FOOTER)
      .showSuggestionAfterError()
      .exitOverride()
      .configureOutput({
        writeOut: (s) => ctx.io.out(s.trimEnd()),
        writeErr: (s) => ctx.io.err(s.trimEnd()),
      });
  return program;
}

/** Help shows `(default: main)`, as a user would type it, not commander's JSON `(default: "main")`. */
function unquoteDefaults(cmd: Command): void {
  for (const option of cmd.options) {
    if (typeof option.defaultValue === "string" && option.defaultValueDescription === undefined)
      option.defaultValueDescription = option.defaultValue;
  }
  for (const sub of cmd.commands) unquoteDefaults(sub);
}

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can call it in-process. */
export async function main(
  argv: readonly string[],
  io: Io = processIo,
  cwd = process.cwd(),
): Promise<number> {
  const ctx: CommandContext = { io, cwd, exitCode: EXIT.ok };
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.invalid;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    io.err(`xcluster: ${(e as Error).message}`);
    return EXIT.failed;
  }
}
