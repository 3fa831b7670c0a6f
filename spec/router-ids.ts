/**
 * keepalived `virtual_router_id`s of a cluster's two VRRP groups (the API VIP on the servers, the ingress
 * VIP on the ingress nodes).
 *
 * Why only per cluster: keepalived.conf(5) (keepalived 2.2.7, `virtual_router_id`) asks for an ID that is
 * unique "on the same network interface", and even allows duplicates there when unicast peers do not overlap.
 * Every cluster has its own Neutron network, so IDs of different clusters never meet, and our VRRP is unicast
 * between listed peers anyway. The two groups of one cluster share that network, so their IDs differ (the
 * rule the man page states, kept even though their peers do not overlap). That is what `scope: "cluster"`,
 * the default, guarantees.
 *
 * Environments whose clusters share one network set `scope: "environment"` with the clusters' creation order
 * (`clusterOrder`). No assignment computed from the set of cluster names alone can be collision-free and
 * stable when clusters are added: a cluster alone must get the same IDs it keeps once others join, so its IDs
 * would be a function of its name only, and 255 IDs cannot give every name a distinct pair. Stability needs
 * history, and the environment file records it declaratively: clusters take IDs in list order (hash of the
 * name, then linear probing over free IDs), so appending a cluster never moves an existing one, and removing
 * one moves only the clusters that probed past its IDs. A cluster's IDs depend only on its own spec and its
 * environment file, never on which other cluster files are loaded.
 *
 * Overrides (`virtualRouterId`, `apiVirtualRouterId` in the topology) always win; in environment scope the
 * loader reports any override that collides with another cluster's ID.
 */

import { show, type SpecIssue } from "./issues";
import type { YamlSource } from "./yaml-source";

/** The highest `virtual_router_id` (keepalived.conf(5): "arbitrary unique number from 1 to 255"). */
export const MAX_VIRTUAL_ROUTER_ID = 255;

/** The two IDs of one cluster. */
export interface ClusterRouterIds {
  /** The ingress VIP group's (`topology.virtualRouterId`). */
  readonly ingress: number;
  /** The API VIP group's (`topology.apiVirtualRouterId`). */
  readonly api: number;
}

/** Per-cluster overrides from the spec. */
export interface RouterIdOverrides {
  readonly ingress?: number | undefined;
  readonly api?: number | undefined;
}

/** Where IDs must be unique: each cluster's own network (default), or one network every cluster shares. */
export type RouterIdScope =
  | { readonly scope: "cluster" }
  | {
      readonly scope: "environment";
      /** Cluster names in creation order; new clusters are appended. */
      readonly clusterOrder: readonly string[];
    };

/** The environment's scope setting (`spec.keepalived`), with the default applied. */
export function routerIdScopeOf(env: {
  readonly spec: {
    readonly keepalived?:
      | {
          readonly routerIdScope?: "cluster" | "environment" | undefined;
          readonly clusterOrder?: readonly string[] | undefined;
        }
      | undefined;
  };
}): RouterIdScope {
  const k = env.spec.keepalived;
  return k?.routerIdScope === "environment"
    ? { scope: "environment", clusterOrder: k.clusterOrder ?? [] }
    : { scope: "cluster" };
}

/** A stable ID in 1–255 from the cluster name: the first one tried for the cluster's ingress group. */
export function nameHashRouterId(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return (h % MAX_VIRTUAL_ROUTER_ID) + 1;
}

/** The next ID after `id`, wrapping 255 → 1. */
function next(id: number): number {
  return (id % MAX_VIRTUAL_ROUTER_ID) + 1;
}

/** The first ID from `start` on (wrapping) that `taken` does not hold; undefined when all are taken. */
function probe(start: number, taken: ReadonlySet<number>): number | undefined {
  let id = start;
  for (let i = 0; i < MAX_VIRTUAL_ROUTER_ID; i++, id = next(id)) if (!taken.has(id)) return id;
  return undefined;
}

