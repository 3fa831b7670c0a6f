/** `xcluster preview [paths…]`: previews every cluster's stack with the policy pack (a mandatory violation exits 3). */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";

export function registerPreview(program: Command, ctx: CommandContext): void {
  addFleetFlags(
    program
      .command("preview")
      .description(
        "preview every cluster's stack (created if missing) with the policy pack; exit 3 on a mandatory violation",
      ),
    true,
  ).action(async (paths: string[], flags: FleetFlags) => {
    ctx.exitCode = await runFleetCommand("preview", paths, flags, ctx);
  });
}
