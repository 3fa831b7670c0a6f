/**
 * Tolerations that match every taint, and what makes a workload privileged, read from Helm values and
 * Kubernetes objects (pure).
 *
 * A toleration matches every taint when its key is empty and its operator is `Exists`: "Key is the taint
 * key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must
 * be Exists; this combination means to match all values and all keys." An empty effect matches every
 * effect (k8s.io/api v0.33.13 core/v1/types.go, `type Toleration`, lines 3840-3858). The API server
 * accepts only `Exists` and `Equal` (or empty, meaning Equal) as operators (k8s.io/kubernetes v1.33
 * pkg/apis/core/validation/validation.go `validateTolerations`); other spellings are matched here anyway,
 * since reading them costs nothing and a stricter check cannot let a real one through.
 */
import { parse } from "yaml";

/** One toleration that matches every taint (of one effect, when it names one). */
export interface MatchAllToleration {
  /** Where it sits, e.g. `values.daemonsets.tolerations[0]`. */
  readonly path: string;
  /** The effect it is limited to; undefined: every effect. */
  readonly effect?: string;
}

/** Keys that hold a toleration list: `tolerations`, and the `extraTolerations` / `extra_tolerations` of z2jh. */
const TOLERATION_LIST_KEY = /tolerations$/i;

function isEmptyKey(key: unknown): boolean {
  return key === undefined || key === null || (typeof key === "string" && key.trim() === "");
}

function matchesAll(t: unknown): { effect?: string } | undefined {
  if (t === null || typeof t !== "object" || Array.isArray(t)) return undefined;
  const o = t as Record<string, unknown>;
  if (typeof o["operator"] !== "string" || o["operator"].trim().toLowerCase() !== "exists") return undefined;
  if (!isEmptyKey(o["key"])) return undefined;
  const effect = o["effect"];
  return typeof effect === "string" && effect.trim() !== "" ? { effect: effect.trim() } : {};
}

/** A toleration list written as YAML or JSON text (some charts take a string and `tpl` it). */
function listOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every toleration under `root` that matches every taint, at any depth: lists under any key named
 * `tolerations` (any case, `extraTolerations`, `extra_tolerations`), including lists given as text.
 */
export function matchAllTolerations(root: unknown, path: string): MatchAllToleration[] {
  const out: MatchAllToleration[] = [];
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${at}[${i}]`));
      return;
    }
    if (v === null || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const here = `${at}.${k}`;
      const list = TOLERATION_LIST_KEY.test(k) ? listOf(x) : undefined;
      if (list !== undefined) {
        list.forEach((t, i) => {
          const m = matchesAll(t);
          if (m !== undefined) out.push({ path: `${here}[${i}]`, ...m });
        });
      }
      walk(x, here);
    }
  };
  walk(root, path);
  return out;
}

/**
 * The first host-level setting under `root` (`privileged: true`, `hostNetwork`/`hostPID`/`hostIPC: true`,
 * a `hostPath` volume), as `path`, or undefined. Pod Security's baseline level forbids each of them
 * (kubernetes/pod-security-admission policy/check_privileged.go, check_hostNamespaces.go,
 * check_hostPathVolumes.go), so a workload that has one is privileged whatever its namespace says.
 */
export function hostLevelSetting(root: unknown, path: string): string | undefined {
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) {
      const found = hostLevelSetting(root[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (root === null || typeof root !== "object") return undefined;
  for (const [k, x] of Object.entries(root as Record<string, unknown>)) {
    const here = `${path}.${k}`;
    if ((k === "privileged" || k === "hostNetwork" || k === "hostPID" || k === "hostIPC") && x === true)
      return here;
    if (k === "hostPath" && x !== null && typeof x === "object") return here;
    const found = hostLevelSetting(x, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** How a match-all toleration reads in a message. */
export function describeMatchAll(t: MatchAllToleration): string {
  return t.effect === undefined
    ? `${t.path} (operator Exists, no key) tolerates every taint`
    : `${t.path} (operator Exists, no key) tolerates every ${t.effect} taint`;
}
