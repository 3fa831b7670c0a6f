/** `xcluster reconcile [paths…]`: the specs are the truth: create missing stacks, update existing ones, list (or prune) stacks without a spec. */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";

export function registerReconcile(program: Command, ctx: CommandContext): void {
  addFleetFlags(
    program
      .command("reconcile")
      .description(
        "GitOps: create missing stacks, update existing ones, list stacks without a spec (destroy them with --prune --yes)",
      ),
    { policy: true, waves: true, lock: true, config: true },
  )
    .option(
      "--prune",
      "destroy and remove unprotected stacks that no spec of their environment names (needs --yes and whole environments)",
    )
    .option("--yes", "confirm --prune")
    .option(
      "--force-orphans",
      "with --prune: destroy an orphan stack even when its cluster cannot be cleaned first (what it created is then listed as orphans); without it such a destroy is refused with exit 6",
    )
    .option(
      "--teardown-timeout <seconds>",
      "with --prune: how long the teardown waits in all for each orphan's deleted Services and claims to go (default: 900)",
    )
    .option(
      "--dry-run",
      "print what would be created, updated and pruned, in the real run's format; touch nothing",
    )
    .option(
      "--move-spec",
      "allow pointing an existing stack at a spec file other than the one it records (the spec moved)",
    )
    .action(async (paths: string[], flags: FleetFlags) => {
      ctx.exitCode = await runFleetCommand("reconcile", paths, flags, ctx);
    });
}
