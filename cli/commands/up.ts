/** `xcluster up [paths…]`: creates or updates every cluster's stack, wave by wave. */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";

export function registerUp(program: Command, ctx: CommandContext): void {
  addFleetFlags(
    program
      .command("up")
      .description("create or update every cluster's stack (policy pack applied), wave by wave"),
    true,
  ).action(async (paths: string[], flags: FleetFlags) => {
    ctx.exitCode = await runFleetCommand("up", paths, flags, ctx);
  });
}
