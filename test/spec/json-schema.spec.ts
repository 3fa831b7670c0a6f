import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { SCHEMA_FILES, jsonSchema, jsonSchemaText } from "../../spec/json-schema";
import { referenceDoc } from "../../spec/reference-doc";
import { REPO_ROOT, baseCluster, baseEnvironment } from "../support/spec-files";

function compile(name: keyof typeof SCHEMA_FILES) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(jsonSchema(name));
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(e.name) ? [full] : [];
  });
}

describe("editor JSON Schemas", () => {
  for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    it(`schema/${name} is generated from the validator's schema (run npm run schema if this fails)`, () => {
      assert.equal(fs.readFileSync(path.join(REPO_ROOT, "schema", name), "utf8"), jsonSchemaText(name));
    });
  }

  it("docs/spec-reference.md is generated from the same schemas and documents every default", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "spec-reference.md"), "utf8");
    assert.equal(doc, referenceDoc());
    assert.match(
      doc,
      /`spec\.parameters\.rke2\.etcdSnapshots\.retention` \| integer ≥ 1 \| {2}\| Snapshots kept\. Default: 8\. \|/,
    );
  });

  it("accepts every example spec and environment", () => {
    const cluster = compile("cluster.schema.json");
    const environment = compile("environment.schema.json");
    const files = yamlFiles(path.join(REPO_ROOT, "stacks"));
    assert.ok(files.length >= 5);
    for (const file of files) {
      const doc = parse(fs.readFileSync(file, "utf8"));
      const validate = path.basename(file) === "environment.yaml" ? environment : cluster;
      assert.ok(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("rejects known-bad documents", () => {
    const cluster = compile("cluster.schema.json");
    const environment = compile("environment.schema.json");
    assert.equal(cluster(baseCluster({ colour: "blue" })), false);
    assert.equal(cluster(baseCluster({ numberOfWorkers: "six" })), false);
    assert.equal(cluster(baseCluster({ topology: { mode: "f5" } })), false);
    assert.equal(cluster(baseCluster({}, { addons: ["istio"] })), false);
    assert.equal(environment(baseEnvironment({ flavors: {} })), false);
  });

  it("points editors at the schemas from the example specs", () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/eo-data-services.yaml"), "utf8");
    assert.match(text, /yaml-language-server: \$schema=\.\.\/\.\.\/schema\/cluster\.schema\.json/);
  });
});
