/**
 * Structural validation: runs a zod schema and turns each zod issue into a positioned SpecIssue that
 * names the field, the value received and what is allowed.
 */
import type { z } from "zod";
import { show, type PathSegment, type SpecIssue } from "./issues";
import type { YamlSource } from "./yaml-source";

/** Validates `source.data` against `schema`; returns the typed value only when there is no issue. */
export function checkStructure<S extends z.ZodType>(
  schema: S,
  source: YamlSource,
): { value?: z.infer<S>; issues: SpecIssue[] } {
  const result = schema.safeParse(source.data);
  if (result.success) return { value: result.data, issues: [] };
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
  return { issues };
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
