/**
 * The `xcluster` command line. Commands register themselves here; heavy modules (Pulumi, providers)
 * are loaded inside the actions so that `--help` stays fast.
 */
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

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command("xcluster")
    .description(
      "A fleet of RKE2 clusters on OpenStack from one spec per cluster (Pulumi components, automation API, CrossGuard).",
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  registerValidate(program, ctx);
  registerPlan(program, ctx);
  registerFleetOperations(program, ctx);
  registerOutputs(program, ctx);
  registerReconcile(program, ctx);
  registerExport(program, ctx);
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({
      writeOut: (s) => ctx.io.out(s.trimEnd()),
      writeErr: (s) => ctx.io.err(s.trimEnd()),
    });
  return program;
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
