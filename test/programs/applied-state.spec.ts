/**
 * Tier: Pulumi mocks (the whole cluster program) for what the program does with the stack's applied
 * state; pure functions for how that state is read from outputs and judged. The driver reading it back
 * from a real stack, and refusing before the stack is touched, runs on the real engine in
 * test/engine/day2.spec.ts.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { renderCluster } from "../../plan/render-cluster";
import { clusterProgram } from "../../programs/program";
import { NOT_APPLIED, appliedStateFromOutputs, type AppliedState } from "../../programs/applied-state";
import { BOOTSTRAP_SCRIPT_PATH } from "../../components/rke2/bootstrap-script";
import { appliedStateFromState, upgradeRefusals } from "../../fleet/applied-state";
import { stackName } from "../../fleet/stack-name";
import { referenceClusterSpec } from "../support/cluster-specs";
import { recordedValue } from "../components/rke2-mock-helpers";

const INSTANCE = "openstack:compute/instance:Instance";

/** Each server's bootstrap command line, by instance name. */
async function bootstrapCommands(applied: AppliedState): Promise<Map<string, string>> {
  const spec = referenceClusterSpec();
  const resources = await renderCluster(spec, { program: (s) => clusterProgram(s, applied) });
  const out = new Map<string, string>();
  for (const r of resources.filter((x) => x.type === INSTANCE && x.name.includes("-server-"))) {
    const userData = parse(String(recordedValue(r.inputs["userData"]))) as { runcmd: unknown[] };
    const cmd = userData.runcmd.find((c) => Array.isArray(c) && c[0] === BOOTSTRAP_SCRIPT_PATH);
    out.set(r.name, (cmd as string[]).slice(1).join(" "));
  }
  return out;
}

