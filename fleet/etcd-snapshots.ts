/**
 * The etcd snapshots a cluster's servers took, as RKE2 records them in the cluster: one cluster-scoped
 * `ETCDSnapshotFile` (k3s.cattle.io/v1) per snapshot file and location. The type and its CRD come from
 * github.com/k3s-io/api v0.1.2, the version rke2 v1.33.3+rke2r1's go.mod selects
 * (k3s.cattle.io/v1/types.go `ETCDSnapshotFile`, pkg/crds/yaml/generated/k3s.cattle.io_etcdsnapshotfiles.yaml);
 * k3s registers the CRD itself (k3s pkg/crd/crds.go `List`).
 */
import type { CustomObjectsApi } from "@kubernetes/client-node";
import { didYouMean } from "../cli/did-you-mean";

export const SNAPSHOT_GROUP = "k3s.cattle.io";
export const SNAPSHOT_VERSION = "v1";
export const SNAPSHOT_PLURAL = "etcdsnapshotfiles";

/** The S3 details RKE2 records for a snapshot it uploaded (`ETCDSnapshotS3`). */
export interface SnapshotS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The folder (RKE2 `etcd-s3-folder`), `prefix` in the object. */
  readonly prefix: string;
  readonly region: string;
  readonly endpointCA: string;
  readonly skipSSLVerify: boolean;
  readonly insecure: boolean;
}

/** One snapshot, as `snapshot list` shows it. */
export interface EtcdSnapshot {
  /** The ETCDSnapshotFile's name (unique; what `snapshot restore` takes). */
  readonly name: string;
  /** The snapshot file's base name (`spec.snapshotName`), shared by a local file and its S3 copy. */
  readonly snapshotName: string;
  /** The server that took it. */
  readonly node: string;
  /** `file://…` or `s3://…` (`spec.location`). */
  readonly location: string;
  readonly storage: "local" | "s3";
  /** Bytes; undefined when the snapshot failed (the type's doc: "If not specified, the snapshot failed"). */
  readonly sizeBytes: number | undefined;
  /** ISO time the snapshot was taken (`status.creationTime`). */
  readonly createdAt: string | undefined;
  readonly status: "ready" | "failed" | "not ready";
  /** `status.error.message`, when the snapshot failed. */
  readonly error: string | undefined;
  readonly s3: SnapshotS3 | undefined;
}

interface SnapshotObject {
  metadata?: { name?: string };
  spec?: {
    snapshotName?: string;
    nodeName?: string;
    location?: string;
    s3?: Partial<SnapshotS3>;
  };
  status?: {
    size?: string | number;
    creationTime?: string;
    readyToUse?: boolean;
    error?: { message?: string };
  };
}

const SIZE_SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Bytes of a resource.Quantity as RKE2 writes sizes (plain bytes, occasionally with a suffix). */
export function quantityBytes(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === "number") return q;
  const m = /^(\d+(?:\.\d+)?)([kMGT]i?|)$/.exec(q.trim());
  const factor = m ? SIZE_SUFFIX[m[2] ?? ""] : undefined;
  return m && factor !== undefined ? Math.round(Number(m[1]) * factor) : undefined;
}

/** The view of one ETCDSnapshotFile. */
export function toSnapshot(o: SnapshotObject): EtcdSnapshot {
  const location = o.spec?.location ?? "";
  const s3 = o.spec?.s3;
  const failed = o.status?.error?.message !== undefined || o.status?.readyToUse === false;
  return {
    name: o.metadata?.name ?? "",
    snapshotName: o.spec?.snapshotName ?? "",
    node: o.spec?.nodeName ?? "",
    location,
    storage: location.startsWith("s3://") || s3 !== undefined ? "s3" : "local",
    sizeBytes: quantityBytes(o.status?.size),
    createdAt: o.status?.creationTime,
    status: failed ? "failed" : o.status?.readyToUse === true ? "ready" : "not ready",
    error: o.status?.error?.message,
    s3:
      s3 === undefined
        ? undefined
        : {
            endpoint: s3.endpoint ?? "",
            bucket: s3.bucket ?? "",
            prefix: s3.prefix ?? "",
            region: s3.region ?? "",
            endpointCA: s3.endpointCA ?? "",
            skipSSLVerify: s3.skipSSLVerify === true,
            insecure: s3.insecure === true,
          },
  };
}

/** Every snapshot the cluster records, newest first. */
export async function listSnapshots(api: CustomObjectsApi): Promise<EtcdSnapshot[]> {
  const list = (await api.listClusterCustomObject({
    group: SNAPSHOT_GROUP,
    version: SNAPSHOT_VERSION,
    plural: SNAPSHOT_PLURAL,
  })) as { items?: SnapshotObject[] };
  return (list.items ?? [])
    .map(toSnapshot)
    .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "") || a.name.localeCompare(b.name));
}

/** A name `snapshot restore` cannot use; the message lists what exists. */
export class UnknownSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownSnapshotError";
  }
}

/**
 * The snapshot named `wanted`: by its object name, else by its file name when only one object has it
 * (a file kept locally and on S3 has two objects; then the object name decides).
 */
export function findSnapshot(
  snapshots: readonly EtcdSnapshot[],
  wanted: string,
  cluster: string,
): EtcdSnapshot {
  const byName = snapshots.find((s) => s.name === wanted);
  if (byName !== undefined) return byName;
  const byFile = snapshots.filter((s) => s.snapshotName === wanted);
  if (byFile.length === 1) return byFile[0] as EtcdSnapshot;
  if (byFile.length > 1) {
    throw new UnknownSnapshotError(
      `snapshot ${wanted} of ${cluster} is stored in ${byFile.length} places; name one (allowed: ` +
        `${byFile.map((s) => `${s.name} (${s.storage})`).join(", ")})`,
    );
  }
  const names = snapshots.map((s) => s.name);
  throw new UnknownSnapshotError(
    `no snapshot ${wanted} in ${cluster}${didYouMean(wanted, [...names, ...snapshots.map((s) => s.snapshotName)])} ` +
      `(allowed: ${names.length > 0 ? names.join(", ") : "none recorded yet"}; see xcluster snapshot list ${cluster})`,
  );
}

function humanSize(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** A table: name, node, location, size, created, status (a failed snapshot's error after it). */
export function formatSnapshots(snapshots: readonly EtcdSnapshot[]): string[] {
  const rows = [
    ["NAME", "NODE", "LOCATION", "SIZE", "CREATED", "STATUS"],
    ...snapshots.map((s) => [
      s.name,
      s.node,
      s.storage,
      humanSize(s.sizeBytes),
      s.createdAt ?? "-",
      s.error !== undefined ? `failed: ${s.error}` : s.status,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
