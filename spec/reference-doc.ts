/**
 * The field reference (`docs/spec-reference.md`), generated from the same JSON Schemas as the editor
 * support, so that every field, its type, whether it is required and its default are documented once.
 */
import { jsonSchema, SCHEMA_FILES } from "./json-schema";

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  additionalProperties?: JsonSchemaNode | boolean;
  propertyNames?: JsonSchemaNode;
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
}

function typeOf(n: JsonSchemaNode): string {
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  if (n.enum) return n.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  const variants = n.oneOf ?? n.anyOf;
  if (variants) return variants.map(typeOf).join(" \\| ");
  if (n.type === "array") return `list of ${n.items ? typeOf(n.items) : "any"}`;
  if (n.type === "object" && !n.properties) return "map";
  const t = Array.isArray(n.type) ? n.type.join(" \\| ") : (n.type ?? "any");
  const bound = (v: number | undefined) =>
    v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? "" : String(v);
  const [lo, hi] = [bound(n.minimum), bound(n.maximum)];
  const range = lo === "" && hi === "" ? "" : hi === "" ? ` ≥ ${lo}` : ` (${lo}–${hi})`;
  return `${t}${range}`;
}

function walk(n: JsonSchemaNode, path: string, required: boolean, rows: Row[]): void {
  if (path !== "" && path !== "$schema")
    rows.push({ path, type: typeOf(n), required, description: (n.description ?? "").replace(/\|/g, "\\|") });
  const variants = n.oneOf ?? n.anyOf;
  if (variants) {
    for (const v of variants) {
      const tag = Object.values(v.properties ?? {}).find((p) => p.const !== undefined)?.const;
      walk(
        { ...v, description: undefined },
        tag !== undefined ? `${path} (${String(tag)})` : path,
        false,
        rows,
      );
    }
    return;
  }
  if (n.properties) {
    for (const [key, child] of Object.entries(n.properties)) {
      if (key === "$schema") continue;
      const childPath = path === "" ? key : `${path}.${key}`;
      walk(child, childPath, (n.required ?? []).includes(key), rows);
    }
  }
  if (n.type === "array" && n.items?.properties)
    walk({ ...n.items, description: undefined }, `${path}[]`, false, rows);
}

export function referenceDoc(): string {
  const parts = [
    "# Spec reference",
    "",
    "Generated from the validator's schemas by `npm run schema`; do not edit by hand. Every field, its type,",
    "whether it is required, and its default. Fields marked required in a nested object are required only when",
    "that object is present. An environment (`environment.yaml`) sits beside the cluster specs it applies to.",
    "",
  ];
  const titles: Record<keyof typeof SCHEMA_FILES, string> = {
    "cluster.schema.json": "Cluster (`kind: XCluster`)",
    "environment.schema.json": "Environment (`kind: XEnvironment`)",
  };
  for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    const rows: Row[] = [];
    walk(jsonSchema(name) as JsonSchemaNode, "", true, rows);
    parts.push(
      `## ${titles[name]}`,
      "",
      "| field | type | required | description and default |",
      "|---|---|---|---|",
    );
    for (const r of rows)
      parts.push(`| \`${r.path}\` | ${r.type} | ${r.required ? "yes" : ""} | ${r.description} |`);
    parts.push("");
  }
  return parts.join("\n");
}
