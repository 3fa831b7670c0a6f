/**
 * `xcluster snapshot restore <cluster> <snapshot>`: the runbook to restore a cluster's etcd from one
 * snapshot, filled in with the cluster's servers, their fixed addresses and its S3 settings. It is
 * printed, not run: a restore stops every server, and xcluster has no shell on them.
 *
 * The steps are RKE2's _Restoring a Snapshot to Existing Nodes_ and _S3 Compatible API Support_
 * (rancher/rke2-docs docs/datastore/backup_restore.md); `--cluster-reset`, `--cluster-reset-restore-path`
 * and the `--etcd-s3-*` flags are server flags of rke2 v1.33.3+rke2r1 (pkg/cli/cmds/server.go). The reset
 * always runs on server-0, the designated first server (RKE2's "first server node"); the others remove
 * their etcd data and join it again through the registration address, with the join drop-in their
 * bootstrap wrote (components/rke2/bootstrap-script.ts). A local snapshot lives only on the disk of the
 * server that took it, so it is copied to server-0 first.
 */
import type { ClusterSpec } from "../spec/types";
import { planFixedAddresses } from "../components/rke2/fixed-addresses";
import type { EtcdSnapshot } from "./etcd-snapshots";

/** RKE2's data directory for a server's etcd (rke2 docs: "rm -rf /var/lib/rancher/rke2/server/db"). */
export const RKE2_DB_DIR = "/var/lib/rancher/rke2/server/db";

export interface RunbookServer {
  readonly name: string;
  readonly address: string;
}

export interface RunbookStep {
  readonly title: string;
  /** Where the commands run, in order. */
  readonly on: readonly RunbookServer[];
  readonly commands: readonly string[];
}

export interface RestoreRunbook {
  readonly cluster: string;
  readonly environment: string;
  readonly snapshot: EtcdSnapshot;
  /** The server that restores the snapshot (server-0). */
  readonly resetServer: RunbookServer;
  readonly steps: readonly RunbookStep[];
  readonly notes: readonly string[];
}

/** A snapshot that cannot be restored (it failed); the message says why. */
export class UnrestorableSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnrestorableSnapshotError";
  }
}

/** The servers of the cluster by name (`<cluster>-server-<i>`, the instance and Node name) and fixed address. */
export function clusterServers(spec: ClusterSpec): RunbookServer[] {
  const ingress = spec.topology.mode === "keepalived" ? spec.topology.ingressNodes : 0;
  const fixed = planFixedAddresses(spec.network, spec.topology, spec.controlPlane.count, ingress);
  return fixed.servers.map((address, i) => ({ name: `${spec.name}-server-${i}`, address }));
}

/** Single-quoted for sh. */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The rke2 flags that point a cluster reset at the snapshot's S3 copy (rke2 docs, S3 restore). */
function s3Flags(snapshot: EtcdSnapshot, spec: ClusterSpec): string[] {
  const s3 = snapshot.s3;
  const configured = spec.rke2.etcdS3;
  const endpoint = s3?.endpoint || configured?.endpoint || "";
  const bucket = s3?.bucket || configured?.bucket || "";
  const folder = s3?.prefix || configured?.folder || "";
  const region = s3?.region || configured?.region || "";
  return [
    "--etcd-s3",
    ...(endpoint !== "" ? [`--etcd-s3-endpoint=${q(endpoint)}`] : []),
    ...(bucket !== "" ? [`--etcd-s3-bucket=${q(bucket)}`] : []),
    ...(folder !== "" ? [`--etcd-s3-folder=${q(folder)}`] : []),
    ...(region !== "" ? [`--etcd-s3-region=${q(region)}`] : []),
    ...(s3?.endpointCA ? [`--etcd-s3-endpoint-ca=${q(s3.endpointCA)}`] : []),
    ...(s3?.skipSSLVerify ? ["--etcd-s3-skip-ssl-verify"] : []),
    ...(s3?.insecure ? ["--etcd-s3-insecure"] : []),
  ];
}

