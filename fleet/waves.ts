/**
 * Waves: the canary clusters (named, or selected by label) go first; the rest run only when every canary
 * succeeded. Without a canary there is one wave.
 */
import type { ClusterSpec } from "../spec/types";
import { InvalidRunError } from "./errors";

export interface CanarySelection {
  /** Cluster names (or `<environment>/<cluster>`). */
  readonly names?: readonly string[];
  /** Label selector, `key=value` pairs that must all match. */
  readonly selector?: Readonly<Record<string, string>>;
}

export function planWaves(clusters: readonly ClusterSpec[], canary: CanarySelection = {}): ClusterSpec[][] {
  const names = canary.names ?? [];
  const selector = canary.selector ?? {};
  if (names.length === 0 && Object.keys(selector).length === 0)
    return clusters.length > 0 ? [[...clusters]] : [];
  const known = new Set(clusters.flatMap((c) => [c.name, `${c.environment}/${c.name}`]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new InvalidRunError(
      `--canary ${unknown.join(", ")}: no such cluster in this run (got ${unknown.join(", ")}; allowed: ${
        clusters.map((c) => c.name).join(", ") || "none"
      })`,
    );
  }
  const isCanary = (c: ClusterSpec) =>
    names.includes(c.name) ||
    names.includes(`${c.environment}/${c.name}`) ||
    (Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => c.labels[k] === v));
  const first = clusters.filter(isCanary);
  if (first.length === 0) {
    const sel = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    throw new InvalidRunError(`--canary-selector ${sel}: matches no cluster in this run`);
  }
  const rest = clusters.filter((c) => !isCanary(c));
  return rest.length > 0 ? [first, rest] : [first];
}

/** Parses `key=value[,key=value]` label selectors. */
export function parseSelector(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",").filter((p) => p.trim() !== "")) {
    const eq = part.indexOf("=");
    if (eq <= 0)
      throw new InvalidRunError(`--canary-selector ${text}: expected key=value[,key=value] (got "${part}")`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  if (Object.keys(out).length === 0) throw new InvalidRunError(`--canary-selector: empty selector`);
  return out;
}
