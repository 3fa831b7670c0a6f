/**
 * The values xcluster installs each chart with, checked against the chart's own published
 * `values.schema.json` at the pinned version (fixtures/README.md says where each comes from).
 *
 * Tier: pure (ajv 8, the JSON Schema validator; Helm itself runs the same schema at install time, so a
 * value the chart's schema refuses would fail the release on a real cluster).
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import Ajv, { type ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import type { AddonName } from "../../spec/addons";
import type { ClusterSpec } from "../../spec/types";
import { addonDefinition } from "../../components/addons/catalogue";
import { addonValues } from "../../components/addons/values";
import { AUTH_EXAMPLES, FIXTURES, gpuNotebookSpec } from "./fixtures";

const SCHEMAS: Partial<Record<AddonName, { file: string; draft2020?: boolean }>> = {
  "cert-manager": { file: "cert-manager-v1.20.3.values.schema.json" },
  "external-dns": { file: "external-dns-1.20.0.values.schema.json" },
  jupyterhub: { file: "jupyterhub-4.4.0.values.schema.json" },
  rancher: { file: "rancher-2.13.1.values.schema.json", draft2020: true },
};

/**
 * Helm validates the schema against the chart's defaults with our values coalesced over them; the
 * defaults (values.yaml, not kept here) supply every `required` key. Validating our values alone therefore
 * drops `required` and keeps everything else: unknown keys (`additionalProperties: false`), types, enums
 * and patterns of whatever we set.
 */
function withoutRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (typeof schema !== "object" || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k, v]) => !(k === "required" && Array.isArray(v)))
      .map(([k, v]) => [k, withoutRequired(v)]),
  );
}

const compiled = new Map<AddonName, ValidateFunction>();

function validator(name: AddonName): ValidateFunction {
  const cached = compiled.get(name);
  if (cached !== undefined) return cached;
  const entry = SCHEMAS[name];
  if (entry === undefined) throw new Error(`no schema for ${name}`);
  const schema = withoutRequired(
    JSON.parse(readFileSync(join(__dirname, "fixtures", entry.file), "utf8")),
  ) as object;
  const ajv = entry.draft2020 ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
  const validate = ajv.compile(schema);
  compiled.set(name, validate);
  return validate;
}

function errors(name: AddonName, spec: ClusterSpec): string[] {
  const validate = validator(name);
  const addon = addonDefinition(name);
  // The schema is pinned to the version it came from; a bumped pin must bring its schema along.
  assert.ok(
    SCHEMAS[name]?.file.includes(addon.version),
    `${name} ${addon.version} vs ${SCHEMAS[name]?.file}`,
  );
  return validate(addonValues(addon, spec))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}

function withValues(spec: ClusterSpec, name: AddonName, values: Record<string, unknown>): ClusterSpec {
  return { ...spec, addons: { ...spec.addons, values: { ...spec.addons.values, [name]: values } } };
}

function withManagement(spec: ClusterSpec): ClusterSpec {
  return { ...spec, rancher: { enabled: true, url: "https://rancher.example.org" } };
}

describe("add-on values against each pinned chart's values.schema.json (ajv)", () => {
  for (const name of ["cert-manager", "external-dns"] as const) {
    it(`${name}: the values for every fixture cluster satisfy the chart's schema`, () => {
      for (const make of FIXTURES) assert.deepEqual(errors(name, make()), [], make().name);
    });
  }

  it("jupyterhub: the values for every authenticator, with and without GPUs, satisfy the chart's schema", () => {
    for (const auth of Object.values(AUTH_EXAMPLES)) {
      for (const base of FIXTURES) {
        const spec = { ...base(), addons: { ...base().addons, jupyterhubAuth: auth } };
        assert.deepEqual(errors("jupyterhub", spec), [], `${auth.type} on ${spec.name}`);
      }
    }
  });

  it("rancher: the management cluster's values satisfy the chart's schema", () => {
    assert.deepEqual(errors("rancher", withManagement(gpuNotebookSpec())), []);
  });

  it("rejects a value the chart does not know (the check is live)", () => {
    const spec = gpuNotebookSpec();
    assert.notDeepEqual(errors("cert-manager", withValues(spec, "cert-manager", { replicaCounts: 2 })), []);
    assert.notDeepEqual(
      errors("external-dns", withValues(spec, "external-dns", { policy: "delete-all" })),
      [],
    );
    assert.notDeepEqual(
      errors("jupyterhub", withValues(spec, "jupyterhub", { hub: { db: { type: "mysql8" } } })),
      [],
    );
    assert.notDeepEqual(
      errors("rancher", withValues(withManagement(spec), "rancher", { agentTLSMode: "insecure" })),
      [],
    );
  });
});
