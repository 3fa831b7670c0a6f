import { parseCron } from "../lib/cron";
import { nodeConfig } from "../lib/rke2";
import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

/**
 * RKE2's defaults when the config omits them: a snapshot every 12 hours and 5 kept
 * (k3s pkg/cli/cmds/server.go flags etcd-snapshot-schedule-cron "0 *\/12 * * *" and
 * etcd-snapshot-retention 5; RKE2 passes them through).
 */
const DEFAULT_CRON = "0 */12 * * *";
const DEFAULT_RETENTION = 5;

export const rke2011SnapshotHistory = resourceRule(
  {
    name: "rke2-011-snapshot-history",
    description:
      "The etcd snapshots RKE2 keeps span at least a day (retention times the schedule's interval), so yesterday's state can still be restored.",
    priority: "P1",
    severity: "medium",
    remediationSteps:
      "Raise etcd-snapshot-retention, or take snapshots less often, so that retention covers at least 24 hours.",
    tags: ["rke2", "availability"],
    sources: [
      'k3s-io/k3s `pkg/cli/cmds/server.go` (`etcd-snapshot-schedule-cron` default "0 */12 * * *", `etcd-snapshot-retention` default 5; RKE2 passes them through)',
      "rancher/rke2-docs `docs/datastore/backup_restore.md`",
    ],
  },
  [T.instance],
  (props, args, report) => {
    const config = nodeConfig(props, args, ["server"]);
    const text = String(config["etcd-snapshot-schedule-cron"] ?? DEFAULT_CRON).trim();
    const retention = Number(config["etcd-snapshot-retention"] ?? DEFAULT_RETENTION);
    let perDay: number | undefined;
    try {
      perDay = parseCron(text).perDay;
    } catch {
      return; // rke2-003 reports a schedule that does not parse.
    }
    if (perDay === undefined || !(retention > 0)) return;
    if (retention < perDay) {
      const hours = (retention * 24) / perDay;
      report(
        `etcd-snapshot-retention ${retention} with "${text}" (${perDay} a day) keeps ${Number(hours.toFixed(2))} h of history, less than a day`,
      );
    }
  },
);