/**
 * The IDs of one cluster when uniqueness is only needed inside it: the ingress group keeps the name-derived
 * ID clusters have always had, the API group takes the next one; an override on one side pushes the derived
 * other side past it, so the two never collide unless both are overridden equal (a validation error).
 */
export function clusterScopedRouterIds(name: string, overrides: RouterIdOverrides = {}): ClusterRouterIds {
  if (overrides.ingress !== undefined && overrides.api !== undefined)
    return { ingress: overrides.ingress, api: overrides.api };
  if (overrides.ingress !== undefined) return { ingress: overrides.ingress, api: next(overrides.ingress) };
  const derived = nameHashRouterId(name);
  if (overrides.api !== undefined)
    return { ingress: derived === overrides.api ? next(derived) : derived, api: overrides.api };
  return { ingress: derived, api: next(derived) };
}

/** The result of an environment-wide assignment. */
export interface EnvironmentRouterIds {
  /** IDs per cluster name in `clusterOrder`. */
  readonly byCluster: ReadonlyMap<string, ClusterRouterIds>;
  /** Names that got no IDs because all 255 were taken (at most 127 clusters share one network). */
  readonly exhausted: readonly string[];
  /** Names listed twice (only the first counts). */
  readonly duplicates: readonly string[];
}

/**
 * Environment-wide assignment: clusters in creation order, each taking the first free ID from its name hash
 * for the ingress group and the next free one for the API group. Depends only on `clusterOrder`, so any
 * subset of cluster files gets the same IDs as the whole fleet.
 */
export function environmentRouterIds(clusterOrder: readonly string[]): EnvironmentRouterIds {
  const taken = new Set<number>();
  const byCluster = new Map<string, ClusterRouterIds>();
  const exhausted: string[] = [];
  const duplicates: string[] = [];
  for (const name of clusterOrder) {
    if (byCluster.has(name)) {
      duplicates.push(name);
      continue;
    }
    const ingress = probe(nameHashRouterId(name), taken);
    if (ingress !== undefined) taken.add(ingress);
    const api = ingress === undefined ? undefined : probe(next(ingress), taken);
    if (ingress === undefined || api === undefined) {
      if (ingress !== undefined) taken.delete(ingress);
      exhausted.push(name);
      continue;
    }
    taken.add(api);
    byCluster.set(name, { ingress, api });
  }
  return { byCluster, exhausted, duplicates };
}

/**
 * The IDs of one cluster under `scope`, or undefined in environment scope when the cluster is not in the
 * order (or the order ran out of IDs): validation reports those before anything resolves.
 */
export function routerIdsFor(
  name: string,
  overrides: RouterIdOverrides,
  scope: RouterIdScope,
): ClusterRouterIds | undefined {
  if (scope.scope === "cluster") return clusterScopedRouterIds(name, overrides);
  const assigned = environmentRouterIds(scope.clusterOrder).byCluster.get(name);
  if (assigned === undefined) return undefined;
  return { ingress: overrides.ingress ?? assigned.ingress, api: overrides.api ?? assigned.api };
}

/** What the router-ID rules read of a (possibly lenient) cluster document. */
interface ClusterIdInput {
  readonly metadata?: { readonly name?: string | undefined } | undefined;
  readonly spec?:
    | {
        readonly parameters?: { readonly topology?: TopologyIdInput | undefined } | undefined;
      }
    | undefined;
}
interface TopologyIdInput {
  readonly mode?: string | undefined;
  readonly virtualRouterId?: number | undefined;
  readonly apiVirtualRouterId?: number | undefined;
}
/** What the router-ID rules read of an environment document. */
interface EnvironmentIdInput {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly keepalived?:
      | {
          readonly routerIdScope?: "cluster" | "environment" | undefined;
          readonly clusterOrder?: readonly string[] | undefined;
        }
      | undefined;
    readonly defaults?: { readonly topology?: TopologyIdInput | undefined } | undefined;
  };
}

