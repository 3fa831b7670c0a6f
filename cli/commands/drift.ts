/** `xcluster drift [paths…]`: refresh in preview mode, expecting no changes; exit 4 and a report of what drifted. */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";

export function registerDrift(program: Command, ctx: CommandContext): void {
  addFleetFlags(
    program
      .command("drift")
      .description(
        "report resources changed outside Pulumi (refresh --preview-only --expect-no-changes); exit 4 on drift",
      ),
    false,
  ).action(async (paths: string[], flags: FleetFlags) => {
    ctx.exitCode = await runFleetCommand("drift", paths, flags, ctx);
  });
}
