/**
 * Structural validation: runs a zod schema and turns each zod issue into a positioned SpecIssue that
 * names the field, the value received and what is allowed.
 */
import type { z } from "zod";
import { show, type PathSegment, type SpecIssue } from "./issues";
import type { YamlSource } from "./yaml-source";

/** A document with every field optional and every list item possibly absent: what structure proved. */
export type Lenient<T> = T extends readonly (infer U)[]
  ? readonly (Lenient<U> | undefined)[]
  : T extends object
    ? { readonly [K in keyof T]?: Lenient<T[K]> }
    : T;

export interface StructureCheck<T> {
  /** The typed document, only when there is no issue. */
  readonly value?: T;
  /**
   * The parts of the document that passed their own schema (the whole value when there is no issue):
   * the only input the semantic checks read, so that they never see a field structure did not prove.
   */
  readonly proved: Lenient<T>;
  readonly issues: SpecIssue[];
}

/** Validates `source.data` against `schema`. */
export function checkStructure<S extends z.ZodType>(
  schema: S,
  source: YamlSource,
): StructureCheck<z.infer<S>> {
  const result = schema.safeParse(source.data);
  if (result.success) return { value: result.data, proved: result.data as Lenient<z.infer<S>>, issues: [] };
  const issues: SpecIssue[] = [];
  for (const zi of result.error.issues) {
    const path = zi.path.filter((p): p is PathSegment => typeof p !== "symbol");
    if (zi.code === "unrecognized_keys") {
      const allowed = allowedKeys(schema, path, source.data);
      for (const key of zi.keys) {
        const suffix = allowed.length > 0 ? `; allowed: ${allowed.join(", ")}` : "";
        issues.push(source.issue([...path, key], `unknown field (got ${show(key)}${suffix})`, true));
      }
      continue;
    }
    issues.push(source.issue(path, describe(zi, valueAt(source.data, path))));
  }
  const proved = (salvage(schema, source.data) ?? {}) as Lenient<z.infer<S>>;
  return { proved, issues };
}

/**
 * The largest part of `value` that `schema` proves, field by field: a field is kept when it passes its
 * own schema (parsed, so defaults apply), objects and lists are kept with only their proved parts (list
 * items that fail become `undefined`, so indices, and positions, stay), anything else is dropped.
 */
export function salvage(schema: z.ZodType, value: unknown): unknown {
  const whole = schema.safeParse(value);
  if (whole.success) return whole.data;
  const s = unwrap(schema, value);
  const def = defOf(s);
  if (value === null || typeof value !== "object") return undefined;
  if (def.type === "object" && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(def.shape ?? {})) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const v = salvage(field, (value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  if (def.type === "array" && Array.isArray(value) && def.element) {
    const element = def.element;
    return value.map((item) => salvage(element, item));
  }
  if (def.type === "record" && !Array.isArray(value) && def.valueType) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (def.keyType && !def.keyType.safeParse(key).success) continue;
      const kept = salvage(def.valueType, v);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }
  return undefined;
}

function describe(zi: z.core.$ZodIssue, got: unknown): string {
  const gotText = `got ${show(got)}`;
  switch (zi.code) {
    case "invalid_type":
      if (got === undefined) return `required field is missing (expected ${zi.expected})`;
      if (zi.expected === "int") return `must be a whole number (${gotText})`;
      return `wrong type (${gotText}; allowed: ${zi.expected})`;
    case "invalid_value":
      return `not an allowed value (${gotText}; allowed: ${zi.values.map((v) => show(v)).join(", ")})`;
    case "too_small":
      if (zi.origin === "string") return `must not be empty (${gotText})`;
      if (zi.origin === "array") return `needs at least ${String(zi.minimum)} item(s) (${gotText})`;
      return `too small (${gotText}; allowed: ${zi.inclusive ? "≥" : ">"} ${String(zi.minimum)})`;
    case "too_big":
      return `too large (${gotText}; allowed: ${zi.inclusive ? "≤" : "<"} ${String(zi.maximum)})`;
    case "invalid_format":
      return `${zi.message.startsWith("Invalid") ? `not a valid ${zi.format}` : zi.message} (${gotText})`;
    case "invalid_union":
      if (got === undefined) return "required field is missing";
      if ("discriminator" in zi && zi.discriminator !== undefined) {
        const options = (zi as { options?: unknown[] }).options ?? [];
        return `not an allowed value (${gotText}; allowed: ${options.map((o) => show(o)).join(", ")})`;
      }
      return `does not match any allowed form (${gotText})`;
    case "invalid_key":
      return `invalid key (${gotText})`;
    default:
      return `${zi.message} (${gotText})`;
  }
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string>;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The keys an object at `path` allows, for "unknown field" messages. */
function allowedKeys(root: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let schema: z.ZodType | undefined = root;
  for (let i = 0; i <= path.length && schema; i++) {
    schema = unwrap(schema, valueAt(data, path.slice(0, i)));
    if (i === path.length) break;
    const def = defOf(schema);
    const seg = path[i]!;
    if (def.type === "object") schema = def.shape?.[String(seg)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else schema = undefined;
  }
  if (!schema) return [];
  const def = defOf(schema);
  if (def.type === "object") return Object.keys(def.shape ?? {}).filter((k) => k !== "$schema");
  if (def.type === "record" && def.keyType) {
    const keyDef = defOf(def.keyType);
    if (keyDef.entries) return Object.values(keyDef.entries);
  }
  return [];
}

function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
      s = def.innerType;
    } else if (def.type === "union" && def.options) {
      const disc = def.discriminator;
      const tag =
        disc && value && typeof value === "object" ? (value as Record<string, unknown>)[disc] : undefined;
      const match = def.options.find((o) => {
        const shape = defOf(o).shape;
        const lit = shape && disc ? shape[disc] : undefined;
        return lit !== undefined && (defOf(lit) as { values?: unknown[] }).values?.includes(tag);
      });
      if (!match) return s;
      s = match;
    } else {
      return s;
    }
  }
}
