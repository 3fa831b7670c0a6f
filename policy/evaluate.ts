/**
 * The offline evaluator: runs the pack's own `validateResource`/`validateStack` functions over resources
 * recorded from a mock run, the way the analyzer (`@pulumi/policy` server.js) does during a preview:
 * - config reconciled as the CLI does (schema defaults, then `all`'s enforcement level, then each policy's
 *   entry), and checked against each policy's schema;
 * - enforcement per policy from that config; `disabled` skipped, `remediate` reported as mandatory;
 * - `notApplicable()` silences a policy for that resource;
 * - props wrapped in CrossGuard's `unknownCheckingProxy`, so a rule that reads a value unknown at preview
 *   yields the engine's advisory "can't run policy … during preview" instead of a verdict.
 * Differences, by necessity: stack rules see inputs unless the caller supplies the outputs the engine would
 * pass (`outputs`), and property dependencies are derived from IDs unless the caller supplies them.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { PACK_ENFORCEMENT, PACK_NAME, PACK_VERSION } from "./pack";
import { policies } from "./policies";
import { typesOf, XclusterPolicy } from "./lib/rule";
import type { PolicyConfigEntry } from "./config";

/** The config file's content; a policy's entry may also be the shorthand `"<policy>": "<level>"`. */
export type PolicyPackConfigInput = Readonly<Record<string, PolicyConfigEntry | EnforcementLevel>>;

// The proxy module is public at runtime (index.js re-exports it) but typed @internal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T extends object>(o: T): T;
  UnknownValueError: new (sentinel: string, props: string[]) => Error;
  unknownStringValue: string;
};

/** One resource as a program registered it. */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** The parent's URN or name. */
  readonly parent?: string;
  /** The resource's ID, when known: lets stack rules follow references (as the engine's property dependencies do). */
  readonly id?: string;
  /**
   * What stack rules see: the engine passes a resource's outputs, which on a preview are the provider's
   * preview state (no value for what is unknown). Default: `inputs`.
   */
  readonly outputs?: Record<string, unknown>;
  /** Property → `<type>::<name>` of the resources its value comes from; default: derived from the `id`s. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** One finding, in the plan report's format. */
export interface PolicyViolation {
  readonly policy: string;
  readonly enforcement: "mandatory" | "advisory";
  readonly severity: string;
  /** The resource's name (stack-wide findings: `(stack)`). */
  readonly resource: string;
  readonly message: string;
}

export interface EvaluateOptions {
  readonly stack?: string;
  readonly project?: string;
  readonly stackTags?: Readonly<Record<string, string>>;
}

/** Name given to findings a stack rule reports without a resource. */
export const STACK_RESOURCE = "(stack)";

/** The RPC wire form of a secret (`@pulumi/pulumi/runtime/rpc` specialSigKey / specialSecretSig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason ?? "Policy does not apply");
};

interface Entry {
  readonly policy: XclusterPolicy;
  readonly validations: readonly ResourceValidation[];
}

/** type → resource rules; rules without declared types run on every type (like an untyped policy). */
let index: { byType: Map<string, Entry[]>; untyped: Entry[] } | undefined;

function resourceIndex() {
  if (index) return index;
  const byType = new Map<string, Entry[]>();
  const untyped: Entry[] = [];
  for (const p of policies) {
    if (!("validateResource" in p) || p.validateResource === undefined) continue;
    const entry = {
      policy: p,
      validations: Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource],
    };
    const types = typesOf(p);
    if (types === undefined) untyped.push(entry);
    else for (const t of types) byType.set(t, [...(byType.get(t) ?? []), entry]);
  }
  index = { byType, untyped };
  return index;
}

interface Reconciled {
  readonly level: EnforcementLevel;
  readonly props: Record<string, unknown>;
}

function typeOk(v: unknown, s: PolicyConfigJSONSchema): boolean {
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length === 0) return true;
  return types.some((t) =>
    t === "array"
      ? Array.isArray(v) &&
        (s.items === undefined ||
          typeof s.items === "boolean" ||
          Array.isArray(s.items) ||
          v.every((x) => typeOk(x, s.items as PolicyConfigJSONSchema)))
      : t === "integer"
        ? Number.isInteger(v)
        : t === "null"
          ? v === null
          : t === "object"
            ? v !== null && typeof v === "object" && !Array.isArray(v)
            : typeof v === t,
  );
}

const reconciledCache = new WeakMap<object, Map<string, Reconciled>>();

