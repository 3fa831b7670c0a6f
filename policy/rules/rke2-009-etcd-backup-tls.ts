import { resourceRule } from "../lib/rule";
import { isTrue } from "../lib/cloudinit";
import { nodeConfig } from "../lib/rke2";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const rke2009EtcdBackupTls = resourceRule(
  {
    name: "rke2-009-etcd-backup-tls",
    description:
      "etcd snapshots leave the servers in production (etcd-s3) over verified TLS with credentials from a secret, and etcd metrics stay local.",
    priority: "P1",
    severity: "medium",
    remediationSteps:
      "Enable etcd-s3 with etcd-s3-config-secret (no etcd-s3-secret-key in the config), keep TLS verification, and leave etcd-expose-metrics off.",
    tags: ["rke2", "availability", "tls"],
    sources: [
      "rancher/rke2-docs `docs/reference/server_config.md` (`etcd-s3-*`, `etcd-s3-config-secret`, `etcd-expose-metrics` default false)",
      "rancher/rke2-docs `docs/datastore/backup_restore.md`",
    ],
    configSchema: schema("production"),
  },
  [T.instance],
  (props, args, report) => {
    const c = nodeConfig(props, args, ["server"]);
    const s3 = isTrue(c["etcd-s3"]);
    if (settings(args).production && !s3)
      report("production etcd snapshots stay on the servers (etcd-s3 is off)");
    for (const flag of ["etcd-s3-skip-ssl-verify", "etcd-s3-insecure"]) {
      if (s3 && isTrue(c[flag])) report(`etcd snapshots go to S3 without TLS verification (${flag})`);
    }
    if (typeof c["etcd-s3-secret-key"] === "string" && c["etcd-s3-secret-key"] !== "") {
      report("etcd-s3-secret-key is written into the RKE2 config");
    }
    if (isTrue(c["etcd-expose-metrics"]))
      report("etcd-expose-metrics: true serves etcd metrics on every interface");
  },
);
