/**
 * Values a rule cannot know on a first preview, and how a stack rule tells them from absent ones
 * (ADR 0004). Resource rules read a resource's inputs: an unknown input is CrossGuard's sentinel, and its
 * proxy throws `UnknownValueError` on reading it (@pulumi/policy 1.21.0 proxy.js), which the analyzer
 * turns into the advisory "can't run policy … during preview" (server.js). Stack rules read the outputs
 * the provider returned for the preview (pulumi 3.248.0 step_generator.go `Properties: v.Outputs`), and
 * the real OpenStack provider drops unknown values from those (pulumi-terraform-bridge v3.79.0
 * pkg/tfshim/sdk-v2/instance_state.go:128-130), so there "unknown" reads as absent. What survives is the
 * resource's property dependencies: the program set the property from other resources' outputs.
 */
import type { PolicyResource } from "@pulumi/policy";

// The proxy module is public at runtime (index.js re-exports it) but typed @internal; the analyzer
// recognises exactly this class.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as {
  UnknownValueError: new (sentinel: string, props: string[]) => Error;
  unknownStringValue: string;
};

/** What a stack rule can know of one property of a resource. */
export type Knowledge =
  | { readonly state: "known"; readonly value: unknown }
  | { readonly state: "unknown" }
  | { readonly state: "absent" };

/** True for CrossGuard's "can't be known during preview" error. */
export function isUnknownError(e: unknown): boolean {
  return e instanceof proxy.UnknownValueError;
}

/**
 * The property as a stack rule may read it: known (a value, possibly holding unknowns deeper down, which
 * throw when read), unknown (the engine's unknown, or no value but set from other resources), or absent.
 */
export function propertyOf(resource: PolicyResource, prop: string): Knowledge {
  let value: unknown;
  try {
    value = resource.props[prop];
  } catch (e) {
    if (isUnknownError(e)) return { state: "unknown" };
    throw e;
  }
  if (value !== undefined && value !== null) return { state: "known", value };
  const deps = resource.propertyDependencies[prop];
  return deps !== undefined && deps.length > 0 ? { state: "unknown" } : { state: "absent" };
}

/** Reads a value that may be unknown (a nested field); `unknown` when CrossGuard's proxy refuses. */
export function tryRead<T>(read: () => T): { readonly value: T } | "unknown" {
  try {
    return { value: read() };
  } catch (e) {
    if (isUnknownError(e)) return "unknown";
    throw e;
  }
}

/**
 * Properties a stack rule could not decide. The rule reports what it can prove first, then `settle()`
 * ends it the engine's way: an `UnknownValueError`, which the analyzer reports as the advisory
 * "can't run policy … during preview", naming the first property it could not know.
 */
export class Undecided {
  private first: string[] | undefined;

  note(resource: PolicyResource, prop: string): void {
    this.first ??= [resource.name, prop];
  }

  settle(): void {
    if (this.first !== undefined) throw new proxy.UnknownValueError(proxy.unknownStringValue, this.first);
  }
}