/** ReconcilePolicyPackConfig, then schema validation; throws listing every invalid value. */
function reconcile(config: PolicyPackConfigInput): Map<string, Reconciled> {
  const hit = reconciledCache.get(config);
  if (hit) return hit;
  const allEntry = config["all"];
  const all = typeof allEntry === "string" ? allEntry : allEntry?.enforcementLevel;
  const out = new Map<string, Reconciled>();
  const problems: string[] = [];
  for (const p of policies) {
    const props: Record<string, unknown> = {};
    const schemaProps = p.configSchema?.properties ?? {};
    for (const [k, s] of Object.entries(schemaProps)) {
      if (typeof s !== "boolean" && s.default !== undefined) props[k] = s.default;
    }
    const raw: PolicyConfigEntry | EnforcementLevel = config[p.name] ?? {};
    const { enforcementLevel, ...rest } = typeof raw === "string" ? { enforcementLevel: raw } : raw;
    Object.assign(props, rest);
    for (const [k, v] of Object.entries(props)) {
      const s = schemaProps[k];
      if (s !== undefined && typeof s !== "boolean" && !typeOk(v, s)) {
        problems.push(
          `${p.name}: ${k}: invalid type (got ${JSON.stringify(v)}; allowed: ${JSON.stringify(s.type)})`,
        );
      }
    }
    out.set(p.name, { level: enforcementLevel ?? all ?? p.enforcementLevel ?? PACK_ENFORCEMENT, props });
  }
  if (problems.length > 0) throw new Error(`invalid policy pack config:\n${problems.join("\n")}`);
  reconciledCache.set(config, out);
  return out;
}

/** Unwraps RPC secrets and turns SDK unknowns into CrossGuard's sentinel; copies only when needed. */
function normalise(v: unknown, flags: { unknown: boolean }): unknown {
  if (v === null || typeof v !== "object") {
    if (v === proxy.unknownStringValue) flags.unknown = true;
    return v;
  }
  const o = v as Record<string, unknown>;
  if (o["__pulumiUnknown"] === true) {
    flags.unknown = true;
    return proxy.unknownStringValue;
  }
  if (o[SIG_KEY] === SECRET_SIG) return normalise(o["value"], flags);
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const n = normalise(v[i], flags);
      if (n !== v[i]) (copy ??= v.slice())[i] = n;
    }
    return copy ?? v;
  }
  if (Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null) return v;
  let copy: Record<string, unknown> | undefined;
  for (const k in o) {
    const n = normalise(o[k], flags);
    if (n !== o[k]) (copy ??= { ...o })[k] = n;
  }
  return copy ?? v;
}

interface Prepared {
  readonly r: PlannedResource;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  /** What stack rules see. */
  readonly stackProps: Record<string, unknown>;
}

/** Props as CrossGuard hands them to a rule: secrets unwrapped, unknowns behind its checking proxy. */
function asPolicyProps(values: Record<string, unknown>): Record<string, unknown> {
  const flags = { unknown: false };
  const norm = normalise(values, flags) as Record<string, unknown>;
  return flags.unknown ? proxy.unknownCheckingProxy(norm) : norm;
}

const EMPTY_OPTS = Object.freeze({
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
});

