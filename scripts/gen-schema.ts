/** Writes the editor JSON Schemas (schema/*.schema.json) from the spec's zod schemas. */
import * as fs from "fs";
import * as path from "path";
import { SCHEMA_FILES, jsonSchemaText } from "../spec/json-schema";
import { referenceDoc } from "../spec/reference-doc";

const dir = path.join(__dirname, "..", "schema");
fs.mkdirSync(dir, { recursive: true });
for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
  fs.writeFileSync(path.join(dir, name), jsonSchemaText(name));
  console.log(`wrote schema/${name}`);
}
fs.mkdirSync(path.join(__dirname, "..", "docs"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "..", "docs", "spec-reference.md"), referenceDoc());
console.log("wrote docs/spec-reference.md");
