/**
 * Calls a rule the way the engine does, without the engine: a `ResourceValidationArgs` of the 1.21 shape
 * (`stackTags`, a throwing `notApplicable`), and stack rules through the offline evaluator (which builds
 * `PolicyResource`s with property dependencies from IDs). Case tables start from a compliant fixture and
 * change one thing per failing case.
 */
import * as assert from "assert";
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { evaluatePolicies, PlannedResource, PolicyViolation } from "../../policy/evaluate";
import { XclusterPolicy } from "../../policy/lib/rule";
import { Settings } from "../../policy/lib/settings";

export type Props = Record<string, unknown>;
export type Config = Partial<Settings>;

export class NotApplicableSignal extends Error {}

export function resourceArgs(
  type: string,
  props: Props,
  config: Config = {},
  name = "test",
): ResourceValidationArgs {
  return {
    type,
    props,
    name,
    urn: `urn:pulumi:test::xcluster::${type}::${name}`,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableSignal(reason);
    },
  };
}

/** Violation messages of one resource rule on one resource; `notApplicable` reason when it bowed out. */
export async function runResourceRule(
  policy: XclusterPolicy,
  type: string,
  props: Props,
  config: Config = {},
): Promise<{ messages: string[]; notApplicable?: string }> {
  assert.ok(
    "validateResource" in policy && typeof policy.validateResource === "function",
    `${policy.name} is a resource rule`,
  );
  const messages: string[] = [];
  const report: ReportViolation = (m) => messages.push(m);
  try {
    await policy.validateResource(resourceArgs(type, props, config), report);
  } catch (e) {
    if (e instanceof NotApplicableSignal) return { messages, notApplicable: e.message };
    throw e;
  }
  return { messages };
}

/** One policy through the offline evaluator, only that policy's findings. */
export async function evaluateOne(
  policy: XclusterPolicy,
  resources: readonly PlannedResource[],
  config: Config = {},
): Promise<PolicyViolation[]> {
  const all = await evaluatePolicies(resources, { [policy.name]: { ...config } });
  return all.filter((v) => v.policy === policy.name);
}

export interface ResourceCase {
  /** What changed from the compliant fixture. */
  readonly when: string;
  readonly change: (p: Props) => void;
  readonly type?: string;
  readonly config?: Config;
  readonly expect: readonly string[];
}

export interface ResourceRuleCases {
  readonly policy: XclusterPolicy;
  readonly type: string;
  /** Compliant fixture. */
  readonly props: Props;
  readonly config?: Config;
  readonly failing: readonly ResourceCase[];
  /** Further compliant variants (expect no violation). */
  readonly passing?: readonly Omit<ResourceCase, "expect">[];
  readonly notApplicable?: readonly Omit<ResourceCase, "expect">[];
  /** Absent here: lets TypeScript tell the two case shapes apart for contextual typing. */
  readonly resources?: never;
}

export interface StackCase {
  readonly when: string;
  readonly change: (resources: PlannedResource[]) => void;
  readonly config?: Config;
  readonly expect: readonly { readonly resource: string; readonly message: string }[];
}

export interface StackRuleCases {
  readonly policy: XclusterPolicy;
  readonly resources: readonly PlannedResource[];
  readonly config?: Config;
  readonly failing: readonly StackCase[];
  readonly passing?: readonly Omit<StackCase, "expect">[];
  readonly props?: never;
}

export type RuleCases = ResourceRuleCases | StackRuleCases;

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The resource of a stack fixture by name (throws when absent, so a typo fails the case loudly). */
export function byName(resources: PlannedResource[], name: string): Props {
  const r = resources.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource ${name}`);
  return r.inputs;
}
