/**
 * `xcluster plan --markdown`: per cluster a summary table (resources per type), the policy findings and
 * a Mermaid diagram of the topology — readable in a merge-request comment or any Markdown viewer.
 */
import { countsByType } from "./components";
import { clusterDiagram } from "./mermaid";
import { groupByRule } from "./terminal";
import { capacityMarkdown } from "./capacity-tables";
import type { ClusterReport, PlanReport } from "./report";

/** Table cell text: pipes and line breaks would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function clusterSection(c: ClusterReport): string[] {
  const out = [`## ${c.environment}/${c.name}`, ""];
  if (c.error !== undefined) {
    out.push(`**Plan failed:** ${cell(c.error)}`, "");
    return out;
  }
  const mandatory = c.violations.filter((v) => v.enforcement === "mandatory").length;
  out.push(
    `Topology **${c.topology}**, ${c.resources.length} resources, ` +
      `${mandatory} mandatory and ${c.violations.length - mandatory} advisory findings.`,
    "",
    "```mermaid",
    clusterDiagram(c),
    "```",
    "",
    "| type | count |",
    "| --- | ---: |",
    ...countsByType(c).map(([type, n]) => `| \`${type}\` | ${n} |`),
    "",
  );
  const exceptions = c.policyExceptions ?? [];
  if (exceptions.length > 0) {
    out.push("Policy exceptions (rules that only advise here):", "");
    out.push("| rule | until | reason |", "| --- | --- | --- |");
    for (const x of exceptions)
      out.push(`| \`${x.rule}\` | ${x.expires}${x.expired ? " **expired**" : ""} | ${cell(x.reason)} |`);
    out.push("");
  }
  if (c.violations.length === 0) {
    out.push("No policy findings.", "");
    return out;
  }
  out.push("| rule | enforcement | severity | resource | finding |", "| --- | --- | --- | --- | --- |");
  for (const [policy, list] of groupByRule(c.violations)) {
    for (const v of list) {
      out.push(
        `| \`${policy}\` | ${v.enforcement} | ${v.severity} | \`${cell(v.resource)}\` | ${cell(v.message)} |`,
      );
    }
  }
  out.push("");
  return out;
}

/** The whole Markdown document. */
export function reportMarkdown(report: PlanReport): string {
  const lines = ["# xcluster plan", ""];
  lines.push("| cluster | environment | topology | resources | mandatory | advisory | status |");
  lines.push("| --- | --- | --- | ---: | ---: | ---: | --- |");
  for (const c of report.clusters) {
    const mandatory = c.violations.filter((v) => v.enforcement === "mandatory").length;
    const status = c.error !== undefined ? "failed" : mandatory > 0 ? "blocked" : "ok";
    lines.push(
      `| ${c.name} | ${c.environment} | ${c.topology} | ${c.resources.length} | ${mandatory} | ` +
        `${c.violations.length - mandatory} | ${status} |`,
    );
  }
  lines.push("");
  if (report.capacity !== undefined) lines.push(...capacityMarkdown(report.capacity));
  for (const c of report.clusters) lines.push(...clusterSection(c));
  return `${lines.join("\n").trimEnd()}\n`;
}
