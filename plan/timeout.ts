/** The per-cluster safety net: a program that never settles fails its cluster instead of hanging the plan. */

/** @default for a cluster's plan: generous, since a cluster takes well under a second when healthy. */
export const DEFAULT_CLUSTER_TIMEOUT_MS = 120_000;

/** The program did not finish registering within the timeout. */
export class PlanTimeoutError extends Error {
  constructor(
    readonly cluster: string,
    readonly timeoutMs: number,
  ) {
    super(
      `${cluster}: the program did not finish within ${timeoutMs / 1000} s (an output that never resolves?)`,
    );
    this.name = "PlanTimeoutError";
  }
}
