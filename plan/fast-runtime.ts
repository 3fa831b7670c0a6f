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

/**
 * What a dynamic resource's `__provider` input holds in a plan worker: a module whose handler fails
 * loudly, should anything ever try to run it.
 */
export const UNSERIALISED_PROVIDER =
  'exports.handler = () => { throw new Error("xcluster plan: dynamic providers are not serialised offline"); };\n';

interface ClosureModule {
  serializeFunction: (...args: unknown[]) => Promise<{ text: string; containsSecrets: boolean }>;
}

/**
 * Skips the serialisation of dynamic providers' code, for plan worker processes only: processes that
 * never run the real engine, so nothing could ever read that code.
 *
 * Why: `pulumi.dynamic.Resource` serialises its provider's closure into the `__provider` input
 * (`@pulumi/pulumi` 3.248.0, `dynamic/index.js`, `serializeProvider`). The first one in a process costs
 * 1.0–1.2 s (an inspector session whose `Debugger.enable` replays every loaded script, and loading
 * TypeScript to parse function text); under mocks the text is never used, but ClusterPki pays it in
 * every worker. The SDK caches the serialised provider per provider object for the life of the process
 * (`providerCache`), so a placeholder must never reach a process that also runs the real engine: the
 * in-process `--serial` plan does not call this, and the engine runs programs in its own language host
 * or, through the automation API, in the driver, neither of which loads a plan worker.
 *
 * `dynamic/index.js` loads `runtime/closure/serializeClosure` and calls its `serializeFunction` at the
 * time of each registration, so replacing that export is enough. If an SDK upgrade moves it, this does
 * nothing and the workers pay the cost again (test/plan/fast-runtime.spec.ts fails first).
 */
export function skipDynamicProviderSerialisation(): RuntimeTuning {
  let closure: ClosureModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as ClosureModule;
  } catch {
    return { restore: () => undefined };
  }
  const original = closure.serializeFunction;
  if (typeof original !== "function") return { restore: () => undefined };
  closure.serializeFunction = () => Promise.resolve({ text: UNSERIALISED_PROVIDER, containsSecrets: false });
  return { restore: () => void (closure.serializeFunction = original) };
}
