/**
 * `xcluster snapshot list <cluster>` and `xcluster snapshot restore <cluster> <snapshot>`: the etcd
 * snapshots RKE2 records in the cluster (fleet/etcd-snapshots.ts), and the runbook to restore one
 * (fleet/restore-runbook.ts), printed, never run. The cluster's API is reached with the admin kubeconfig
 * from its stack outputs (as `outputs --show-secrets` reads it; it is only held in memory), or with
 * `--kubeconfig <file>` (e.g. the copy in Vault).
 */
import * as fs from "fs";
import * as path from "path";
import { Option, type Command } from "commander";
import { EXIT } from "../exit-codes";
import type { CommandContext } from "../context";
import type { ClusterSpec } from "../../spec/types";

interface SnapshotFlags {
  readonly env?: string;
  readonly json?: boolean;
  readonly kubeconfig?: string;
  readonly pulumiRoot?: string;
}

/** An error that ends the command with its exit code and message. */
class SnapshotCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function registerSnapshot(program: Command, ctx: CommandContext): void {
  const snapshot = program
    .command("snapshot")
    .description("list a cluster's etcd snapshots, or print the runbook to restore one");
  const common = (cmd: Command): Command =>
    cmd
      .argument("[paths...]", "spec files or directories (default: every spec under stacks/)")
      .option("--env <environment>", "the cluster's environment (needed when the name is in several)")
      .option("--json", "print one JSON object")
      .option("--kubeconfig <file>", "reach the cluster with this kubeconfig instead of its stack outputs")
      .addOption(
        new Option("--pulumi-root <dir>", "pulumi installation to use (holds bin/pulumi)").env(
          "XCLUSTER_PULUMI_ROOT",
        ),
      )
      .exitOverride()
      .configureOutput({
        writeOut: (s) => ctx.io.out(s.trimEnd()),
        writeErr: (s) => ctx.io.err(s.trimEnd()),
      });
  common(
    snapshot
      .command("list")
      .description(
        "the etcd snapshots the cluster records (ETCDSnapshotFile): node, location, size, time, status",
      )
      .argument("<cluster>", "cluster name, or <environment>/<cluster>"),
  ).action(async (cluster: string, paths: string[], flags: SnapshotFlags) => {
    ctx.exitCode = await run("list", cluster, undefined, paths, flags, ctx);
  });
  common(
    snapshot
      .command("restore")
      .description("print the runbook to restore the cluster's etcd from one snapshot (nothing is run)")
      .argument("<cluster>", "cluster name, or <environment>/<cluster>")
      .argument("<snapshot>", "the snapshot's name, as snapshot list shows it"),
  ).action(async (cluster: string, name: string, paths: string[], flags: SnapshotFlags) => {
    ctx.exitCode = await run("restore", cluster, name, paths, flags, ctx);
  });
  snapshot.exitOverride().configureOutput({
    writeOut: (s) => ctx.io.out(s.trimEnd()),
    writeErr: (s) => ctx.io.err(s.trimEnd()),
  });
}

/** The one cluster `name` (or `<env>/<name>`) names among the specs. */
function selectCluster(
  name: string,
  paths: string[],
  flags: SnapshotFlags,
  ctx: CommandContext,
): ClusterSpec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadClusters } = require("../../fleet/command") as typeof import("../../fleet/command");
  const slash = name.indexOf("/");
  const env = slash > 0 ? name.slice(0, slash) : flags.env;
  const cluster = slash > 0 ? name.slice(slash + 1) : name;
  const all = loadClusters(paths, { env }, ctx)?.clusters;
  if (!all) throw new SnapshotCommandError("", EXIT.invalid);
  const matches = all.filter((c) => c.name === cluster);
  if (matches.length === 1) return matches[0] as ClusterSpec;
  throw new SnapshotCommandError(
    matches.length === 0
      ? `no cluster named ${cluster}${env ? ` in ${env}` : ""} (allowed: ${all.map((c) => `${c.environment}/${c.name}`).join(", ")})`
      : `${cluster} exists in ${matches.map((c) => c.environment).join(", ")}; name one with --env`,
    EXIT.invalid,
  );
}