const K = ["spec", "keepalived"] as const;

/** The environment's own router-ID rules: an order when the scope needs one, no duplicates, room for all. */
export function checkEnvironmentRouterIds(env: EnvironmentIdInput, src: YamlSource): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const k = env.spec.keepalived;
  if (k === undefined) return issues;
  if (k.routerIdScope !== "environment") {
    if (k.clusterOrder !== undefined)
      issues.push(
        src.issue(
          [...K, "clusterOrder"],
          `only used when routerIdScope is "environment" (got routerIdScope ${show(k.routerIdScope ?? "cluster")}; allowed: set routerIdScope: environment, or remove clusterOrder)`,
        ),
      );
    return issues;
  }
  const order = k.clusterOrder ?? [];
  if (order.length === 0) {
    issues.push(
      src.issue(
        [...K, "clusterOrder"],
        `required when routerIdScope is "environment" (got ${show(k.clusterOrder)}; allowed: the environment's cluster names in creation order)`,
      ),
    );
    return issues;
  }
  const result = environmentRouterIds(order);
  const firstIndex = new Map<string, number>();
  order.forEach((n, i) => {
    const first = firstIndex.get(n);
    if (first === undefined) firstIndex.set(n, i);
    else
      issues.push(
        src.issue(
          [...K, "clusterOrder", i],
          `listed twice (got ${show(n)}, also at clusterOrder[${first}]; allowed: each cluster once)`,
        ),
      );
  });
  for (const n of result.exhausted) {
    issues.push(
      src.issue(
        [...K, "clusterOrder", firstIndex.get(n) ?? 0],
        `no free pair of virtual_router_ids left for ${show(n)} (got ${order.length} clusters; allowed: at most ${Math.floor(MAX_VIRTUAL_ROUTER_ID / 2)} clusters on one shared network, two IDs each)`,
      ),
    );
  }
  return issues;
}

/**
 * One cluster's router-ID rules: in environment scope it must be in the order; its two groups' IDs must
 * differ (only possible to break with two equal overrides, or an override equal to an assigned ID).
 */
export function checkClusterRouterIds(
  c: ClusterIdInput,
  src: YamlSource,
  env: EnvironmentIdInput,
): SpecIssue[] {
  const own = c.spec?.parameters?.topology;
  const topology = own ?? env.spec.defaults?.topology;
  const name = c.metadata?.name;
  if ((topology !== undefined && topology.mode !== "keepalived") || name === undefined) return [];
  const P = ["spec", "parameters"];
  const at = (field: string) => (own?.mode === "keepalived" ? [...P, "topology", field] : P);
  const scope = routerIdScopeOf(env);
  const ids = routerIdsFor(
    name,
    { ingress: topology?.virtualRouterId, api: topology?.apiVirtualRouterId },
    scope,
  );
  if (ids === undefined) {
    if (scope.scope !== "environment" || scope.clusterOrder.length === 0) return []; // the environment reports it
    const listed = scope.clusterOrder.includes(name);
    return [
      src.issue(
        ["metadata", "name"],
        listed
          ? `no virtual_router_ids left for this cluster in environment "${env.metadata.name}" (its clusters share one network; see the environment's spec.keepalived.clusterOrder)`
          : `not in the clusterOrder of environment "${env.metadata.name}", whose clusters share one network (routerIdScope: environment) (got ${show(name)}; allowed: append ${show(name)} to spec.keepalived.clusterOrder in the environment file)`,
      ),
    ];
  }
  if (ids.ingress === ids.api)
    return [
      src.issue(
        at("apiVirtualRouterId"),
        `equals the ingress group's virtual_router_id (got ${ids.api}; allowed: another ID from 1 to ${MAX_VIRTUAL_ROUTER_ID}: the API and ingress VIP groups share the cluster's network)`,
      ),
    ];
  return [];
}
