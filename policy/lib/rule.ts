/**
 * How a rule of this pack is declared: CrossGuard's own policy objects plus the few facts the pack
 * needs about each (its priority, and which resource types a resource rule reads), so that the engine,
 * the offline evaluator and the README generator all work from one definition.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/** P0 rules block (mandatory by default); P1 rules warn (advisory by default). */
export type Priority = "P0" | "P1";

export type XclusterPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Metadata every rule states. */
export interface RuleMeta {
  /** Stable kebab-case name, `<catalogue id>-<what>`; renaming breaks every stored config. */
  readonly name: string;
  readonly description: string;
  readonly priority: Priority;
  readonly severity: Severity;
  readonly remediationSteps: string;
  /** Area tags (`network`, `compute`, `rke2`, `helm` …); the priority is added as a tag. */
  readonly tags: readonly string[];
  /**
   * What the rule follows: upstream checks it ports, vendor hardening guides, the source files of the
   * facts it relies on (repository, path, version). At least one; the README table and docs/policies.md
   * print them.
   */
  readonly sources: readonly string[];
  readonly configSchema?: PolicyConfigSchema;
}

/** The enforcement a priority has when no config says otherwise. */
export function defaultEnforcement(priority: Priority): EnforcementLevel {
  return priority === "P0" ? "mandatory" : "advisory";
}

const resourceTypes = new WeakMap<object, readonly string[]>();
const priorities = new WeakMap<object, Priority>();
const sourceLists = new WeakMap<object, readonly string[]>();

/** The sources a rule was declared with. */
export function sourcesOf(policy: object): readonly string[] {
  const s = sourceLists.get(policy);
  if (s === undefined) throw new Error("not an xcluster rule (declare it with resourceRule/stackRule)");
  return s;
}

function remember(policy: object, meta: RuleMeta): void {
  if (meta.sources.length === 0) throw new Error(`${meta.name}: a rule states at least one source`);
  priorities.set(policy, meta.priority);
  sourceLists.set(policy, [...meta.sources]);
}

/** The resource types a resource rule reads (undefined for stack rules). */
export function typesOf(policy: object): readonly string[] | undefined {
  return resourceTypes.get(policy);
}

/** The priority a rule was declared with. */
export function priorityOf(policy: object): Priority {
  const p = priorities.get(policy);
  if (p === undefined) throw new Error("not an xcluster rule (declare it with resourceRule/stackRule)");
  return p;
}

function base(meta: RuleMeta) {
  return {
    name: meta.name,
    description: meta.description,
    severity: meta.severity,
    enforcementLevel: defaultEnforcement(meta.priority),
    remediationSteps: meta.remediationSteps,
    tags: [meta.priority.toLowerCase(), ...meta.tags],
    ...(meta.configSchema ? { configSchema: meta.configSchema } : {}),
  };
}

/** Validation body of a resource rule: `props` are the resource's inputs as CrossGuard passes them. */
export type ResourceCheck = (
  props: Record<string, unknown>,
  args: ResourceValidationArgs,
  report: ReportViolation,
) => void;

/**
 * A resource rule for the given type tokens. A resource of another type is reported not applicable,
 * exactly as `validateResourceOfType` does, so the rule behaves the same under the engine and offline.
 */
export function resourceRule(
  meta: RuleMeta,
  types: readonly string[],
  check: ResourceCheck,
): ResourceValidationPolicy {
  const typeSet = new Set(types);
  const policy: ResourceValidationPolicy = {
    ...base(meta),
    validateResource: (args, report) => {
      if (!typeSet.has(args.type))
        args.notApplicable(`Policy only applies to resources of type ${types.join(", ")}`);
      check(args.props as Record<string, unknown>, args, report);
    },
  };
  resourceTypes.set(policy, [...types]);
  remember(policy, meta);
  return policy;
}

/** A stack rule: sees every resource of the stack once. */
export function stackRule(
  meta: RuleMeta,
  check: (args: StackValidationArgs, report: ReportViolation) => void,
): StackValidationPolicy {
  const policy: StackValidationPolicy = { ...base(meta), validateStack: check };
  remember(policy, meta);
  return policy;
}
