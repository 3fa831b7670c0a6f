/**
 * The Helm values an add-on is installed with: the catalogue's derived values with the spec's
 * `addons.values.<name>` merged over them (objects merge key by key; arrays and scalars replace).
 */
import type { ClusterSpec } from "../../spec/types";
import type { AddonDefinition } from "./addon";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge: `override` wins; neither input is modified. */
export function mergeValues(
  base: Record<string, unknown>,
  override: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
  }
  return out;
}

/** Values for one add-on on one cluster. */
export function addonValues(addon: AddonDefinition, spec: ClusterSpec): Record<string, unknown> {
  return mergeValues(addon.values(spec), spec.addons.values[addon.name] ?? {});
}
