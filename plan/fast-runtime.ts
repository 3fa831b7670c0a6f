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

import { keepStructsAsJavaScript } from "./js-struct";

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

/**
 * Replaces function `key` of the object `holder(require(modulePath))` with `replacement` until
 * `restore()`. Does nothing when the module or the function is not there (an SDK that moved it: the
 * tests in test/plan/fast-runtime.spec.ts fail first).
 */
function replaceSdkFunction<F>(
  modulePath: string,
  holder: (mod: unknown) => Record<string, unknown> | undefined,
  key: string,
  replacement: F,
): RuntimeTuning {
  let target: Record<string, unknown> | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    target = holder(require(modulePath));
  } catch {
    return { restore: () => undefined };
  }
  const original = target?.[key];
  if (target === undefined || typeof original !== "function") return { restore: () => undefined };
  const t = target;
  // An inherited function (a prototype's toString) is shadowed, and the shadow removed again on restore.
  const own = Object.prototype.hasOwnProperty.call(t, key);
  t[key] = replacement;
  return {
    restore: () => {
      if (own) t[key] = original;
      else delete t[key];
    },
  };
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
  return replaceSdkFunction(
    "@pulumi/pulumi/runtime/closure/serializeClosure",
    (m) => m as Record<string, unknown>,
    "serializeFunction",
    () => Promise.resolve({ text: UNSERIALISED_PROVIDER, containsSecrets: false }),
  );
}

/**
 * Plan workers only: the SDK's `debuggablePromise` hands back the promise it is given, undecorated.
 *
 * Why: `@pulumi/pulumi` 3.248.0 `runtime/debuggable.js` wraps every promise the runtime makes (about ten
 * per resource: registration, URN, ID, each output property) to find leaks at exit: three
 * `Object.defineProperty` calls (which turn the promise into a slow dictionary-mode object), a
 * `new Error().stack`, an entry in a leak set and two more promises (`.then(…).catch(…)`) to take it out
 * again. That bookkeeping is only read by the exit hook that prints "leaked promises"; a plan worker waits
 * for every registration itself (`waitForRPCs`), ends with `process.exit(0)`, and reports failures by the
 * message of the rejected promise, which passes through unchanged. The callers (`runtime/resource.js`,
 * `rpc.js`, `invoke.js`, `settings.js`, `callbacks.js`) look the function up on the module object at each
 * call (`debuggable_1.debuggablePromise(…)`), so replacing the export is enough. If an SDK upgrade moves
 * it, this does nothing (test/plan/fast-runtime.spec.ts fails first).
 */
export function skipPromiseLeakBookkeeping(): RuntimeTuning {
  return replaceSdkFunction(
    "@pulumi/pulumi/runtime/debuggable",
    (m) => m as Record<string, unknown>,
    "debuggablePromise",
    <T>(p: Promise<T>) => p,
  );
}

/**
 * Plan workers only: the SDK records no source position for a resource.
 *
 * Why: `@pulumi/pulumi` 3.248.0 `resource.js` (`Resource` constructor) calls `Resource.stackTrace(4)` for
 * every resource, which sets `Error.stackTraceLimit` to Infinity, formats the whole stack as text, parses
 * every line with a regular expression and turns each file name into a URL, to send the engine the
 * resource's source position (shown in the Pulumi Cloud console). Mocks never read it, and nothing in a
 * plan report comes from it. The constructor calls the static method through the class
 * (`Resource.stackTrace(4)`), so replacing it on the class is enough; with no frames it sends no position,
 * as the SDK itself does when it finds none.
 */
export function skipSourcePositions(): RuntimeTuning {
  return replaceSdkFunction(
    "@pulumi/pulumi/resource",
    (m) => (m as { Resource?: Record<string, unknown> }).Resource,
    "stackTrace",
    () => [],
  );
}

/**
 * Plan workers only: a registration's response is not turned into text for a debug line nobody reads.
 *
 * Why: `@pulumi/pulumi` 3.248.0 `runtime/resource.js` (`registerResource`, the monitor's callback) builds
 * `log.debug(\`RegisterResource RPC finished: …, resp: ${innerResponse}\`)` for every resource. The
 * response is a protobuf message whose `toString` (google-protobuf `jspb.Message`) flattens the whole
 * message, the resource's entire state included, into one string by recursive `Array.join`. `log.debug`
 * drops the text when no engine is attached (`log/index.js` `debug`), which is always the case under
 * mocks. For a node that is its whole user data, every time: 5.6 MB of strings per plan of a 100-node
 * cluster (a heap profile, BENCHMARKS.md (d)). Only this message type's text changes, only while tuned.
 */
export function skipResponseDebugText(): RuntimeTuning {
  return replaceSdkFunction(
    "@pulumi/pulumi/proto/resource_pb",
    (m) =>
      (m as { RegisterResourceResponse?: { prototype: Record<string, unknown> } }).RegisterResourceResponse
        ?.prototype,
    "toString",
    () => "RegisterResourceResponse",
  );
}

/**
 * Everything a plan worker turns off, at once: stack capture, dynamic providers' code, the SDK's promise
 * leak bookkeeping, source positions, the registration responses' debug text and the protobuf form of
 * property maps (plan/js-struct.ts). The tuned floor of the per-resource benchmark (bench/scripts.ts)
 * runs with the same, so that the comparison is like for like.
 */
export function tuneWorkerRuntime(): RuntimeTuning {
  const parts = [
    tuneForPlans(),
    skipDynamicProviderSerialisation(),
    skipPromiseLeakBookkeeping(),
    skipSourcePositions(),
    skipResponseDebugText(),
    keepStructsAsJavaScript(),
  ];
  return { restore: () => parts.reverse().forEach((p) => p.restore()) };
}
