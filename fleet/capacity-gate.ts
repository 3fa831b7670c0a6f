/**
 * The quota check in front of `preview`, `up` and `reconcile`: when an environment of the run declares
 * project quotas, every cluster of that environment in the specs (not only those the run selects: the
 * others hold quota too) is planned offline, and a fleet that does not fit is refused before any stack
 * is touched, with the same accounting and messages as `xcluster plan` (plan/capacity.ts).
 */
import type { ClusterSpec } from "../spec/types";

export interface CapacityGateOptions {
  /** Plan worker processes. @default the number of cores */
  readonly workers?: number;
}

/**
 * The refusal messages (one per exceeded quota), empty when everything fits or no environment of
 * `selected` declares a quota. `all` is every cluster the specs define for those environments.
 */
export async function capacityRefusals(
  selected: readonly ClusterSpec[],
  all: readonly ClusterSpec[],
  options: CapacityGateOptions = {},
): Promise<string[]> {
  const withQuota = new Set(
    selected
      .filter((c) => c.capacity !== undefined && Object.keys(c.capacity.quota).length > 0)
      .map((c) => c.environment),
  );
  if (withQuota.size === 0) return [];
  const fleet = all.filter((c) => withQuota.has(c.environment));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { planFleet } = require("../plan/fleet") as typeof import("../plan/fleet");
  const capacity = require("../plan/capacity") as typeof import("../plan/capacity");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const report = await planFleet(fleet, options.workers !== undefined ? { workers: options.workers } : {});
  const failed = report.clusters.filter((c) => c.error !== undefined);
  if (failed.length > 0) {
    // Without every cluster's resources the sum would be too low: refuse rather than pass on a guess.
    return failed.map(
      (c) =>
        `${c.environment}/${c.name}: cannot account for its quota use, the offline plan failed: ${c.error}`,
    );
  }
  const accounted = capacity.fleetCapacity(report, capacity.capacitySettings(fleet));
  return capacity.quotaExcesses(accounted).map(capacity.excessMessage);
}
