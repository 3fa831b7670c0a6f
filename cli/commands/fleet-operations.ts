/**
 * `xcluster preview | up | refresh | destroy | drift [paths…]`: the fleet operations. They share their
 * flags and runner (`fleet/command.ts`) and differ only in what is described here.
 */
import type { Command } from "commander";
import type { CommandContext } from "../context";
import {
  LOCAL_FLAG_HELP,
  addFleetFlags,
  runFleetCommand,
  type FleetFlagGroups,
  type FleetFlags,
} from "../../fleet/command";
import type { Operation } from "../../fleet/operation";

interface OperationCommand extends FleetFlagGroups {
  readonly operation: Operation;
  readonly description: string;
  /** Needs `--yes` and an explicit scope; takes `--dry-run`, `--all` and `--confirm-env`. */
  readonly confirm?: boolean;
  /** Creates stacks: takes `--move-spec`. */
  readonly creates?: boolean;
}

const COMMANDS: readonly OperationCommand[] = [
  {
    operation: "preview",
    description:
      "preview every cluster's stack (created if missing) with the policy pack; exit 3 on a mandatory violation",
    policy: true,
    waves: true,
    lock: false,
    config: true,
    creates: true,
  },
  {
    operation: "up",
    description: "create or update every cluster's stack (policy pack applied), wave by wave",
    policy: true,
    waves: true,
    lock: true,
    config: true,
    creates: true,
  },
  {
    operation: "refresh",
    description:
      "refresh every cluster's stack from the real resources (stacks that do not exist are skipped)",
    policy: false,
    waves: true,
    lock: true,
    config: true,
  },
  {
    operation: "destroy",
    description:
      "delete what each named cluster created behind Pulumi's back (LoadBalancer Services, Cinder volumes, external-dns records) through its API, wait for their controllers, then destroy its stack (state exported to .xcluster/backups first); needs --env, --cluster or paths (or --all --confirm-env), and --yes; refuses protected clusters",
    policy: false,
    waves: false,
    lock: true,
    config: false,
    confirm: true,
  },
  {
    operation: "drift",
    description:
      "report resources changed outside Pulumi (refresh --preview-only --expect-no-changes); exit 4 on drift",
    policy: false,
    waves: false,
    lock: false,
    config: true,
  },
];

export function registerFleetOperations(program: Command, ctx: CommandContext): void {
  for (const c of COMMANDS) {
    const cmd = addFleetFlags(program.command(c.operation).description(c.description), c);
    if (c.confirm) {
      cmd
        .option("--yes", "confirm the destroy")
        .option("--dry-run", "print what would be destroyed, in the real run's format; touch nothing")
        .option("--all", "every cluster of --env (needs --confirm-env with the same environment)")
        .option("--confirm-env <environment>", "with --all: the environment's name typed back")
        .option(
          "--force-orphans",
          "destroy even when the cluster cannot be cleaned first (its load balancers, floating IPs, volumes and DNS records are then listed as orphans); without it such a destroy is refused with exit 6",
        )
        .option(
          "--teardown-timeout <seconds>",
          "how long the teardown waits in all for the deleted Services and claims to go (default: 900)",
        );
    }
    if (c.creates) {
      cmd.option(
        "--move-spec",
        "allow pointing an existing stack at a spec file other than the one it records (the spec moved)",
      );
    }
    cmd.option("--local", LOCAL_FLAG_HELP);
    cmd.action(async (paths: string[], flags: FleetFlags) => {
      ctx.exitCode = await runFleetCommand(c.operation, paths, flags, ctx);
    });
  }
}
