import { strict as assert } from "assert";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { checkStructure } from "../../spec/structure";
import { checkCluster } from "../../spec/semantics";
import { ClusterDocument, EnvironmentDocument } from "../../spec/schema";
import { parseYaml } from "../../spec/yaml-source";
import { baseCluster, baseEnvironment } from "../support/spec-files";

const env = EnvironmentDocument.parse(baseEnvironment());

/** Every path to a leaf or object in a plain value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(
  root: Record<string, unknown>,
  path: (string | number)[],
  value: unknown,
  drop: boolean,
): void {
  let cur: Record<string | number, unknown> = root;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (drop) delete cur[last];
  else cur[last] = value;
}

const junk = fc.oneof(
  fc.string(),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
  fc.constantFrom("10.0.0.0/8", "0.0.0.0/0", "v1.2.3+rke2r1", "", "-1", "1e309"),
);

function validate(doc: unknown): string[] {
  const parsed = parseYaml("c.yaml", stringify(doc));
  const src = parsed.source;
  if (!src) return parsed.issues.map((i) => i.path); // refused as YAML (e.g. a non-finite number), with its field

  const structure = checkStructure(ClusterDocument, src);
  const semantic = structure.value ? checkCluster(structure.value, src, env) : [];
  return [...structure.issues, ...semantic].map((i) => i.path);
}

describe("spec validation under mutation (property)", () => {
  const valid = baseCluster(
    {
      topology: { mode: "keepalived", ingressNodes: 2 },
      workerPools: [{ name: "p", count: 2, labels: { a: "b" } }],
    },
    { addons: ["cert-manager"] },
  );
  const allPaths = paths(valid).filter((p) => p.length > 0);

  it("never throws and always names a field path when a valid spec is mutated", () => {
    fc.assert(
      fc.property(fc.constantFrom(...allPaths), junk, fc.boolean(), (path, value, drop) => {
        const doc = structuredClone(valid);
        setAt(doc, path, value, drop);
        const issuePaths = validate(doc);
        // Either still valid, or every issue names a field (the document root only for syntax).
        for (const p of issuePaths)
          assert.notEqual(p, "", `an issue without a field path for ${JSON.stringify(path)}`);
      }),
      { numRuns: 400 },
    );
  });

  it("names the mutated field (or its parent) whenever a required field is dropped", () => {
    const required = [
      "numberOfMasters",
      "numberOfWorkers",
      "numberOfGpuWorkers",
      "rke2Version",
      "subnetCidr",
      "floatingIpPool",
    ];
    for (const field of required) {
      const doc = structuredClone(valid);
      setAt(doc, ["spec", "parameters", field], undefined, true);
      assert.deepEqual(validate(doc), [`spec.parameters.${field}`]);
    }
  });

  it("accepts the unmutated document", () => {
    assert.deepEqual(validate(valid), []);
  });
});
