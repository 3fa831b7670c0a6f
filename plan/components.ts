/**
 * The resource tree of a planned cluster, rebuilt from the report's `(type, name, parent URN)` rows:
 * which top-level component each resource belongs to, and how many of each type it holds. Terminal
 * tables and Markdown diagrams are drawn from this, so they show what the program created, whatever it is.
 */
import type { ClusterReport, ReportResource } from "./report";

/** A resource directly under the stack, with everything below it. */
export interface TopLevel {
  readonly type: string;
  readonly name: string;
  /** Itself and its descendants, by type token. */
  readonly counts: ReadonlyMap<string, number>;
  /** Descendants (not itself), in report order. */
  readonly descendants: readonly ReportResource[];
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` → the qualified type. */
function qualifiedTypeOf(urn: string): string | undefined {
  return urn.split("::")[2];
}

/** The URN the engine gives a resource, from its parent's URN (the stack is not part of qualified types). */
export function urnOf(r: ReportResource): string | undefined {
  if (r.parent === null) return undefined;
  const parts = r.parent.split("::");
  const prefix = `${parts[0]}::${parts[1]}::`;
  const parentType = qualifiedTypeOf(r.parent);
  const underStack = parentType === undefined || parentType === "pulumi:pulumi:Stack";
  return `${prefix}${underStack ? "" : `${parentType}$`}${r.type}::${r.name}`;
}

/** The last segment of a type token: `xcluster:rke2:NodePool` → `NodePool`, `…/instance:Instance` → `Instance`. */
export function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/** Top-level resources in report order, each with its subtree's counts. */
export function topLevel(cluster: ClusterReport): TopLevel[] {
  const byUrn = new Map<string, ReportResource>();
  for (const r of cluster.resources) {
    const urn = urnOf(r);
    if (urn !== undefined) byUrn.set(urn, r);
  }
  const rootOf = (r: ReportResource): ReportResource => {
    let cur = r;
    for (let depth = 0; depth < 64; depth++) {
      const parent = cur.parent === null ? undefined : byUrn.get(cur.parent);
      if (parent === undefined) return cur;
      cur = parent;
    }
    return cur;
  };
  const groups = new Map<ReportResource, { counts: Map<string, number>; descendants: ReportResource[] }>();
  const group = (root: ReportResource) => {
    let g = groups.get(root);
    if (!g) {
      g = { counts: new Map(), descendants: [] };
      groups.set(root, g);
    }
    return g;
  };
  for (const r of cluster.resources) {
    const root = rootOf(r);
    const g = group(root);
    g.counts.set(r.type, (g.counts.get(r.type) ?? 0) + 1);
    if (root !== r) g.descendants.push(r);
  }
  return [...groups].map(([root, g]) => ({
    type: root.type,
    name: root.name,
    counts: g.counts,
    descendants: g.descendants,
  }));
}

/** Resources per type across the cluster, sorted by type. */
export function countsByType(cluster: ClusterReport): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of cluster.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
