/**
 * The capacity report as table rows, shared by the terminal (`xcluster plan`), the Markdown report and
 * the merge-request comment: per environment one row per quota (used, added, quota, headroom), and per
 * cluster its instances, vCPUs, RAM, GPUs and monthly estimate.
 */
import Table from "cli-table3";
import { QUOTA_KEYS } from "../spec/capacity";
import { HOURS_PER_MONTH, type CapacityReport, type EnvironmentCapacity } from "./capacity";

const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));

/** `1234.5` → `1,234.50 EUR`. */
export function formatMoney(amount: number, currency: string): string {
  const text = amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === "" ? text : `${text} ${currency}`;
}

/** Rows: quota key, used, added (or "" without a baseline), quota (or "—"), headroom (or "—"). */
export function quotaRows(e: EnvironmentCapacity): string[][] {
  return QUOTA_KEYS.map((k) => {
    const quota = e.quota[k];
    const headroom = e.headroom[k];
    return [
      k,
      String(e.used[k]),
      e.added === undefined ? "" : signed(e.added[k]),
      quota === undefined ? "—" : String(quota),
      headroom === undefined ? "—" : headroom < 0 ? `${headroom} OVER` : String(headroom),
    ];
  });
}

/** Rows: cluster, instances, vCPUs, RAM GiB, GPUs, vCPUs added (or ""), monthly estimate (or "—"). */
export function clusterRows(e: EnvironmentCapacity): string[][] {
  return e.clusters.map((c) => [
    c.name,
    String(c.used.instances),
    String(c.used.cores),
    String(Math.round((c.used.ramMiB / 1024) * 10) / 10),
    String(c.used.gpus),
    c.added === undefined ? "" : signed(c.added.cores),
    c.monthlyCost === undefined ? "—" : formatMoney(c.monthlyCost, e.currency),
  ]);
}

const QUOTA_HEAD = ["quota", "used", "added", "limit", "headroom"];
const CLUSTER_HEAD = ["cluster", "instances", "vCPUs", "RAM GiB", "GPUs", "vCPUs added", "per month"];

function costLine(e: EnvironmentCapacity): string {
  const removed =
    e.removedClusters.length > 0 ? `; removed since the baseline: ${e.removedClusters.join(", ")}` : "";
  const cost =
    e.monthlyCost === undefined
      ? "no monthly estimate (a flavor has no pricePerHour)"
      : `monthly estimate ${formatMoney(e.monthlyCost, e.currency)} (${HOURS_PER_MONTH} h × instance prices)`;
  return `${cost}${removed}`;
}

/** The terminal block for the whole fleet. */
export function capacityText(report: CapacityReport): string {
  const out: string[] = [];
  for (const e of report.environments) {
    const style = { head: [], border: [], compact: true };
    const quotas = new Table({ head: QUOTA_HEAD, style });
    quotas.push(...quotaRows(e));
    const clusters = new Table({ head: CLUSTER_HEAD, style });
    clusters.push(...clusterRows(e));
    out.push(
      `capacity of environment ${e.environment}:`,
      quotas.toString(),
      clusters.toString(),
      costLine(e),
    );
  }
  return out.join("\n");
}

/** The Markdown section (also used in the merge-request comment). */
export function capacityMarkdown(report: CapacityReport): string[] {
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const out: string[] = [];
  for (const e of report.environments) {
    out.push(
      `## Capacity: ${e.environment}`,
      "",
      row(QUOTA_HEAD),
      "| --- | ---: | ---: | ---: | ---: |",
      ...quotaRows(e).map((r) => row(r.map((c, i) => (i === 4 && c.endsWith("OVER") ? `**${c}**` : c)))),
      "",
      row(CLUSTER_HEAD),
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...clusterRows(e).map(row),
      "",
      `${costLine(e)}.`,
      "",
    );
  }
  return out;
}
