import * as assert from "assert";
import * as path from "path";
import { clusterProgram } from "../../programs/program";
import { loadFleet } from "../../spec";
import { ClusterSpec } from "../../spec/types";
import { FAKE, RecordedResource } from "../../plan/mocks";
import { evaluatePolicies, PolicyViolation } from "../../policy/evaluate";
import { policyPackConfig } from "../../policy/config";
import { planPolicyArgs } from "../../plan/policy-config";
import { runUnderMocks } from "../support/pulumi";
import { octaviaClusterSpec, referenceClusterSpec } from "../support/cluster-specs";
import { REPO_ROOT } from "../support/spec-files";

/** The policy facts of a spec, exactly as the fleet driver writes them into the config file. */
function configFor(spec: ClusterSpec) {
  return policyPackConfig(planPolicyArgs(spec));
}

/** Runs the cluster program under mocks and the pack over what it registered (IDs as the mocks assign them). */
async function check(spec: ClusterSpec): Promise<PolicyViolation[]> {
  const run = await runUnderMocks(() => clusterProgram(spec));
  const withIds = run.resources.map((r: RecordedResource) => ({
    ...r,
    ...(r.custom ? { id: `${FAKE}-${r.name}` } : {}),
  }));
  // The evaluator must judge the spec as written, whatever environment level the spec carries.
  const config = configFor({ ...spec, policyEnforcement: "mandatory" });
  return evaluatePolicies(withIds, config, { stack: spec.name });
}

const mandatory = (v: PolicyViolation[]) => v.filter((x) => x.enforcement === "mandatory");

describe("policy pack on the example fleet (offline)", function () {
  this.timeout(120000);

  const committed = loadFleet([path.join(REPO_ROOT, "stacks")], { cwd: REPO_ROOT });
  it("loads the committed specs", () => {
    assert.deepStrictEqual(committed.issues, []);
    assert.ok(committed.clusters.length > 0);
  });

  const specs: [string, ClusterSpec][] = [
    ["the reference cluster (keepalived)", referenceClusterSpec()],
    ["the reference cluster (octavia)", octaviaClusterSpec()],
    ...committed.clusters.map((c): [string, ClusterSpec] => [`committed ${c.environment}/${c.name}`, c]),
  ];
  for (const [what, spec] of specs) {
    it(`finds no mandatory violation in ${what}`, async () => {
      assert.deepStrictEqual(mandatory(await check(spec)), []);
    });
  }

  it("rejects a spec whose admin CIDRs cover the whole internet (SSH and the API opened to the world)", async () => {
    const world = ["0.0.0.0/1", "128.0.0.0/1"];
    const found = mandatory(await check(octaviaClusterSpec({ adminCidrs: world })));
    assert.deepStrictEqual([...new Set(found.map((v) => v.policy))].sort(), [
      "net-001-admin-address-space",
      "os-lb-001-restricted-control-listeners",
      "os-sg-001-sensitive-ports",
      "os-sg-002-public-ingress-web-only",
    ]);
    assert.ok(
      found.every((v) => world.some((c) => v.message.includes(c))),
      "every finding names a world half",
    );
    const exposed = found.filter((v) => v.policy === "os-sg-001-sensitive-ports").map((v) => v.message);
    assert.ok(exposed.includes("ingress tcp 22 from 0.0.0.0/1 exposes SSH outside the cluster"));
    assert.ok(
      exposed.includes("ingress tcp 6443 from 128.0.0.0/1 exposes Kubernetes API outside the cluster"),
    );
    assert.ok(
      found.some(
        (v) =>
          v.message ===
          "listener on port 6443 admits 0.0.0.0/1, outside the admin CIDRs and the cluster subnet",
      ),
    );
  });

  it("rejects the keepalived topology opened to the world the same way", async () => {
    const found = mandatory(await check(referenceClusterSpec({ adminCidrs: ["0.0.0.0/1", "128.0.0.0/1"] })));
    assert.deepStrictEqual([...new Set(found.map((v) => v.policy))].sort(), [
      "net-001-admin-address-space",
      "os-sg-001-sensitive-ports",
      "os-sg-002-public-ingress-web-only",
    ]);
  });

  it("rejects a production spec whose admin CIDRs hold a public /8, each entry narrower than /0", async () => {
    const found = mandatory(
      await check(octaviaClusterSpec({ adminCidrs: ["192.168.100.0/24", "44.0.0.0/8"] })),
    );
    assert.deepStrictEqual(
      found.filter((v) => v.policy === "net-001-admin-address-space").map((v) => v.message),
      [
        "admin ranges open 16777216 public IPv4 addresses (44.0.0.0/8), more than the environment's ceiling of 1024 (policy.adminAddressCeiling)",
      ],
    );
  });

  it("downgrades every finding to advisory in a non-production advisory environment", async () => {
    const spec = octaviaClusterSpec({
      adminCidrs: ["0.0.0.0/1", "128.0.0.0/1"],
      policyEnforcement: "advisory",
      production: false,
    });
    const run = await runUnderMocks(() => clusterProgram(spec));
    const found = await evaluatePolicies(run.resources, configFor(spec));
    assert.ok(found.length > 0);
    assert.deepStrictEqual(mandatory(found), []);
  });

  it("keeps high and critical findings mandatory in a production environment that asks for advisory", async () => {
    const spec = octaviaClusterSpec({
      adminCidrs: ["0.0.0.0/1", "128.0.0.0/1"],
      policyEnforcement: "advisory",
    });
    const run = await runUnderMocks(() => clusterProgram(spec));
    const found = await evaluatePolicies(run.resources, configFor(spec));
    const blocking = mandatory(found);
    assert.ok(blocking.length > 0);
    assert.ok(blocking.every((v) => v.severity === "high" || v.severity === "critical"));
    assert.ok(
      found.some((v) => v.enforcement === "advisory"),
      "lower severities still only advise",
    );
  });
});
