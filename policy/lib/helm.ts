/** Helm Release inputs (`kubernetes:helm.sh/v3:Release`) and chart versions. */

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The chart's base name: `jupyterhub` for `jupyterhub`, `jupyterhub/jupyterhub` or `oci://…/jupyterhub`. */
export function chartName(props: Record<string, unknown>): string {
  const chart = props["chart"];
  if (typeof chart !== "string") return "";
  const last = chart.replace(/\/+$/, "").split("/").pop() ?? "";
  return last.split("@")[0]?.split(":")[0] ?? "";
}

/** Reads a nested value (`get(values, "hub", "config")`); undefined when any step is missing. */
export function get(root: unknown, ...path: string[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The release's values (an empty object when none). */
export function valuesOf(props: Record<string, unknown>): Record<string, unknown> {
  const v = props["values"];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** An exact SemVer, optionally `v`-prefixed (`v25.3.0`, `4.2.0`, `1.2.3-rc.1`). */
export const EXACT_VERSION_RE = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Numeric core of a version (`v1.17.4-ubuntu20.04` → [1, 17, 4]), or undefined. */
export function versionCore(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Compares version cores; undefined when either does not parse. */
export function compareVersions(a: string, b: string): number | undefined {
  const x = versionCore(a);
  const y = versionCore(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return 0;
}
