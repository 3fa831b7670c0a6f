/**
 * Reading the `cluster=`/`role=`/`environment=` identity the components stamp on resources
 * (`resourceTags`/`instanceMetadata` in components/conventions.ts).
 */
import { Role, TAG_KEYS } from "../../components/conventions";

/** The `key=value` OpenStack tags as a map (first value wins). */
export function tagMap(tags: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(tags)) return m;
  for (const t of tags) {
    if (typeof t !== "string") continue;
    const i = t.indexOf("=");
    if (i <= 0) continue;
    const k = t.slice(0, i);
    if (!m.has(k)) m.set(k, t.slice(i + 1));
  }
  return m;
}

/** The resource's role from its tags, or (instances) its metadata. */
export function roleOf(props: Record<string, unknown>): string | undefined {
  const fromTags = tagMap(props["tags"]).get(TAG_KEYS.role);
  if (fromTags !== undefined) return fromTags;
  const md = props["metadata"];
  if (md !== null && typeof md === "object" && !Array.isArray(md)) {
    const r = (md as Record<string, unknown>)[TAG_KEYS.role];
    if (typeof r === "string") return r;
  }
  return undefined;
}

/** The cluster a resource belongs to, from its tags or metadata. */
export function clusterOf(props: Record<string, unknown>): string | undefined {
  const fromTags = tagMap(props["tags"]).get(TAG_KEYS.cluster);
  if (fromTags !== undefined) return fromTags;
  const md = props["metadata"];
  if (md !== null && typeof md === "object" && !Array.isArray(md)) {
    const c = (md as Record<string, unknown>)[TAG_KEYS.cluster];
    if (typeof c === "string") return c;
  }
  return undefined;
}

export const ROLES: readonly Role[] = ["server", "agent", "gpu", "ingress", "network", "loadbalancer", "vip"];

/** Roles of instances that run RKE2 (ingress nodes are RKE2 agents reserved for the ingress controller). */
export const RKE2_NODE_ROLES: readonly string[] = ["server", "agent", "gpu", "ingress"];

/** Shell-style glob (`*` only), anchored. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRe).join(".*")}$`);
  return re.test(text);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
