/**
 * The approved lists come from the environment only (issue 14, item 1). Tiers: the real spec loader
 * (YAML files on disk, validated and resolved), then the cluster program under Pulumi mocks and the pack
 * through the offline evaluator with the policy config the fleet driver writes (plan/policy-config.ts).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { clusterProgram } from "../../programs/program";
import { FAKE, RecordedResource } from "../../plan/mocks";
import { planPolicyArgs } from "../../plan/policy-config";
import { evaluatePolicies, PolicyViolation } from "../../policy/evaluate";
import { policyPackConfig } from "../../policy/config";
import { ClusterSpec } from "../../spec/types";
import { runUnderMocks } from "../support/pulumi";
import { loadFiles, REFERENCE_XCLUSTER, REPO_ROOT } from "../support/spec-files";

const PROD_ENV = fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/environment.yaml"), "utf8");
const ROGUE_IMAGE = "0badc0de-1111-4222-8333-444455556666";

/** The reference cluster with extra `parameters` lines (indented for `spec.parameters`). */
function withParameters(lines: string): string {
  return REFERENCE_XCLUSTER.replace(
    "    floatingIpPool: external-internet\n",
    `    floatingIpPool: external-internet\n${lines}`,
  );
}

function load(cluster: string, env = PROD_ENV): ClusterSpec {
  const fleet = loadFiles({ "environment.yaml": env, "ecmwf-ai-platform.yaml": cluster });
  assert.deepStrictEqual(fleet.messages, []);
  const spec = fleet.clusters[0];
  assert.ok(spec);
  return spec;
}

async function mandatoryFindings(spec: ClusterSpec): Promise<PolicyViolation[]> {
  const run = await runUnderMocks(() => clusterProgram(spec));
  const withIds = run.resources.map((r: RecordedResource) => ({
    ...r,
    ...(r.custom ? { id: `${FAKE}-${r.name}` } : {}),
  }));
  const found = await evaluatePolicies(withIds, policyPackConfig(planPolicyArgs(spec)), { stack: spec.name });
  return found.filter((v) => v.enforcement === "mandatory");
}

describe("approved lists from the environment (spec loader; Pulumi mocks + offline evaluator)", function () {
  this.timeout(120000);

  it("reads the approved lists from the environment's approved section", () => {
    const spec = load(REFERENCE_XCLUSTER);
    assert.deepStrictEqual(spec.policy.approved.images, [
      "6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b",
      "7a2b3c4d-9e8f-4a1b-8c2d-3e4f5a6b7c8d",
    ]);
    assert.ok(spec.policy.approved.flavors.includes("m1.xlarge"));
    assert.ok(spec.policy.approved.registries.includes("quay.io"));
  });

  it("falls back to the environment's own images and flavors when it has no approved section", () => {
    const env = PROD_ENV.replace(/\n {2}approved:\n(?: {4}.*\n| {6}.*\n)+/, "\n");
    assert.ok(!env.includes("approved:"), "the fixture edit removed the section");
    const spec = load(REFERENCE_XCLUSTER, env);
    assert.deepStrictEqual(spec.policy.approved.images, [
      "6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b",
      "7a2b3c4d-9e8f-4a1b-8c2d-3e4f5a6b7c8d",
    ]);
    assert.deepStrictEqual(spec.policy.approved.flavors, [
      "g1.a100.2xlarge",
      "m1.2xlarge",
      "m1.large",
      "m1.xlarge",
    ]);
    assert.deepStrictEqual(spec.policy.approved.registries, []);
  });

  it("does not add a cluster's image override to the approved images", () => {
    const spec = load(withParameters(`    images:\n      server: ${ROGUE_IMAGE}\n`));
    assert.strictEqual(spec.controlPlane.imageId, ROGUE_IMAGE);
    assert.ok(!spec.policy.approved.images.includes(ROGUE_IMAGE));
    assert.ok(!planPolicyArgs(spec).approvedImageIds.includes(ROGUE_IMAGE));
  });

  it("rejects, as mandatory in production, a cluster that overrides its server image with an unapproved ID", async () => {
    const spec = load(withParameters(`    images:\n      server: ${ROGUE_IMAGE}\n`));
    const found = await mandatoryFindings(spec);
    const image = found.filter((v) => v.policy === "os-image-001-approved-images");
    assert.deepStrictEqual(image.map((v) => v.resource).sort(), [
      "ecmwf-ai-platform-server-0",
      "ecmwf-ai-platform-server-1",
      "ecmwf-ai-platform-server-2",
    ]);
    assert.ok(
      image.every((v) =>
        v.message.includes(`image ${ROGUE_IMAGE} is not in the environment's approved.images list`),
      ),
    );
    assert.deepStrictEqual([...new Set(found.map((v) => v.policy))], ["os-image-001-approved-images"]);
  });

  it("rejects, as mandatory in production, a cluster that overrides its agent flavor outside the approved flavors", async () => {
    // m1.large exists in the environment (its capacity lists it) but the platform team has not approved it
    // for workers here: the approved list, not the cluster, decides.
    const env = PROD_ENV.replace(
      "    flavors: [m1.large, m1.xlarge, m1.2xlarge, g1.a100.2xlarge]\n",
      "    flavors: [m1.xlarge, m1.2xlarge, g1.a100.2xlarge]\n",
    );
    assert.notStrictEqual(env, PROD_ENV, "the fixture edit applied");
    const spec = load(
      withParameters(`    flavors:\n      agent: m1.2xlarge\n      ingress: m1.xlarge\n`),
      env,
    );
    const rogue = load(
      withParameters(`    flavors:\n      agent: m1.large\n      ingress: m1.xlarge\n`),
      env,
    );
    assert.deepStrictEqual(await mandatoryFindings(spec), []);
    const found = await mandatoryFindings(rogue);
    assert.deepStrictEqual([...new Set(found.map((v) => v.policy))], ["os-flavor-001-approved-flavors"]);
    assert.strictEqual(found.length, 6, "the six workers");
    assert.ok(
      found.every((v) =>
        v.message.startsWith("flavor m1.large is not in the environment's approved.flavors list"),
      ),
    );
  });

  it("rejects, as mandatory in production, add-on values that pull a notebook image from Docker Hub", async () => {
    const cluster = `${REFERENCE_XCLUSTER.replace("    - gpu-operator\n", "    - gpu-operator\n    - jupyterhub\n")}  addonValues:\n    jupyterhub:\n      singleuser:\n        image:\n          name: jupyter/scipy-notebook\n          tag: "2026-08-03"\n`;
    const found = await mandatoryFindings(load(cluster));
    assert.deepStrictEqual(
      found.map((v) => [v.policy, v.message]),
      [
        [
          "helm-005-approved-registries",
          "values.singleuser.image.name pulls from docker.io, not in the environment's approved.registries list (quay.io, registry.k8s.io, nvcr.io)",
        ],
      ],
    );
  });

  it("rejects an exception whose expiry date does not exist, naming the field", () => {
    const env = PROD_ENV.replace(
      "    enforcement: mandatory\n",
      "    enforcement: mandatory\n    exceptions:\n      - rule: helm-005-approved-registries\n        reason: mirror not yet deployed\n        expires: 2026-02-30\n",
    );
    const fleet = loadFiles({ "environment.yaml": env, "ecmwf-ai-platform.yaml": REFERENCE_XCLUSTER });
    assert.ok(
      fleet.messages.some((m) => m.includes("expires") && m.includes("calendar date")),
      fleet.messages.join("\n"),
    );
  });
});
