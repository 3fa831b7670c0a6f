/**
 * What a fleet run reports: a table on the terminal (cli-table3), the JSON report (the `FleetReport`
 * itself, for machines) and a Markdown summary (what a CI job posts on a merge request).
 */
import * as fs from "fs";
import * as path from "path";
import type { ClusterResult } from "./operation";
import type { FleetReport } from "./run-fleet";
import { renderTeardownMarkdown } from "./teardown-report";

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const RESULT_MARK: Record<ClusterResult["result"], string> = {
  succeeded: "succeeded",
  failed: "FAILED",
  drifted: "DRIFTED",
  skipped: "skipped",
  cancelled: "cancelled",
  "dry-run": "dry run",
};

function violationsCell(r: ClusterResult): string {
  const m = r.policyViolations.filter((v) => v.enforcement === "mandatory").length;
  const a = r.policyViolations.length - m;
  return m + a === 0 ? "0" : `${m} mandatory, ${a} advisory`;
}

/** The final table, one row per cluster. */
export function renderTable(report: FleetReport): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Table = require("cli-table3") as typeof import("cli-table3");
  const table = new Table({
    head: [
      "cluster",
      "operation",
      "create",
      "update",
      "replace",
      "delete",
      "policy violations",
      "duration",
      "result",
    ],
    style: { head: [], border: [] },
  });
  for (const r of report.clusters) {
    table.push([
      `${r.environment}/${r.cluster}`,
      r.operation,
      r.changes.create,
      r.changes.update,
      r.changes.replace,
      r.changes.delete,
      violationsCell(r),
      seconds(r.durationMs),
      RESULT_MARK[r.result],
    ]);
  }
  return table.toString();
}

/** `a, b, c` or `a, b, c and 4 more`: names in a one-line summary stay short. */
function few(names: readonly string[], max = 3): string {
  const unique = [...new Set(names)];
  return unique.length <= max
    ? unique.join(", ")
    : `${unique.slice(0, max).join(", ")} and ${unique.length - max} more`;
}

/** Why a cluster was skipped or not started, in a few words (the message without its stack name). */
function reason(r: ClusterResult): string {
  const m = r.message ?? "";
  if (/does not exist/.test(m)) return "not deployed";
  return m.replace(/^not started(: | \()?/, "").replace(/\)$/, "") || "no reason given";
}

/**
 * The run in one line, the last the terminal shows: `up: 1 done, 1 failed (dev.b), 0 skipped, 1 not
 * started (the canary wave did not succeed); 3 cluster(s) in 4.2 s, exit 1`. Drifted, cancelled and
 * dry-run counts appear when there are any.
 */
export function summaryLine(report: FleetReport): string {
  const of = (f: (r: ClusterResult) => boolean) => report.clusters.filter(f);
  const notStarted = of((r) => r.result === "skipped" && /^not (started|planned)/.test(r.message ?? ""));
  const skipped = of((r) => r.result === "skipped" && !notStarted.includes(r));
  const parts: string[] = [`${of((r) => r.result === "succeeded").length} done`];
  const dryRun = of((r) => r.result === "dry-run");
  if (dryRun.length > 0) parts.push(`${dryRun.length} dry run`);
  const drifted = of((r) => r.result === "drifted");
  if (drifted.length > 0) parts.push(`${drifted.length} drifted (${few(drifted.map((r) => r.stack))})`);
  const failed = of((r) => r.result === "failed");
  parts.push(`${failed.length} failed${failed.length > 0 ? ` (${few(failed.map((r) => r.stack))})` : ""}`);
  const cancelled = of((r) => r.result === "cancelled");
  if (cancelled.length > 0)
    parts.push(`${cancelled.length} cancelled (${few(cancelled.map((r) => r.stack))})`);
  parts.push(`${skipped.length} skipped${skipped.length > 0 ? ` (${few(skipped.map(reason))})` : ""}`);
  parts.push(
    `${notStarted.length} not started${notStarted.length > 0 ? ` (${few(notStarted.map(reason))})` : ""}`,
  );
  return (
    `${report.operation}: ${parts.join(", ")}; ${report.clusters.length} cluster(s) in ` +
    `${seconds(report.durationMs)}${report.cancelled ? " (interrupted)" : ""}, exit ${report.exitCode}`
  );
}

const cell = (s: string | number) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(report: FleetReport): string {
  const counts = new Map<string, number>();
  for (const r of report.clusters) counts.set(r.result, (counts.get(r.result) ?? 0) + 1);
  const tally = [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  const lines = [
    `### xcluster ${report.operation}: ${report.clusters.length} cluster(s), exit ${report.exitCode}`,
    "",
    ...(report.simulation !== undefined ? [`> **SIMULATION**: ${report.simulation}.`, ""] : []),
    `${tally || "no clusters"} in ${seconds(report.durationMs)}${report.cancelled ? " (interrupted)" : ""}.`,
    "",
    "| cluster | operation | create | update | replace | delete | policy violations | duration | result |",
    "|---|---|--:|--:|--:|--:|---|--:|---|",
  ];
  for (const r of report.clusters) {
    lines.push(
      `| ${cell(`${r.environment}/${r.cluster}`)} | ${r.operation} | ${r.changes.create} | ${r.changes.update} | ` +
        `${r.changes.replace} | ${r.changes.delete} | ${violationsCell(r)} | ${seconds(r.durationMs)} | ${RESULT_MARK[r.result]} |`,
    );
  }
  const violations = report.clusters.flatMap((r) => r.policyViolations.map((v) => ({ r, v })));
  if (violations.length > 0) {
    lines.push(
      "",
      "#### Policy violations",
      "",
      "| cluster | policy | level | resource | message |",
      "|---|---|---|---|---|",
    );
    for (const { r, v } of violations)
      lines.push(
        `| ${cell(r.cluster)} | ${cell(v.policy)} | ${v.enforcement} | ${cell(v.resource)} | ${cell(v.message)} |`,
      );
  }
  const drift = report.clusters.flatMap((r) => r.drift.map((d) => ({ r, d })));
  if (drift.length > 0) {
    lines.push(
      "",
      "#### Drift",
      "",
      "| cluster | resource | type | change | properties |",
      "|---|---|---|---|---|",
    );
    for (const { r, d } of drift)
      lines.push(
        `| ${cell(r.cluster)} | ${cell(d.urn)} | ${cell(d.type)} | ${d.change} | ${cell(d.properties.join(", "))} |`,
      );
  }
  lines.push(...renderTeardownMarkdown(report.clusters));
  const notes = report.clusters.filter((r) => r.message !== undefined && r.result !== "succeeded");
  if (notes.length > 0) {
    lines.push("", "#### Messages", "");
    for (const r of notes) lines.push(`- **${cell(r.cluster)}** (${r.result}): ${cell(r.message ?? "")}`);
  }
  return `${lines.join("\n")}\n`;
}

export function writeReport(file: string, text: string): string {
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  return abs;
}

/** The JSON report: the FleetReport as is (CLI diagnostics of failures included, in `error.detail`). */
export function renderJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
