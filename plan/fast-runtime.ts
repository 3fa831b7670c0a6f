/**
 * Makes the Pulumi SDK cheaper to run under mocks, for plan processes only.
 *
 * Measured (BENCHMARKS.md): under the mock runtime most time per resource goes to `new Error().stack`,
 * which the SDK captures for every promise it wraps (`runtime/debuggable.js`, kept only to print where a
 * leaked promise was created) and for every `new Error()` it pre-allocates per RPC, plus the garbage those
 * strings make. A plan needs none of them: it waits for every registration itself and reports errors by
 * message. `Error.stackTraceLimit = 0` turns those captures into empty strings, through Node's public
 * switch and without touching SDK internals. The SDK's own source-position capture
 * (`Resource.callsites`) raises the limit for its one call and restores it, so it keeps working.
 */

export interface RuntimeTuning {
  /** Puts the process back as it was (for in-process `--serial` plans and tests). */
  restore(): void;
}

/** Turns stack capture off until `restore()`. Call only in a process (or phase) that does nothing but plan. */
export function tuneForPlans(): RuntimeTuning {
  const previous = Error.stackTraceLimit;
  // XCLUSTER_PLAN_STACKS=1 keeps stacks (to debug a failing program, at the SDK's default speed).
  if (process.env["XCLUSTER_PLAN_STACKS"] !== "1") Error.stackTraceLimit = 0;
  return { restore: () => void (Error.stackTraceLimit = previous) };
}
