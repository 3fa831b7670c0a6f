/**
 * `xcluster plan --baseline <plan.json>`: compares this plan with an earlier one (the plan of what runs
 * now, e.g. the JSON report kept from the last `up`). Offline there is no previous state to diff, so the
 * baseline report stands in for it: which nodes' boot config changed (they keep running and boot with
 * the new one only when replaced), which nodes come and go, and the RKE2 upgrade, carried out in the
 * cluster by system-upgrade-controller, refused when it is a downgrade or skips a minor version; and
 * what the change adds to or frees from the project's quotas (plan/capacity.ts).
 */
import * as fs from "fs";
import { upgradeProblem } from "../spec/upgrade";
import { serverCount, serverRemovalProblem } from "../spec/server-scaling";
import type { ClusterReport, PlanReport, SinceBaseline } from "./report";

/** A baseline file that cannot be used; the message names the file. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BaselineError";
  }
}

/** Reads a plan report written by `plan --json`. */
export function readBaseline(file: string): PlanReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new BaselineError(`--baseline ${file}: not a readable JSON plan report (${(e as Error).message})`);
  }
  const clusters = (parsed as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(clusters)) {
    throw new BaselineError(
      `--baseline ${file}: no "clusters" list (allowed: a report written by plan --json)`,
    );
  }
  return parsed as PlanReport;
}

/** How `current` differs from the same cluster in `baseline`; undefined when the baseline lacks it. */
export function sinceBaseline(current: ClusterReport, baseline: PlanReport): SinceBaseline | undefined {
  const before = baseline.clusters.find(
    (c) => c.name === current.name && c.environment === current.environment,
  );
  if (before?.lifecycle === undefined || current.lifecycle === undefined) return undefined;
  const old = new Map(before.lifecycle.nodes.map((n) => [n.name, n.bootConfigSha256]));
  const now = new Map(current.lifecycle.nodes.map((n) => [n.name, n.bootConfigSha256]));
  const from = before.lifecycle.rke2Version;
  const to = current.lifecycle.rke2Version;
  const servers = {
    from: serverCount(current.name, [...old.keys()]),
    to: serverCount(current.name, [...now.keys()]),
  };
  return {
    ...(from !== to ? { upgrade: { from, to } } : {}),
    // A plan without server nodes (a failed render) says nothing about the count.
    ...(servers.from !== servers.to && servers.from > 0 && servers.to > 0 ? { servers } : {}),
    bootConfigOutOfDate: [...now].filter(([n, d]) => old.has(n) && old.get(n) !== d).map(([n]) => n),
    added: [...now.keys()].filter((n) => !old.has(n)),
    removed: [...old.keys()].filter((n) => !now.has(n)),
  };
}

/** Upgrade and server scale-down problems per cluster (`<env>/<name>: …`); any makes `plan` exit 2. */
export function upgradeProblems(report: PlanReport): string[] {
  return report.clusters.flatMap((c) => {
    const u = c.sinceBaseline?.upgrade;
    const problem = u === undefined ? undefined : upgradeProblem(u.from, u.to);
    const servers = c.sinceBaseline?.servers;
    const scaling = servers === undefined ? undefined : serverRemovalProblem(servers.from, servers.to);
    return [
      ...(problem === undefined ? [] : [`${c.environment}/${c.name}: rke2Version: ${problem}`]),
      ...(scaling === undefined ? [] : [`${c.environment}/${c.name}: servers: ${scaling}`]),
    ];
  });
}

/** The lines `plan` prints under a cluster compared with its baseline. */
export function baselineLines(s: SinceBaseline): string[] {
  const lines: string[] = [];
  if (s.upgrade !== undefined) {
    lines.push(
      `  upgrade ${s.upgrade.from} → ${s.upgrade.to} via system-upgrade-controller (no node replaced)`,
    );
  }
  if (s.servers !== undefined) {
    lines.push(
      s.servers.to < s.servers.from
        ? `  servers ${s.servers.from} → ${s.servers.to}: each removed server is drained and its Node deleted (k3s removes its etcd member) before its instance goes`
        : `  servers ${s.servers.from} → ${s.servers.to}: the new servers join through the registration address`,
    );
  }
  if (s.added.length > 0) lines.push(`  nodes added: ${s.added.join(", ")}`);
  if (s.removed.length > 0) lines.push(`  nodes removed: ${s.removed.join(", ")}`);
  if (s.bootConfigOutOfDate.length > 0) {
    lines.push(
      `  boot config out of date on ${s.bootConfigOutOfDate.length} running node(s), used when replaced: ` +
        s.bootConfigOutOfDate.join(", "),
    );
  }
  if (lines.length === 0) lines.push("  no change to nodes or RKE2 version since the baseline");
  return lines;
}
