/**
 * Tier: a real kube-apiserver v1.33.13 with a real etcd, built from Go modules (scripts/setup-kube-apiserver.sh,
 * ADR 0012), on loopback, with the CNIs' upstream CRDs installed from test fixtures:
 * - Calico (canal): `globalnetworkpolicies.crd.yaml` and `tiers.crd.yaml` from rancher/rke2-charts
 *   packages/rke2-canal/charts/templates/crds/ at commit 5e5685cfaa15b0cb371c6ba72a572befa0c19a1f (chart
 *   v3.30.2-build20250711, packageVersion 00 = the v3.30.2-build2025071100 that rancher/rke2
 *   v1.33.3+rke2r1 charts/chart_versions.yaml ships);
 * - Cilium: pkg/k8s/apis/cilium.io/client/crds/v2/ciliumclusterwidenetworkpolicies.yaml from
 *   cilium/cilium v1.17.6 (rke2-cilium 1.17.600 in the same chart_versions.yaml).
 * - Calico v3.32.0: the same two CRDs from rancher/rke2-charts packages/rke2-canal/charts/templates/crds/
 *   at commit 95543d9363bd8c7b162c9bcd93751c9f05d50668 (chart v3.32.0-build20260511, which RKE2
 *   v1.33.12+rke2r1 ships), whose GlobalNetworkPolicy has `spec.tier`; in a second API server.
 * The API server validates each policy object xcluster renders against those schemas, server-side, with
 * strict field validation (an unknown field is an error, not silently pruned). What this cannot show is
 * the datapath: no Calico Felix or Cilium agent runs here, so that a pod's packet to 169.254.169.254 is
 * dropped is argued from the CNIs' documented semantics (components/metadata-egress-policy.ts), not run.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { generateClusterPki } from "../../components/rke2/pki";
import {
  calicoCrdHasTierField,
  calicoPlacesPolicyByTierField,
  metadataEgressPolicyObjects,
  METADATA_SERVICE_CIDR,
} from "../../components/metadata-egress-policy";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

const FIXTURES = path.join(__dirname, "fixtures", "cni-crds");
const CRDS = [
  "calico-v3.30.2-globalnetworkpolicies.yaml",
  "calico-v3.30.2-tiers.yaml",
  "cilium-v1.17.6-ciliumclusterwidenetworkpolicies.yaml",
];
const CALICO_V3_32_CRDS = ["calico-v3.32.0-globalnetworkpolicies.yaml", "calico-v3.32.0-tiers.yaml"];
/** The version whose CRDs are the first set above (rke2-canal v3.30.2-build2025071100). */
const OLD = "v1.33.3+rke2r1";
/** The first v1.33 release with Calico v3.32.0 (rke2-canal v3.32.0-build2026051100). */
const V3_32 = "v1.33.12+rke2r1";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The cluster-scoped collection path of a custom object. */
function collection(obj: Json): string {
  const plural: Record<string, string> = {
    Tier: "tiers",
    GlobalNetworkPolicy: "globalnetworkpolicies",
    CiliumClusterwideNetworkPolicy: "ciliumclusterwidenetworkpolicies",
  };
  return `/apis/${obj["apiVersion"]}/${plural[obj["kind"] as string]}`;
}

