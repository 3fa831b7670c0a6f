/**
 * The offline policy gate in front of `preview` and `up`: every cluster is planned under the mock
 * runtime (in worker processes, as `xcluster plan` does) and its mandatory violations stop it before its
 * stack is touched.
 *
 * Why: on a cluster's first preview the engine cannot run the rules that read instance user data (the RKE2
 * config, credentials in user data, kubeconfig mode, tls-san …) because the user data embeds the PKI the
 * dynamic provider generates, unknown until the first `up`; CrossGuard then reports them as advisory
 * "can't run during preview". During `up` they do run, but only when the instances register — after the
 * network, security groups and PKI were created. The plan sees fake but known values, so the same rules
 * decide before anything exists.
 */
import type { ClusterSpec } from "../spec/types";
import type { PolicyViolation } from "./tally";

/** What the gate found for one cluster. */
export interface GateFinding {
  /** Mandatory violations: the cluster does not run. */
  readonly violations: readonly PolicyViolation[];
  /** The plan itself failed; the cluster runs, with only the engine's checks (the message says why). */
  readonly error?: string;
}

/** Checks clusters before an operation; clusters absent from the map pass. */
export type PolicyGate = (clusters: readonly ClusterSpec[]) => Promise<ReadonlyMap<ClusterSpec, GateFinding>>;

/** The pack name offline findings carry in reports (the engine's say `xcluster`). */
export const OFFLINE_PACK = "xcluster (offline plan)";

export interface OfflineGateOptions {
  /** Plan worker processes. @default the number of cores */
  readonly workers?: number;
}

/** The gate backed by the offline plan. Plans load Pulumi in worker processes, never in this one. */
export function offlinePolicyGate(options: OfflineGateOptions = {}): PolicyGate {
  return async (clusters) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { planFleet } = require("../plan/fleet") as typeof import("../plan/fleet");
    let report: Awaited<ReturnType<typeof planFleet>>;
    try {
      report = await planFleet(clusters, options.workers !== undefined ? { workers: options.workers } : {});
    } catch (e) {
      // The plan machinery itself failed (not one cluster's program): no cluster is blocked on a guess.
      const error = e instanceof Error ? e.message : String(e);
      return new Map(clusters.map((spec) => [spec, { violations: [], error }] as const));
    }
    const found = new Map<ClusterSpec, GateFinding>();
    for (const spec of clusters) {
      const planned = report.clusters.find((c) => c.name === spec.name && c.environment === spec.environment);
      if (planned === undefined) continue;
      const violations = planned.violations
        .filter((v) => v.enforcement === "mandatory")
        .map((v) => ({
          policy: v.policy,
          pack: OFFLINE_PACK,
          enforcement: "mandatory" as const,
          resource: v.resource,
          message: v.message,
        }));
      if (violations.length > 0 || planned.error !== undefined) {
        found.set(spec, { violations, ...(planned.error !== undefined ? { error: planned.error } : {}) });
      }
    }
    return found;
  };
}
