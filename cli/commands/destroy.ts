/** `xcluster destroy [paths…]`: destroys every cluster's resources after exporting its state; needs --yes, refuses protected clusters. */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";

export function registerDestroy(program: Command, ctx: CommandContext): void {
  addFleetFlags(
    program
      .command("destroy")
      .description(
        "destroy every cluster's resources (state exported to .xcluster/backups first); needs --yes; refuses protected clusters",
      ),
    false,
  )
    .option("--yes", "confirm the destroy")
    .action(async (paths: string[], flags: FleetFlags) => {
      ctx.exitCode = await runFleetCommand("destroy", paths, flags, ctx);
    });
}
