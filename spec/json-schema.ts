/**
 * Editor JSON Schemas generated from the same zod schemas the validator runs, so they cannot drift.
 * `npm run schema` writes them to `schema/`; a test fails when the committed files are stale.
 */
import { z } from "zod";
import { ClusterDocument, EnvironmentDocument } from "./schema";

export const SCHEMA_FILES = {
  "cluster.schema.json": ClusterDocument,
  "environment.schema.json": EnvironmentDocument,
} as const;

export function jsonSchema(name: keyof typeof SCHEMA_FILES): Record<string, unknown> {
  const schema = z.toJSONSchema(SCHEMA_FILES[name], {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  });
  return {
    ...schema,
    $id: `https://xcluster.dev/schema/${name}`,
    title: name === "cluster.schema.json" ? "XCluster" : "XEnvironment",
  };
}

/** The file text as committed (stable key order, trailing newline). */
export function jsonSchemaText(name: keyof typeof SCHEMA_FILES): string {
  return `${JSON.stringify(jsonSchema(name), null, 2)}\n`;
}
