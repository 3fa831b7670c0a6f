/** `xcluster refresh [paths…]`: adopts the real state of every cluster's resources into its stack. */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";

export function registerRefresh(program: Command, ctx: CommandContext): void {
  addFleetFlags(
    program
      .command("refresh")
      .description(
        "refresh every cluster's stack from the real resources (stacks that do not exist are skipped)",
      ),
    false,
  ).action(async (paths: string[], flags: FleetFlags) => {
    ctx.exitCode = await runFleetCommand("refresh", paths, flags, ctx);
  });
}
