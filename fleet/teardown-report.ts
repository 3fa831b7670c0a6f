/**
 * The destroy report's teardown section (Markdown): per cluster, what was deleted through the cluster
 * and how long each wait took, the volumes kept on purpose, the DNS records external-dns was asked to
 * remove, the orphans with the commands that find them, and whether `--force-orphans` was used. The
 * JSON report carries the same `TeardownReport` as is (`clusters[].teardown`).
 */
import type { ClusterResult } from "./operation";
import type { TeardownReport } from "../teardown/teardown";

const cell = (s: string | number) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const API_WORDS: Record<TeardownReport["api"], string> = {
  answered: "cluster API answered",
  unreachable: "cluster API did not answer",
  failed: "cluster API answered, then failed",
  "no-nodes": "no instance in the state, nothing to clean",
};

function clusterLines(r: ClusterResult, t: TeardownReport): string[] {
  const head =
    `- **${cell(r.cluster)}** (${cell(r.environment)}): ${API_WORDS[t.api]}` +
    `${t.apiVersion ? ` (${t.apiVersion})` : ""}${t.reason ? `: ${cell(t.reason)}` : ""}; ` +
    `waited ${secs(t.waitMs)}; --force-orphans ${t.forceOrphans ? "used" : "not used"}; ` +
    `${t.refused ? "**destroy refused**" : "destroy ran"}`;
  const lines = [head];
  if (t.deleted.length > 0) {
    lines.push(
      "",
      "  | object | cloud resource | waited | outcome |",
      "  |---|---|--:|---|",
      ...t.deleted.map(
        (o) =>
          `  | ${o.kind} ${cell(o.namespace ? `${o.namespace}/${o.name}` : o.name)} | ${cell(o.cloudResource)} | ` +
          `${secs(o.waitedMs)} | ${o.outcome === "gone" ? "gone" : `TIMED OUT (${cell((o.finalizers ?? []).join(", "))})`} |`,
      ),
      "",
    );
  }
  for (const v of t.retainedVolumes) {
    lines.push(
      `  - kept (reclaim policy Retain): Cinder volume ${cell(v.cinderVolumeId)} (PV ${cell(v.volume)}` +
        `${v.claim ? `, claim ${cell(`${v.claim.namespace}/${v.claim.name}`)}` : ""})`,
    );
  }
  if (t.dns !== undefined) {
    const names = t.dns.records.map((d) => `${d.name} ${d.type}`).join(", ");
    lines.push(
      `  - DNS (${t.dns.zone}, owner ${cell(t.dns.owner)}): ${t.dns.status}` +
        (t.dns.status === "requested"
          ? ` — external-dns switched from --policy=${t.dns.policyBefore ?? "(default)"} to sync, waited ` +
            `${secs(t.dns.waitedMs)}; not verified here: ${cell(names)}`
          : ""),
    );
  }
  for (const o of t.orphans) {
    lines.push(
      `  - orphan ${o.kind}: ${cell(o.selector)}${o.known.length > 0 ? ` (known: ${cell(o.known.join(", "))})` : ""}` +
        ` — \`${o.command.replace(/`/g, "'")}\``,
    );
  }
  return lines;
}

/** The section, or nothing when no cluster ran a teardown. */
export function renderTeardownMarkdown(clusters: readonly ClusterResult[]): string[] {
  const torn = clusters.filter((r) => r.teardown !== undefined);
  if (torn.length === 0) return [];
  return ["", "#### Teardown before destroy", "", ...torn.flatMap((r) => clusterLines(r, r.teardown!))];
}