describe("the stack's applied state in the cluster program (mocks)", function () {
  this.timeout(180_000);

  it("lets server-0 of a cluster never applied initialise, probing the API VIP and its peers", async () => {
    const cmds = await bootstrapCommands(NOT_APPLIED);
    const first = cmds.get("ecmwf-ai-platform-server-0") ?? "";
    assert.match(first, /--role first --probe 10\.0\.50\.\d+ --probe 10\.0\.50\.\d+ --probe 10\.0\.50\.\d+ /);
    for (const i of [1, 2])
      assert.match(cmds.get(`ecmwf-ai-platform-server-${i}`) ?? "", /--role other --attempts/);
  });

  it("renders server-0 join-only once the stack recorded the cluster as initialised, and leaves the others as they were", async () => {
    const before = await bootstrapCommands(NOT_APPLIED);
    const after = await bootstrapCommands({ clusterInitialised: true, rke2Version: "v1.33.3+rke2r1" });
    assert.match(after.get("ecmwf-ai-platform-server-0") ?? "", /--role other --attempts/);
    assert.doesNotMatch(after.get("ecmwf-ai-platform-server-0") ?? "", /--probe/);
    for (const i of [1, 2]) {
      const n = `ecmwf-ai-platform-server-${i}`;
      assert.equal(after.get(n), before.get(n));
    }
  });
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Calico GlobalNetworkPolicy of the metadata-service block, as the program renders it. */
async function metadataPolicy(specVersion: string, applied: AppliedState): Promise<Json> {
  const base = referenceClusterSpec();
  const spec = { ...base, rke2: { ...base.rke2, version: specVersion, cni: "canal" as const } };
  const resources = await renderCluster(spec, { program: (s) => clusterProgram(s, applied) });
  const group = resources.find((r) => r.name === `${spec.name}-metadata-egress-objects`);
  const objs = group?.inputs["objs"] as Json[] | undefined;
  const gnp = objs?.find((o) => o["kind"] === "GlobalNetworkPolicy");
  assert.ok(gnp, "the GlobalNetworkPolicy is rendered");
  return gnp;
}

describe("the Calico tier field follows the RKE2 version the cluster runs (mocks)", function () {
  this.timeout(180_000);

  it("names the tier in spec.tier on a new cluster whose version ships the field, by name prefix only before it", async () => {
    assert.equal((await metadataPolicy("v1.33.12+rke2r1", NOT_APPLIED))["spec"]["tier"], "xcluster");
    assert.equal((await metadataPolicy("v1.33.5+rke2r1", NOT_APPLIED))["spec"]["tier"], undefined);
  });

  it("adds the field on the up after the one that started an upgrade across the boundary, not during it", async () => {
    // The up that starts the upgrade: the nodes still run v1.33.5 and its CRD, which has no spec.tier.
    const during = await metadataPolicy("v1.33.12+rke2r1", {
      clusterInitialised: true,
      rke2Version: "v1.33.5+rke2r1",
    });
    assert.equal(during["spec"]["tier"], undefined);
    assert.equal(during["metadata"]["name"], "xcluster.deny-cloud-metadata");
    // The next up: the stack recorded v1.33.12, whose CRD has the field and whose Calico (v3.32) reads it.
    const after = await metadataPolicy("v1.33.12+rke2r1", {
      clusterInitialised: true,
      rke2Version: "v1.33.12+rke2r1",
    });
    assert.equal(after["spec"]["tier"], "xcluster");
    assert.equal(after["metadata"]["name"], "xcluster.deny-cloud-metadata");
  });
});

describe("reading and judging the applied state (pure)", () => {
  it("reads the version and the initialised flag from plain stack outputs, and nothing from a stack without them", () => {
    assert.deepEqual(appliedStateFromOutputs({ rke2Version: "v1.33.3+rke2r1", clusterInitialised: true }), {
      rke2Version: "v1.33.3+rke2r1",
      clusterInitialised: true,
    });
    assert.deepEqual(appliedStateFromOutputs({ kubeconfig: "[secret]" }), NOT_APPLIED);
    assert.deepEqual(appliedStateFromOutputs({ clusterInitialised: "true" }), NOT_APPLIED, "only a boolean");
  });

  it("rejects a downgrade and a skipped minor version against what the stack last applied, and allows the next patch or minor", () => {
    const spec = referenceClusterSpec();
    const at = (v: string) => new Map([[stackName(spec), { clusterInitialised: true, rke2Version: v }]]);
    assert.deepEqual(upgradeRefusals([spec], at("v1.33.1+rke2r1"), process.cwd()), []);
    assert.deepEqual(upgradeRefusals([spec], at("v1.32.7+rke2r1"), process.cwd()), []);
    assert.deepEqual(
      upgradeRefusals([spec], new Map(), process.cwd()),
      [],
      "a new stack has nothing to compare",
    );
    const [down] = upgradeRefusals([spec], at("v1.33.5+rke2r1"), process.cwd());
    assert.match(
      down ?? "",
      /spec\.parameters\.rke2Version: cluster .*: downgrade from v1\.33\.5\+rke2r1 to v1\.33\.3\+rke2r1/,
    );
    const [skip] = upgradeRefusals([spec], at("v1.31.4+rke2r1"), process.cwd());
    assert.match(skip ?? "", /skips a minor version \(allowed: up to v1\.32\.x/);
    assert.match(skip ?? "", /last applied v1\.31\.4\+rke2r1/);
  });

  it("moves a canal or calico cluster to Calico v3.32 only once the policy stored in the stack's state carries its tier", () => {
    const base = referenceClusterSpec();
    const to = (v: string, cni: "canal" | "calico" | "cilium" = "canal") => ({
      ...base,
      rke2: { ...base.rke2, version: v, cni },
    });
    const at = (v: string, calicoPolicyTier: string | null | undefined) =>
      new Map([
        [
          stackName(base),
          {
            clusterInitialised: true,
            rke2Version: v,
            ...(calicoPolicyTier !== undefined ? { calicoPolicyTier } : {}),
          },
        ],
      ]);
    const refusal = (
      target: string,
      from: string,
      tier: string | null | undefined,
      cni?: "calico" | "cilium",
    ) => upgradeRefusals([to(target, cni)], at(from, tier), process.cwd());

    // From a CRD without the field: stop at a release with it first.
    const [straight] = refusal("v1.33.12+rke2r1", "v1.33.5+rke2r1", null);
    assert.match(
      straight ?? "",
      /upgrade from v1\.33\.5\+rke2r1 to v1\.33\.12\+rke2r1 moves the cluster to Calico v3\.32, which places network policies by spec\.tier only, and the xcluster\.deny-cloud-metadata policy in the stack's state has no spec\.tier/,
    );
    assert.match(
      straight ?? "",
      /allowed: first upgrade to a release whose CRD has the field .*v1\.33\.6–v1\.33\.11/,
    );
    assert.match(straight ?? "", /docs\/services\.md, Metadata service/);
    // The stack recorded v1.33.6, but the rollout had not finished at that up: the CRD dropped the field.
    const [early] = refusal("v1.33.12+rke2r1", "v1.33.6+rke2r1", null);
    assert.match(
      early ?? "",
      /allowed: run up again at v1\.33\.6\+rke2r1 once it has rolled out to every node/,
    );
    const [missing] = refusal("v1.33.12+rke2r1", "v1.33.6+rke2r1", undefined);
    assert.match(missing ?? "", /the stack's state holds no xcluster\.deny-cloud-metadata policy/);
    // Stored with its tier: allowed; and every step below Calico v3.32 is allowed regardless.
    assert.deepEqual(refusal("v1.33.12+rke2r1", "v1.33.6+rke2r1", "xcluster"), []);
    assert.deepEqual(refusal("v1.33.6+rke2r1", "v1.33.5+rke2r1", null), []);
    assert.deepEqual(refusal("v1.33.13+rke2r1", "v1.33.12+rke2r1", null), [], "already on Calico v3.32");
    // Calico proper too; Cilium has no tiers.
    assert.equal(refusal("v1.33.12+rke2r1", "v1.33.5+rke2r1", null, "calico").length, 1);
    assert.deepEqual(refusal("v1.33.12+rke2r1", "v1.33.5+rke2r1", null, "cilium"), []);
  });

  it("reads the Calico policy's stored tier from the stack's state: the object the API server returned", () => {
    const stack = {
      urn: "urn:pulumi:prod.c1::xcluster::pulumi:pulumi:Stack::xcluster-prod.c1",
      type: "pulumi:pulumi:Stack",
      outputs: { rke2Version: "v1.33.6+rke2r1", clusterInitialised: true },
    };
    const policy = (spec: Record<string, unknown>, name = "xcluster.deny-cloud-metadata") => ({
      urn: `urn:pulumi:prod.c1::xcluster::kubernetes:yaml/v2:ConfigGroup$kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy::${name}`,
      type: "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy",
      outputs: {
        apiVersion: "crd.projectcalico.org/v1",
        kind: "GlobalNetworkPolicy",
        metadata: { name },
        spec,
      },
    });
    assert.deepEqual(appliedStateFromState([stack]), {
      rke2Version: "v1.33.6+rke2r1",
      clusterInitialised: true,
    });
    assert.equal(appliedStateFromState([stack, policy({ selector: "all()" })]).calicoPolicyTier, null);
    assert.equal(
      appliedStateFromState([stack, policy({ tier: "xcluster", selector: "all()" })]).calicoPolicyTier,
      "xcluster",
    );
    assert.equal(
      appliedStateFromState([stack, policy({ tier: "xcluster" }, "someone-elses")]).calicoPolicyTier,
      undefined,
      "only xcluster's own policy counts",
    );
  });
});