/** The admin kubeconfig: the file given, else the stack's `kubeconfig` output. */
async function kubeconfigFor(spec: ClusterSpec, flags: SnapshotFlags, ctx: CommandContext): Promise<string> {
  if (flags.kubeconfig !== undefined) {
    const file = path.resolve(ctx.cwd, flags.kubeconfig);
    try {
      return fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new SnapshotCommandError(
        `--kubeconfig ${flags.kubeconfig}: ${(e as Error).message}`,
        EXIT.invalid,
      );
    }
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { checkSecretsProviders } =
    require("../../fleet/workspace") as typeof import("../../fleet/workspace");
  const { findPulumi } = require("../../fleet/pulumi-cli") as typeof import("../../fleet/pulumi-cli");
  const { stackOutputs } = require("../../fleet/outputs") as typeof import("../../fleet/outputs");
  /* eslint-enable @typescript-eslint/no-require-imports */
  checkSecretsProviders([spec], process.env);
  const pulumi = await findPulumi({ root: flags.pulumiRoot, projectRoot: ctx.cwd });
  const outputs = await stackOutputs(spec, { root: ctx.cwd, pulumi, showSecrets: true });
  const kubeconfig = outputs["kubeconfig"];
  if (typeof kubeconfig !== "string" || kubeconfig === "") {
    throw new SnapshotCommandError(
      `stack ${spec.environment}.${spec.name} has no kubeconfig output (has it been brought up?); pass --kubeconfig`,
      EXIT.failed,
    );
  }
  return kubeconfig;
}

async function run(
  action: "list" | "restore",
  name: string,
  wanted: string | undefined,
  paths: string[],
  flags: SnapshotFlags,
  ctx: CommandContext,
): Promise<number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { FleetError } = require("../../fleet/errors") as typeof import("../../fleet/errors");
  const snapshots = require("../../fleet/etcd-snapshots") as typeof import("../../fleet/etcd-snapshots");
  const runbook = require("../../fleet/restore-runbook") as typeof import("../../fleet/restore-runbook");
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    const spec = selectCluster(name, paths, flags, ctx);
    const kubeconfig = await kubeconfigFor(spec, flags, ctx);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfig);
    let found;
    try {
      found = await snapshots.listSnapshots(kc.makeApiClient(k8s.CustomObjectsApi));
    } catch (e) {
      const code = (e as { code?: number }).code;
      throw new SnapshotCommandError(
        `listing the etcd snapshots of ${spec.environment}/${spec.name} at ${kc.getCurrentCluster()?.server ?? "?"} failed: ` +
          (code === 404
            ? "the cluster has no ETCDSnapshotFile type (not an RKE2 cluster with embedded etcd?)"
            : (e as Error).message),
        EXIT.failed,
      );
    }
    if (action === "list") {
      if (flags.json)
        ctx.io.out(
          JSON.stringify({ cluster: spec.name, environment: spec.environment, snapshots: found }, null, 2),
        );
      else if (found.length === 0)
        ctx.io.out(`${spec.environment}/${spec.name}: no etcd snapshots recorded yet`);
      else for (const line of snapshots.formatSnapshots(found)) ctx.io.out(line);
      return EXIT.ok;
    }
    const chosen = snapshots.findSnapshot(found, wanted as string, spec.name);
    const book = runbook.restoreRunbook(spec, chosen);
    if (flags.json) ctx.io.out(JSON.stringify(book, null, 2));
    else for (const line of runbook.formatRunbook(book)) ctx.io.out(line);
    return EXIT.ok;
  } catch (e) {
    const prefix = `xcluster snapshot ${action}: `;
    if (e instanceof SnapshotCommandError) {
      if (e.message !== "") ctx.io.err(prefix + e.message);
      return e.exitCode;
    }
    if (e instanceof snapshots.UnknownSnapshotError || e instanceof runbook.UnrestorableSnapshotError) {
      ctx.io.err(prefix + e.message);
      return EXIT.invalid;
    }
    if (e instanceof FleetError) {
      ctx.io.err(prefix + e.message);
      return e.exitCode;
    }
    throw e;
  }
}
