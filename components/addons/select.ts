/**
 * Which add-ons a cluster gets, decided the way Sveltos ClusterProfiles select clusters: each add-on's
 * label selector is matched against the cluster's labels (the spec's labels, which include
 * `addons.<name>: enabled` for every add-on the spec lists, plus labels derived from the spec such as
 * `xcluster.dev/gpu`). Dependencies of a selected add-on are selected too and ordered before it.
 */
import type { ClusterSpec } from "../../spec/types";
import type { AddonName } from "../../spec/addons";
import type { AddonDefinition, LabelSelector, LabelSelectorRequirement } from "./addon";
import { CATALOGUE } from "./catalogue";
import { GPU_CLUSTER_LABEL, hasGpuPools, OPENSTACK_CLOUD_PROVIDER_LABEL } from "./cluster-facts";

/** The labels selectors see: the spec's labels with the derived ones on top (derived values win). */
export function clusterSelectionLabels(spec: ClusterSpec): Record<string, string> {
  return {
    ...spec.labels,
    [GPU_CLUSTER_LABEL]: hasGpuPools(spec) ? "true" : "false",
    [OPENSTACK_CLOUD_PROVIDER_LABEL]: spec.rke2.cloudProviderName === "external" ? "true" : "false",
  };
}

function requirementHolds(labels: Readonly<Record<string, string>>, r: LabelSelectorRequirement): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
    case "In":
      return present && value !== undefined && (r.values ?? []).includes(value);
    case "NotIn":
      return !present || value === undefined || !(r.values ?? []).includes(value);
  }
}

function describeRequirement(r: LabelSelectorRequirement): string {
  switch (r.operator) {
    case "Exists":
      return `label ${r.key} exists`;
    case "DoesNotExist":
      return `label ${r.key} does not exist`;
    case "In":
      return `${r.key} in [${(r.values ?? []).join(", ")}]`;
    case "NotIn":
      return `${r.key} not in [${(r.values ?? []).join(", ")}]`;
  }
}

/** One requirement of a selector, evaluated. */
type Evaluated = [description: string, holds: boolean, key: string];

/** Every requirement of the selector, evaluated against the labels. */
function evaluate(labels: Readonly<Record<string, string>>, selector: LabelSelector): Evaluated[] {
  const results: Evaluated[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    results.push([`${key}=${value}`, labels[key] === value, key]);
  }
  for (const r of selector.matchExpressions ?? []) {
    results.push([describeRequirement(r), requirementHolds(labels, r), r.key]);
  }
  return results;
}

/**
 * True when every requirement holds. Unlike Kubernetes, an empty selector selects no cluster: an add-on
 * must say which clusters it is for.
 */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  const results = evaluate(labels, selector);
  return results.length > 0 && results.every(([, ok]) => ok);
}

/** Why an add-on is or is not on a cluster. */
export interface AddonDecision {
  readonly name: AddonName;
  readonly selected: boolean;
  readonly reason: string;
}

/** An add-on chosen for a cluster, in install order. */
export interface AddonSelection {
  readonly addon: AddonDefinition;
  readonly reason: string;
}

function matchReason(labels: Readonly<Record<string, string>>, addon: AddonDefinition): [boolean, string] {
  const results = evaluate(labels, addon.selector);
  if (results.length === 0) return [false, "its selector is empty"];
  const unmet = results.filter(([, ok]) => !ok);
  if (unmet.length > 0) {
    const got = (key: string): string =>
      labels[key] === undefined ? `no ${key} label` : `${key}=${labels[key]}`;
    return [false, `selector not matched: ${unmet.map(([d, , key]) => `${d} (got ${got(key)})`).join("; ")}`];
  }
  return [true, `selector matched: ${results.map(([d]) => d).join(", ")}`];
}

/** For each catalogue entry, whether the cluster gets it and why. */
export function explainSelection(
  spec: ClusterSpec,
  catalogue: readonly AddonDefinition[] = CATALOGUE,
): AddonDecision[] {
  const selected = new Map(selectAddons(spec, catalogue).map((s) => [s.addon.name, s.reason]));
  const labels = clusterSelectionLabels(spec);
  return catalogue.map((addon) => {
    const reason = selected.get(addon.name);
    return reason !== undefined
      ? { name: addon.name, selected: true, reason }
      : { name: addon.name, selected: false, reason: matchReason(labels, addon)[1] };
  });
}

/**
 * The add-ons a cluster gets, dependencies before dependants (catalogue order otherwise). A dependency
 * that is not selected by its own labels is selected because of its dependant; a dependency cycle or a
 * dependency outside the catalogue is an error in the catalogue.
 */
export function selectAddons(
  spec: ClusterSpec,
  catalogue: readonly AddonDefinition[] = CATALOGUE,
): AddonSelection[] {
  const labels = clusterSelectionLabels(spec);
  const byName = new Map(catalogue.map((a) => [a.name, a]));
  const reasons = new Map<AddonName, string>();
  for (const addon of catalogue) {
    const [ok, reason] = matchReason(labels, addon);
    if (ok) reasons.set(addon.name, reason);
  }
  // Pull in dependencies (transitively), remembering who needed them.
  const pending = [...reasons.keys()];
  while (pending.length > 0) {
    const name = pending.shift() as AddonName;
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dep))
        throw new Error(`add-on ${name} depends on ${dep}, which is not in the catalogue`);
      if (!reasons.has(dep)) {
        reasons.set(dep, `required by ${name}`);
        pending.push(dep);
      }
    }
  }
  // Depth-first topological order, visiting in catalogue order so the result is deterministic.
  const ordered: AddonSelection[] = [];
  const state = new Map<AddonName, "visiting" | "done">();
  const visit = (addon: AddonDefinition, path: AddonName[]): void => {
    const s = state.get(addon.name);
    if (s === "done") return;
    if (s === "visiting") throw new Error(`add-on dependency cycle: ${[...path, addon.name].join(" → ")}`);
    state.set(addon.name, "visiting");
    for (const dep of addon.dependsOn) {
      const d = byName.get(dep);
      if (d !== undefined) visit(d, [...path, addon.name]);
    }
    state.set(addon.name, "done");
    ordered.push({ addon, reason: reasons.get(addon.name) ?? "" });
  };
  for (const addon of catalogue) if (reasons.has(addon.name)) visit(addon, []);
  return ordered;
}