/** The restore runbook for `snapshot` of `spec`'s cluster. */
export function restoreRunbook(spec: ClusterSpec, snapshot: EtcdSnapshot): RestoreRunbook {
  if (snapshot.status === "failed") {
    throw new UnrestorableSnapshotError(
      `snapshot ${snapshot.name} of ${spec.name} failed${snapshot.error ? ` (${snapshot.error})` : ""}; ` +
        `choose one whose status is ready (xcluster snapshot list ${spec.name})`,
    );
  }
  const servers = clusterServers(spec);
  const first = servers[0] as RunbookServer;
  const others = servers.slice(1);
  const notes: string[] = [];
  const steps: RunbookStep[] = [
    { title: "Stop RKE2 on every server", on: servers, commands: ["systemctl stop rke2-server"] },
  ];

  let reset: string[];
  if (snapshot.storage === "s3") {
    const credentials = spec.rke2.etcdS3?.credentialPath;
    // k3s reads these two flags from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (k3s
    // pkg/cli/cmds/server.go, `EnvVar` of etcd-s3-access-key and etcd-s3-secret-key): no key on a command line.
    const exports =
      credentials !== undefined
        ? [
            `export AWS_ACCESS_KEY_ID="$(vault kv get -mount=${q(spec.vault.kvMount)} -field=access_key_id ${q(credentials)})"`,
            `export AWS_SECRET_ACCESS_KEY="$(vault kv get -mount=${q(spec.vault.kvMount)} -field=secret_access_key ${q(credentials)})"`,
          ]
        : ["export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…   # the bucket's credentials"];
    if (credentials === undefined) {
      notes.push(
        `The spec of ${spec.name} names no rke2.etcdSnapshots.s3.credentialPath: supply the bucket's credentials yourself.`,
      );
    }
    notes.push(
      "The servers' config names the kube-system Secret xcluster-etcd-s3 for S3; it cannot be read while " +
        "the cluster is down, so the reset is given the S3 settings and credentials directly.",
    );
    reset = [
      ...exports,
      [
        "rke2 server --cluster-reset",
        // With S3, only the file name is given: RKE2 downloads it (rke2 docs, Other Notes on Restoring).
        `--cluster-reset-restore-path=${q(snapshot.snapshotName)}`,
        ...s3Flags(snapshot, spec),
      ].join(" \\\n  "),
    ];
  } else {
    const path = snapshot.location.replace(/^file:\/\//, "");
    if (snapshot.node !== first.name) {
      const holder = servers.find((s) => s.name === snapshot.node);
      steps.push({
        title: `Copy the snapshot from ${snapshot.node}, which took it, to ${first.name} at the same path`,
        on: holder !== undefined ? [holder] : [],
        commands: [`scp ${q(path)} ${first.address}:${q(path)}`],
      });
      if (holder === undefined) {
        notes.push(
          `${snapshot.node} is not a server of the current spec: find the file ${path} on it or its disk.`,
        );
      }
    }
    reset = [
      [
        "rke2 server --cluster-reset",
        `--cluster-reset-restore-path=${q(path)}`,
        // With S3 configured, a local restore must turn S3 off (rke2 docs, Other Notes on Restoring).
        ...(spec.rke2.etcdS3 !== undefined ? ["--etcd-s3=false"] : []),
      ].join(" \\\n  "),
    ];
  }
  steps.push(
    {
      title: `Restore the snapshot on ${first.name}; wait for the log line that RKE2 can be restarted without the flags, then start it`,
      on: [first],
      commands: [...reset, "systemctl start rke2-server"],
    },
    ...(others.length > 0
      ? [
          {
            title: `Remove etcd's data on the other servers and start them: they join ${first.name} again`,
            on: others,
            commands: [`rm -rf ${RKE2_DB_DIR}`, "systemctl start rke2-server"],
          },
        ]
      : []),
    {
      title:
        "Check: every node Ready, then no change in Pulumi (nothing in its state depends on etcd's content)",
      on: [],
      commands: [
        "kubectl get nodes",
        `xcluster preview ${spec.environment}/${spec.name} --env ${spec.environment}`,
      ],
    },
  );
  notes.push(
    `A reset leaves ${RKE2_DB_DIR}/reset-flag on ${first.name}; RKE2 removes it when it starts normally, and a later reset needs it gone (rke2 docs).`,
  );
  return {
    cluster: spec.name,
    environment: spec.environment,
    snapshot,
    resetServer: first,
    steps,
    notes,
  };
}

/** The runbook as text: numbered steps, where they run, the commands indented. */
export function formatRunbook(r: RestoreRunbook): string[] {
  const s = r.snapshot;
  const lines = [
    `Restore etcd of ${r.environment}/${r.cluster} from snapshot ${s.name} (${s.storage}, taken by ${s.node}` +
      `${s.createdAt !== undefined ? ` at ${s.createdAt}` : ""}). Every node keeps running as an instance;`,
    "the Kubernetes API is down from step 1 until step 3 has finished. Run the commands as root on the servers named.",
    "",
  ];
  r.steps.forEach((step, i) => {
    lines.push(`${i + 1}. ${step.title}`);
    if (step.on.length > 0) lines.push(`   on ${step.on.map((n) => `${n.name} (${n.address})`).join(", ")}:`);
    for (const c of step.commands) for (const l of c.split("\n")) lines.push(`     ${l}`);
  });
  if (r.notes.length > 0) {
    lines.push("", "Notes:");
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  return lines;
}
