/**
 * What a cluster's stack recorded at its last successful `up`, as stack outputs: the program exports
 * them, and the fleet driver reads them back before the next `preview` or `up` (fleet/applied-state.ts)
 * and hands them to the program. Plain values, never secrets.
 */

/** Stack output names. */
export const APPLIED_OUTPUTS = {
  rke2Version: "rke2Version",
  clusterInitialised: "clusterInitialised",
} as const;

export interface AppliedState {
  /** The RKE2 version of the last successful `up`; undefined before the first one (or before this output existed). */
  readonly rke2Version?: string;
  /**
   * The cluster's readiness gate passed at least once: the cluster exists, and server-0 must never
   * initialise again (it is rendered join-only).
   */
  readonly clusterInitialised: boolean;
  /**
   * `spec.tier` of the Calico metadata-service policy as the stack's state holds it (the object the API
   * server returned at the last apply): undefined when the state has no such policy, null when it has one
   * without a tier. Only the fleet driver fills it in (from the state's resources, not from outputs).
   */
  readonly calicoPolicyTier?: string | null;
}

/** A stack never applied, or applied before these outputs existed. */
export const NOT_APPLIED: AppliedState = { clusterInitialised: false };

/** The state recorded in a stack's outputs. */
export function appliedStateFromOutputs(outputs: Readonly<Record<string, unknown>>): AppliedState {
  const version = outputs[APPLIED_OUTPUTS.rke2Version];
  return {
    ...(typeof version === "string" ? { rke2Version: version } : {}),
    clusterInitialised: outputs[APPLIED_OUTPUTS.clusterInitialised] === true,
  };
}
