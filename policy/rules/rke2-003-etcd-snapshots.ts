import { resourceRule } from "../lib/rule";
import { isTrue } from "../lib/cloudinit";
import { parseCron } from "../lib/cron";
import { nodeConfig } from "../lib/rke2";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const rke2003EtcdSnapshots = resourceRule(
  {
    name: "rke2-003-etcd-snapshots",
    description: "RKE2 servers take scheduled etcd snapshots and keep enough of them to recover the cluster.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Do not set etcd-disable-snapshots; keep etcd-snapshot-retention at or above the minimum and an etcd-snapshot-schedule-cron that parses, fires, and in production fires every day.",
    tags: ["rke2", "availability"],
    sources: [
      "rancher/rke2-docs `docs/datastore/backup_restore.md` (snapshots default 00:00/12:00, 5 retained; `--etcd-disable-snapshots`)",
      "robfig/cron v3 standard parser (`spec.go` dayMatches), which k3s, and so RKE2, schedules `etcd-snapshot-schedule-cron` with",
    ],
    configSchema: schema("minEtcdSnapshotRetention", "production"),
  },
  [T.instance],
  (props, args, report) => {
    const config = nodeConfig(props, args, ["server"]);
    if (isTrue(config["etcd-disable-snapshots"]))
      report("etcd-disable-snapshots: true turns etcd snapshots off");
    const min = settings(args).minEtcdSnapshotRetention;
    const retention = config["etcd-snapshot-retention"];
    if (retention !== undefined && !(Number(retention) >= min)) {
      report(`etcd-snapshot-retention ${String(retention)} keeps fewer than ${min} snapshots`);
    }
    const cron = config["etcd-snapshot-schedule-cron"];
    if (cron === undefined) return;
    const text = String(cron).trim();
    if (text === "") {
      report("etcd-snapshot-schedule-cron is empty");
      return;
    }
    let schedule;
    try {
      schedule = parseCron(text);
    } catch (e) {
      report(`etcd-snapshot-schedule-cron "${text}" does not parse: ${(e as Error).message}`);
      return;
    }
    if (!schedule.fires) report(`etcd-snapshot-schedule-cron "${text}" never fires (no such date)`);
    else if (settings(args).production && !schedule.daily)
      report(
        `etcd-snapshot-schedule-cron "${text}" does not fire every day; production snapshots at least daily`,
      );
  },
);
