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
    true,
  )
    .option("--prune", "destroy and remove stacks that have no spec (needs --yes)")
    .option("--yes", "confirm --prune")
    .action(async (paths: string[], flags: FleetFlags) => {
      ctx.exitCode = await runFleetCommand("reconcile", paths, flags, ctx);
    });
}
