import { strict as assert } from "assert";
import { parseAllDocuments } from "yaml";
import { operatorStack, renderOperatorStacks } from "../../fleet/operator-export";
import { InvalidRunError } from "../../fleet/errors";
import { baseCluster, baseEnvironment } from "../support/spec-files";
import { FakeProject, named } from "./harness";

/**
 * JSON field names of the operator's `StackSpec`, verified against pulumi/pulumi-kubernetes-operator
 * `operator/api/pulumi/shared/stack_types.go` at commit 02c1d93946961afb109a26672cd26d3b0e89d774 (v2; the
 * GitSource fields are inlined into the spec), which generates `deploy/crds/pulumi.com_stacks.yaml`.
 */
const STACK_SPEC_FIELDS = new Set([
  "accessTokenSecret",
  "envs",
  "envRefs",
  "envSecrets",
  "backend",
  "stack",
  "config",
  "secrets",
  "secretsRef",
  "secretsProvider",
  // GitSource (inline)
  "projectRepo",
  "gitAuthSecret",
  "gitAuth",
  "repoDir",
  "commit",
  "branch",
  "shallow",
  "fluxSource",
  "programRef",
  "targets",
  "targetDependents",
  "prerequisites",
  "continueResyncOnCommitMatch",
  "refresh",
  "expectNoRefreshChanges",
  "destroyOnFinalize",
  "retryOnUpdateConflict",
  "useLocalStackOnly",
  "resyncFrequencySeconds",
  "serviceAccountName",
  "workspaceTemplate",
  "workspaceReclaimPolicy",
]);
/** ResourceRef: `type` (Env, FS, Secret, Literal) plus one selector; SecretSelector is {namespace?, name, key}. */
const RESOURCE_REF_TYPES = new Set(["Env", "FS", "Secret", "Literal"]);
const SELECTOR_FOR_TYPE: Record<string, string> = {
  Env: "env",
  FS: "filesystem",
  Secret: "secret",
  Literal: "literal",
};

function assertResourceRef(ref: unknown, where: string): void {
  const r = ref as Record<string, unknown>;
  assert.ok(RESOURCE_REF_TYPES.has(String(r["type"])), `${where}.type`);
  const selector = SELECTOR_FOR_TYPE[String(r["type"])] as string;
  assert.deepEqual(Object.keys(r).sort(), ["type", selector].sort(), `${where}: type plus its one selector`);
  if (r["type"] === "Secret") {
    const s = r["secret"] as Record<string, unknown>;
    for (const k of Object.keys(s))
      assert.ok(["namespace", "name", "key"].includes(k), `${where}.secret.${k}`);
    assert.ok(
      typeof s["name"] === "string" && typeof s["key"] === "string",
      `${where}.secret needs name and key`,
    );
  }
}

describe("xcluster export operator", () => {
  let p: FakeProject;
  afterEach(() => p?.dispose());
  const files = (backend?: Record<string, unknown>) => ({
    "prod/environment.yaml": baseEnvironment(backend ? { backend } : {}),
    "prod/big.yaml": named(baseCluster(), "big"),
  });
  const options = () => ({ projectRepo: "https://git.example.org/platform/xcluster.git", root: p.root });

  it("writes one Stack object per cluster whose spec fields all exist in the operator's Stack CRD", () => {
    p = new FakeProject({}, files({ url: "s3://state-bucket/xcluster" }));
    const [spec] = p.clusters();
    const obj = operatorStack(spec!, options());
    assert.equal(obj.apiVersion, "pulumi.com/v1");
    assert.equal(obj.kind, "Stack");
    assert.equal(obj.metadata.name, "prod-big");
    assert.match(
      obj.metadata.name,
      /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
      "a DNS-1035 label (the operator names Services after it)",
    );
    for (const key of Object.keys(obj.spec))
      assert.ok(STACK_SPEC_FIELDS.has(key), `spec.${key} is not a StackSpec field`);
    for (const [name, ref] of Object.entries(obj.spec["envRefs"] as Record<string, unknown>)) {
      assertResourceRef(ref, `envRefs.${name}`);
    }
    assert.deepEqual(obj.spec["config"], {
      "xcluster:spec": "stacks/prod/big.yaml",
      "xcluster:environment": "prod",
      "openstack:region": "RegionOne",
      "openstack:cloud": "c",
    });
    assert.equal(obj.spec["stack"], "prod.big");
    assert.equal(obj.spec["backend"], "s3://state-bucket/xcluster");
    assert.equal(obj.spec["projectRepo"], "https://git.example.org/platform/xcluster.git");
    assert.equal(obj.spec["branch"], "main");
    assert.equal(obj.spec["destroyOnFinalize"], false, "deleting the object must never delete a cluster");
    assert.deepEqual(Object.keys(obj.spec["envRefs"] as object).sort(), [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
  });

  it("passes a Vault transit secrets provider through and asks for the Vault token", () => {
    p = new FakeProject(
      {},
      files({ url: "https://api.pulumi.example.org", secretsProvider: "hashivault://xcluster" }),
    );
    const obj = operatorStack(p.clusters()[0]!, options());
    assert.equal(obj.spec["secretsProvider"], "hashivault://xcluster");
    assert.deepEqual(Object.keys(obj.spec["envRefs"] as object).sort(), [
      "PULUMI_ACCESS_TOKEN",
      "VAULT_TOKEN",
    ]);
  });

  it("renders a multi-document YAML stream that parses back", () => {
    p = new FakeProject({}, files({ url: "s3://b" }));
    const docs = parseAllDocuments(renderOperatorStacks(p.clusters(), options()));
    assert.equal(docs.length, 1);
    assert.equal((docs[0]?.toJS() as { kind: string }).kind, "Stack");
  });

  it("rejects a cluster on the local file backend unless a backend is given", () => {
    p = new FakeProject({}, files());
    const [spec] = p.clusters();
    assert.throws(
      () => operatorStack(spec!, options()),
      (e: unknown) => e instanceof InvalidRunError && /--backend/.test(e.message),
    );
    assert.equal(operatorStack(spec!, { ...options(), backend: "s3://b" }).spec["backend"], "s3://b");
  });
});
