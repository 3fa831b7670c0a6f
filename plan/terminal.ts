/**
 * What `xcluster plan` prints: per cluster a table of resources by component (counts per type), then
 * the violations grouped by rule, then one summary line for the fleet.
 */
import { boxTable } from "./box-table";
import { kindOf, topLevel } from "./components";
import type { ClusterReport, PlanReport, ReportViolation } from "./report";

/** `openstack:compute/instance:Instance` → `openstack:Instance` (the package says where, the kind what). */
export function shortType(type: string): string {
  return `${type.slice(0, type.indexOf(":"))}:${kindOf(type)}`;
}

function clusterTitle(c: ClusterReport): string {
  return `${c.environment}/${c.name} (${c.topology})`;
}

function resourceTable(c: ClusterReport): string {
  const rows = topLevel(c).map((top) => {
    const lines = [...top.counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([type, n]) => `${String(n).padStart(3)}  ${shortType(type)}`);
    return [`${kindOf(top.type)} ${top.name}`, lines.join("\n")];
  });
  return boxTable(["component", "resources"], rows);
}

/** Violations grouped by rule, mandatory rules first. */
export function groupByRule(violations: readonly ReportViolation[]): [string, ReportViolation[]][] {
  const groups = new Map<string, ReportViolation[]>();
  for (const v of violations) {
    const list = groups.get(v.policy);
    if (list) list.push(v);
    else groups.set(v.policy, [v]);
  }
  const rank = (list: ReportViolation[]) => (list.some((v) => v.enforcement === "mandatory") ? 0 : 1);
  return [...groups].sort(([a, la], [b, lb]) => rank(la) - rank(lb) || (a < b ? -1 : a > b ? 1 : 0));
}

function violationLines(c: ClusterReport, origins: ReadonlyMap<string, string>): string[] {
  if (c.violations.length === 0) return ["  no policy violations"];
  const lines: string[] = [];
  for (const [policy, list] of groupByRule(c.violations)) {
    const first = list[0] as ReportViolation;
    const mark = first.enforcement === "mandatory" ? "✗" : "!";
    lines.push(`  ${mark} ${policy} [${first.enforcement}, ${first.severity}] ${list.length} finding(s)`);
    const origin = origins.get(policy);
    if (origin !== undefined) lines.push(`      set by ${origin}`);
    for (const v of list) lines.push(`      ${v.resource}: ${v.message}`);
  }
  return lines;
}

/** The environment's named exceptions: rules that only advise here, until a date. */
export function exceptionLines(c: ClusterReport): string[] {
  return (c.policyExceptions ?? []).map(
    (x) =>
      `  ~ exception ${x.rule} until ${x.expires}${x.expired ? " (EXPIRED, enforced again)" : ""}: ${x.reason}`,
  );
}

/**
 * The block printed for one cluster. `origins`: per policy, the spec setting that decides it
 * (spec/origin.ts), printed under the rule's findings.
 */
export function clusterText(c: ClusterReport, origins: ReadonlyMap<string, string> = new Map()): string {
  if (c.error !== undefined) return `${clusterTitle(c)}: FAILED\n  ${c.error}`;
  return [
    `${clusterTitle(c)}: ${c.resources.length} resource(s)`,
    resourceTable(c),
    ...violationLines(c, origins),
    ...exceptionLines(c),
  ].join("\n");
}

/** The fleet's one-line summary. */
export function summaryLine(report: PlanReport, seconds: number): string {
  const planned = report.clusters.filter((c) => c.error === undefined);
  const failed = report.clusters.length - planned.length;
  const resources = planned.reduce((n, c) => n + c.resources.length, 0);
  const all = report.clusters.flatMap((c) => c.violations);
  const mandatory = all.filter((v) => v.enforcement === "mandatory").length;
  const exceptions = report.clusters.reduce((n, c) => n + (c.policyExceptions?.length ?? 0), 0);
  return (
    `${planned.length} cluster(s) planned, ${resources} resource(s), ` +
    `${mandatory} mandatory and ${all.length - mandatory} advisory violation(s)` +
    `${exceptions > 0 ? `, ${exceptions} policy exception(s)` : ""}` +
    `${failed > 0 ? `, ${failed} cluster(s) failed` : ""} in ${seconds.toFixed(1)} s`
  );
}