/** Installs CRDs from the fixtures and waits until the API serves `served`. */
async function installCrds(
  api: KubeApiServer,
  pki: ReturnType<typeof generateClusterPki>,
  files: readonly string[],
  served: readonly string[],
): Promise<void> {
  for (const file of files) {
    const crd = parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as Json;
    delete crd["status"];
    const res = await api.send(
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      crd,
      pki.admin,
    );
    assert.equal(res.status, 201, `${file}: ${res.body}`);
  }
  // Established: the group-version serves the kinds.
  const deadline = Date.now() + 60_000;
  for (const gv of served) {
    for (;;) {
      const res = await api.get(gv, pki.admin);
      if (res.status === 200) break;
      if (Date.now() > deadline) throw new Error(`${gv} not served: ${res.status} ${res.body}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * A real kube-apiserver with the given CRDs for the tests of one `describe`, and a strict create: an
 * unknown field is an error (fieldValidation=Strict), not silently pruned.
 */
function apiServerWithCrds(files: readonly string[], served: readonly string[]) {
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  const server: { api?: KubeApiServer } = {};
  before(async function () {
    server.api = await startKubeApiServerOrSkip(this, pki);
    await installCrds(server.api, pki, files, served);
  });
  after(async () => server.api?.stop());
  return {
    create: (obj: Json) =>
      server.api!.send("POST", `${collection(obj)}?fieldValidation=Strict`, obj, pki.admin),
    get: (p: string) => server.api!.get(p, pki.admin),
  };
}

describe("the metadata-service policies against the CNIs' upstream CRDs in a real kube-apiserver", function () {
  this.timeout(240_000);
  const { create, get } = apiServerWithCrds(CRDS, [
    "/apis/crd.projectcalico.org/v1/tiers",
    "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies",
  ]);

  for (const cni of ["canal", "cilium"] as const) {
    it(`accepts the ${cni} objects unchanged: every field is in the upstream schema, nothing is pruned`, async () => {
      for (const obj of metadataEgressPolicyObjects(cni, OLD) as Json[]) {
        const res = await create(obj);
        assert.equal(res.status, 201, `${obj["kind"]} ${obj["metadata"]["name"]}: ${res.body}`);
        const stored = JSON.parse(res.body) as Json;
        assert.deepEqual(stored["spec"], obj["spec"], `${obj["kind"]} stored as sent`);
      }
    });
  }

  it("stores the Calico policy in the xcluster tier (by its name prefix) ahead of every other tier, passing by default", async () => {
    const [tier, policy] = metadataEgressPolicyObjects("calico", OLD) as [Json, Json];
    assert.equal(policy["metadata"]["name"].split(".")[0], tier["metadata"]["name"]);
    const stored = JSON.parse((await get(`${collection(tier)}/${tier["metadata"]["name"]}`)).body);
    assert.deepEqual(stored["spec"], { order: 100, defaultAction: "Pass" });
    const egress = policy["spec"]["egress"] as Json[];
    assert.deepEqual(egress[0], { action: "Deny", destination: { nets: [METADATA_SERVICE_CIDR] } });
    assert.deepEqual(egress.at(-1), { action: "Pass" });
  });

  it("rejects a spec.tier field: the CRD rke2-canal v3.30.2 installs has none (so it is left out there, and the name prefix decides)", async () => {
    const [, policy] = metadataEgressPolicyObjects("canal", OLD) as [Json, Json];
    const tiered = {
      ...policy,
      metadata: { name: "xcluster.with-tier-field" },
      spec: { ...policy["spec"], tier: "xcluster" },
    };
    const res = await create(tiered);
    assert.equal(res.status, 400, res.body);
    assert.match(res.body, /unknown field \\"spec\.tier\\"/);
  });

  it("rejects a tier default action other than Pass or Deny", async () => {
    const [tier] = metadataEgressPolicyObjects("canal", OLD) as [Json];
    const res = await create({
      ...tier,
      metadata: { name: "xcluster-bad" },
      spec: { order: 100, defaultAction: "Allow" },
    });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /defaultAction/);
  });

  it("rejects a Cilium policy whose default-deny switch is not a boolean", async () => {
    const [ccnp] = metadataEgressPolicyObjects("cilium", OLD) as [Json];
    const res = await create({
      ...ccnp,
      metadata: { name: "xcluster-bad" },
      spec: { ...ccnp["spec"], enableDefaultDeny: { egress: "no", ingress: false } },
    });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /enableDefaultDeny\.egress/);
  });
});

describe("the Calico policy against Calico v3.32.0's CRDs in a real kube-apiserver (RKE2 v1.33.12)", function () {
  this.timeout(240_000);
  const { create, get } = apiServerWithCrds(CALICO_V3_32_CRDS, [
    "/apis/crd.projectcalico.org/v1/globalnetworkpolicies",
  ]);

  it("accepts the objects unchanged and stores the policy's tier in spec.tier, which Calico v3.32 reads", async () => {
    const [tier, policy] = metadataEgressPolicyObjects("canal", V3_32) as [Json, Json];
    for (const obj of [tier, policy]) {
      const res = await create(obj);
      assert.equal(res.status, 201, `${obj["kind"]} ${obj["metadata"]["name"]}: ${res.body}`);
      assert.deepEqual((JSON.parse(res.body) as Json)["spec"], obj["spec"], `${obj["kind"]} stored as sent`);
    }
    const stored = JSON.parse((await get(`${collection(policy)}/${policy["metadata"]["name"]}`)).body);
    assert.equal(stored["spec"]["tier"], "xcluster");
    assert.equal(stored["spec"]["tier"], tier["metadata"]["name"]);
  });

  it("would store the older rendering without a tier: the default tier for Calico v3.32, where the trailing Pass skips NetworkPolicies", async () => {
    const [, policy] = metadataEgressPolicyObjects("canal", "v1.33.5+rke2r1") as [Json, Json];
    const res = await create({ ...policy, metadata: { name: "xcluster.rendered-for-v1-33-5" } });
    assert.equal(res.status, 201, res.body);
    assert.equal((JSON.parse(res.body) as Json)["spec"]["tier"], undefined, "the CRD sets no default");
  });
});

describe("the metadata-service policy objects (pure)", () => {
  it("names the tier in spec.tier exactly for the RKE2 releases whose rke2-canal CRD has the field", () => {
    // rancher/rke2 charts/chart_versions.yaml at each tag: the first rke2-canal chart with the field is
    // v3.30.3-build2025101500.
    const cases: [string, boolean][] = [
      ["v1.31.9+rke2r1", false],
      ["v1.32.9+rke2r1", false],
      ["v1.32.10+rke2r1", true],
      ["v1.33.3+rke2r1", false],
      ["v1.33.5+rke2r1", false],
      ["v1.33.6+rke2r1", true],
      ["v1.33.12+rke2r1", true],
      ["v1.34.1+rke2r1", false],
      ["v1.34.2+rke2r1", true],
      ["v1.35.0+rke2r1", true],
      ["v1.36.0+rke2r1", true],
    ];
    for (const [version, field] of cases) {
      assert.equal(calicoCrdHasTierField(version), field, version);
      const [, gnp] = metadataEgressPolicyObjects("canal", version) as [Json, Json];
      assert.equal(gnp["spec"]["tier"], field ? "xcluster" : undefined, version);
      assert.equal(
        gnp["metadata"]["name"],
        "xcluster.deny-cloud-metadata",
        "the name prefix stays either way",
      );
    }
    assert.throws(() => calicoCrdHasTierField("1.33.3"), /malformed RKE2 version "1.33.3"/);
  });

  it("knows which RKE2 releases ship Calico v3.32, which places policies by spec.tier only", () => {
    // rke2-canal v3.32.0-build2026051100 first ships with v1.33.12, v1.34.8, v1.35.5 and v1.36.0.
    const cases: [string, boolean][] = [
      ["v1.32.12+rke2r1", false],
      ["v1.33.11+rke2r1", false],
      ["v1.33.12+rke2r1", true],
      ["v1.34.7+rke2r1", false],
      ["v1.34.8+rke2r1", true],
      ["v1.35.4+rke2r1", false],
      ["v1.35.5+rke2r1", true],
      ["v1.36.0+rke2r1", true],
    ];
    for (const [version, byField] of cases)
      assert.equal(calicoPlacesPolicyByTierField(version), byField, version);
    // Every release that reads only the field also has it in its CRD.
    for (const [version, byField] of cases) if (byField) assert.ok(calicoCrdHasTierField(version), version);
  });

  it("uses Calico's API for canal and calico, Cilium's for cilium", () => {
    assert.deepEqual(
      metadataEgressPolicyObjects("canal", OLD).map((o) => o["kind"]),
      ["Tier", "GlobalNetworkPolicy"],
    );
    assert.deepEqual(metadataEgressPolicyObjects("calico", OLD), metadataEgressPolicyObjects("canal", OLD));
    assert.deepEqual(
      metadataEgressPolicyObjects("cilium", OLD).map((o) => o["kind"]),
      ["CiliumClusterwideNetworkPolicy"],
    );
  });

  it("selects every pod, denies only the metadata address, and never puts pods into default-deny", () => {
    const [ccnp] = metadataEgressPolicyObjects("cilium", OLD) as [Json];
    assert.deepEqual(ccnp["spec"]["endpointSelector"], {});
    assert.deepEqual(ccnp["spec"]["egressDeny"], [{ toCIDR: ["169.254.169.254/32"] }]);
    assert.deepEqual(ccnp["spec"]["enableDefaultDeny"], { egress: false, ingress: false });
    assert.equal(ccnp["spec"]["egress"], undefined, "no allow rules that could override NetworkPolicies");
    const [, gnp] = metadataEgressPolicyObjects("canal", OLD) as [Json, Json];
    assert.equal(gnp["spec"]["selector"], "all()");
    assert.deepEqual(gnp["spec"]["types"], ["Egress"]);
    assert.ok(
      (gnp["spec"]["egress"] as Json[]).every((r) => r["action"] !== "Allow"),
      "no Allow rule that could override NetworkPolicies",
    );
  });
});