function typeOf(cls: unknown): string | undefined {
  const t = (cls as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" ? t : undefined;
}

/**
 * Runs every resource rule on every resource and every stack rule once, with the engine's semantics;
 * returns violations (and "can't run during preview" advisories) in the plan report's format.
 */
export async function evaluatePolicies(
  resources: readonly PlannedResource[],
  config: PolicyPackConfigInput = {},
  options: EvaluateOptions = {},
): Promise<PolicyViolation[]> {
  const levels = reconcile(config);
  const stack = options.stack ?? "plan";
  const project = options.project ?? "xcluster";
  const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
  const out: PolicyViolation[] = [];
  const nameByUrn = new Map<string, string>();

  const prepared: Prepared[] = resources.map((r) => {
    const urn = `urn:pulumi:${stack}::${project}::${r.type}::${r.name}`;
    nameByUrn.set(urn, r.name);
    const props = asPolicyProps(r.inputs ?? {});
    return { r, urn, props, stackProps: r.outputs === undefined ? props : asPolicyProps(r.outputs) };
  });

  const cantRun = (p: XclusterPolicy, resource: string, e: Error) =>
    out.push({
      policy: p.name,
      enforcement: "advisory",
      severity: p.severity ?? "",
      resource,
      message: `can't run policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${e.message}`,
    });

  // Resource rules.
  const { byType, untyped } = resourceIndex();
  let current: { policy: XclusterPolicy; level: "mandatory" | "advisory"; resource: string } | undefined;
  const report: ReportViolation = (message, urn) => {
    if (!current) return;
    const msg = typeof message === "string" ? message : (message as { message?: string }).message;
    out.push({
      policy: current.policy.name,
      enforcement: current.level,
      severity: current.policy.severity ?? "",
      resource: urn !== undefined ? (nameByUrn.get(urn) ?? urn) : current.resource,
      message: msg || current.policy.description,
    });
  };
  for (const pr of prepared) {
    const entries = byType.get(pr.r.type);
    const list = untyped.length === 0 ? entries : [...(entries ?? []), ...untyped];
    if (!list) continue;
    let cfg: Reconciled | undefined;
    const args: ResourceValidationArgs = {
      type: pr.r.type,
      props: pr.props,
      urn: pr.urn,
      name: pr.r.name,
      opts: pr.r.parent !== undefined ? { ...EMPTY_OPTS, parent: pr.r.parent } : EMPTY_OPTS,
      stackTags,
      isType: (cls) => typeOf(cls) === pr.r.type,
      asType: ((cls: unknown) =>
        typeOf(cls) === pr.r.type ? pr.props : undefined) as ResourceValidationArgs["asType"],
      getConfig: <T extends object>() => (cfg?.props ?? {}) as T,
      notApplicable,
    };
    for (const entry of list) {
      cfg = levels.get(entry.policy.name);
      const level = cfg?.level ?? PACK_ENFORCEMENT;
      if (level === "disabled") continue;
      current = {
        policy: entry.policy,
        level: level === "advisory" ? "advisory" : "mandatory",
        resource: pr.r.name,
      };
      for (const validate of entry.validations) {
        try {
          const result = validate(args, report);
          if (result !== undefined && typeof (result as Promise<void>).then === "function") await result;
        } catch (e) {
          if (e instanceof proxy.UnknownValueError) cantRun(entry.policy, pr.r.name, e);
          else if (!(e instanceof NotApplicable)) {
            throw new Error(
              `Error validating resource ${pr.r.name} with policy '${entry.policy.name}': ${(e as Error).message}`,
            );
          }
        }
      }
    }
  }

  // Stack rules.
  const stackPolicies = policies.filter((p) => "validateStack" in p && typeof p.validateStack === "function");
  if (stackPolicies.length > 0) {
    const view = stackResources(prepared);
    for (const p of stackPolicies) {
      const cfg = levels.get(p.name);
      const level = cfg?.level ?? PACK_ENFORCEMENT;
      if (level === "disabled" || !("validateStack" in p)) continue;
      current = {
        policy: p,
        level: level === "advisory" ? "advisory" : "mandatory",
        resource: STACK_RESOURCE,
      };
      const args: StackValidationArgs = {
        resources: view,
        stackTags,
        getConfig: <T extends object>() => (cfg?.props ?? {}) as T,
        notApplicable,
      };
      try {
        await p.validateStack(args, report);
      } catch (e) {
        if (e instanceof proxy.UnknownValueError) cantRun(p, STACK_RESOURCE, e);
        else if (!(e instanceof NotApplicable)) {
          throw new Error(`Error validating stack with policy '${p.name}': ${(e as Error).message}`);
        }
      }
    }
  }
  current = undefined;
  return out;
}

/** String leaves of a value (for matching IDs). */
function strings(v: unknown, into: string[]): void {
  if (typeof v === "string") into.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, into);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) strings(x, into);
}

function stackResources(prepared: readonly Prepared[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const list: PolicyResource[] = prepared.map((pr) => {
    const res: PolicyResource = {
      type: pr.r.type,
      props: pr.stackProps,
      urn: pr.urn,
      name: pr.r.name,
      opts: EMPTY_OPTS,
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeOf(cls) === pr.r.type,
      asType: ((cls: unknown) =>
        typeOf(cls) === pr.r.type ? pr.stackProps : undefined) as PolicyResource["asType"],
    };
    byUrn.set(pr.urn, res);
    return res;
  });
  const byName = new Map(list.map((r) => [r.name, r]));
  // A component and a resource may share a name; type and name are unique.
  const byKey = new Map(list.map((r) => [`${r.type}::${r.name}`, r]));
  const byId = new Map<string, PolicyResource>();
  prepared.forEach((pr, i) => {
    if (pr.r.id !== undefined && pr.r.id !== "") byId.set(pr.r.id, list[i] as PolicyResource);
  });
  prepared.forEach((pr, i) => {
    const res = list[i] as PolicyResource;
    if (pr.r.parent !== undefined) res.parent = byUrn.get(pr.r.parent) ?? byName.get(pr.r.parent);
    if (pr.r.propertyDependencies !== undefined) {
      const deps = new Set<PolicyResource>();
      for (const [key, names] of Object.entries(pr.r.propertyDependencies)) {
        const refs = names.map((n) => byKey.get(n)).filter((r): r is PolicyResource => r !== undefined);
        if (refs.length > 0) res.propertyDependencies[key] = refs;
        refs.forEach((r) => deps.add(r));
      }
      res.dependencies = [...deps];
      return;
    }
    if (byId.size === 0) return;
    const deps = new Set<PolicyResource>();
    for (const [key, value] of Object.entries(pr.r.inputs ?? {})) {
      const found: string[] = [];
      strings(value, found);
      const refs = [
        ...new Set(
          found.map((s) => byId.get(s)).filter((r): r is PolicyResource => r !== undefined && r !== res),
        ),
      ];
      if (refs.length > 0) {
        res.propertyDependencies[key] = refs;
        refs.forEach((r) => deps.add(r));
      }
    }
    res.dependencies = [...deps];
  });
  return list;
}
