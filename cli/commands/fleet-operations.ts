/**
 * `xcluster preview | up | refresh | destroy | drift [paths…]`: the fleet operations. They share their
 * flags and runner (`fleet/command.ts`) and differ only in what is described here.
 */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import { addFleetFlags, runFleetCommand, type FleetFlags } from "../../fleet/command";
import type { Operation } from "../../fleet/operation";

interface OperationCommand {
  readonly operation: Operation;
  readonly description: string;
  /** Takes the policy-pack flags (`--policy-pack`, `--no-policy`, `--no-offline-policy`). */
  readonly policy: boolean;
  /** Needs `--yes`. */
  readonly confirm?: boolean;
}

const COMMANDS: readonly OperationCommand[] = [
  {
    operation: "preview",
    description:
      "preview every cluster's stack (created if missing) with the policy pack; exit 3 on a mandatory violation",
    policy: true,
  },
  {
    operation: "up",
    description: "create or update every cluster's stack (policy pack applied), wave by wave",
    policy: true,
  },
  {
    operation: "refresh",
    description:
      "refresh every cluster's stack from the real resources (stacks that do not exist are skipped)",
    policy: false,
  },
  {
    operation: "destroy",
    description:
      "destroy every cluster's resources (state exported to .xcluster/backups first); needs --yes; refuses protected clusters",
    policy: false,
    confirm: true,
  },
  {
    operation: "drift",
    description:
      "report resources changed outside Pulumi (refresh --preview-only --expect-no-changes); exit 4 on drift",
    policy: false,
  },
];

export function registerFleetOperations(program: Command, ctx: CommandContext): void {
  for (const c of COMMANDS) {
    const cmd = addFleetFlags(program.command(c.operation).description(c.description), c.policy);
    if (c.confirm) cmd.option("--yes", "confirm the destroy");
    cmd.action(async (paths: string[], flags: FleetFlags) => {
      ctx.exitCode = await runFleetCommand(c.operation, paths, flags, ctx);
    });
  }
}
