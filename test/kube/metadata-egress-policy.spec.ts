/**
 * Tier: a real kube-apiserver v1.33.13 with a real etcd, built from Go modules (scripts/setup-kube-apiserver.sh,
 * ADR 0012), on loopback, with the CNIs' upstream CRDs installed from test fixtures:
 * - Calico (canal): `globalnetworkpolicies.crd.yaml` and `tiers.crd.yaml` from rancher/rke2-charts
 *   packages/rke2-canal/charts/templates/crds/ at commit 5e5685cfaa15b0cb371c6ba72a572befa0c19a1f (chart
 *   v3.30.2-build20250711, packageVersion 00 = the v3.30.2-build2025071100 that rancher/rke2
 *   v1.33.3+rke2r1 charts/chart_versions.yaml ships);
 * - Cilium: pkg/k8s/apis/cilium.io/client/crds/v2/ciliumclusterwidenetworkpolicies.yaml from
 *   cilium/cilium v1.17.6 (rke2-cilium 1.17.600 in the same chart_versions.yaml).
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
import { metadataEgressPolicyObjects, METADATA_SERVICE_CIDR } from "../../components/metadata-egress-policy";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

const FIXTURES = path.join(__dirname, "fixtures", "cni-crds");
const CRDS = [
  "calico-v3.30.2-globalnetworkpolicies.yaml",
  "calico-v3.30.2-tiers.yaml",
  "cilium-v1.17.6-ciliumclusterwidenetworkpolicies.yaml",
];

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

describe("the metadata-service policies against the CNIs' upstream CRDs in a real kube-apiserver", function () {
  this.timeout(240_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let api: KubeApiServer | undefined;

  const create = (obj: Json) =>
    api!.send("POST", `${collection(obj)}?fieldValidation=Strict`, obj, pki.admin);

  before(async function () {
    api = await startKubeApiServerOrSkip(this, pki);
    for (const file of CRDS) {
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
    for (const gv of [
      "/apis/crd.projectcalico.org/v1/tiers",
      "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies",
    ]) {
      for (;;) {
        const res = await api.get(gv, pki.admin);
        if (res.status === 200) break;
        if (Date.now() > deadline) throw new Error(`${gv} not served: ${res.status} ${res.body}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
  after(async () => api?.stop());

  for (const cni of ["canal", "cilium"] as const) {
    it(`accepts the ${cni} objects unchanged: every field is in the upstream schema, nothing is pruned`, async () => {
      for (const obj of metadataEgressPolicyObjects(cni) as Json[]) {
        const res = await create(obj);
        assert.equal(res.status, 201, `${obj["kind"]} ${obj["metadata"]["name"]}: ${res.body}`);
        const stored = JSON.parse(res.body) as Json;
        assert.deepEqual(stored["spec"], obj["spec"], `${obj["kind"]} stored as sent`);
      }
    });
  }

  it("stores the Calico policy in the xcluster tier (by its name prefix) ahead of every other tier, passing by default", async () => {
    const [tier, policy] = metadataEgressPolicyObjects("calico") as [Json, Json];
    assert.equal(policy["metadata"]["name"].split(".")[0], tier["metadata"]["name"]);
    const stored = JSON.parse(
      (await api!.get(`${collection(tier)}/${tier["metadata"]["name"]}`, pki.admin)).body,
    );
    assert.deepEqual(stored["spec"], { order: 100, defaultAction: "Pass" });
    const egress = policy["spec"]["egress"] as Json[];
    assert.deepEqual(egress[0], { action: "Deny", destination: { nets: [METADATA_SERVICE_CIDR] } });
    assert.deepEqual(egress.at(-1), { action: "Pass" });
  });

  it("rejects a spec.tier field: the CRD rke2-canal v3.30.2 installs has none (hence the name prefix)", async () => {
    const [, policy] = metadataEgressPolicyObjects("canal") as [Json, Json];
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
    const [tier] = metadataEgressPolicyObjects("canal") as [Json];
    const res = await create({
      ...tier,
      metadata: { name: "xcluster-bad" },
      spec: { order: 100, defaultAction: "Allow" },
    });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /defaultAction/);
  });

  it("rejects a Cilium policy whose default-deny switch is not a boolean", async () => {
    const [ccnp] = metadataEgressPolicyObjects("cilium") as [Json];
    const res = await create({
      ...ccnp,
      metadata: { name: "xcluster-bad" },
      spec: { ...ccnp["spec"], enableDefaultDeny: { egress: "no", ingress: false } },
    });
    assert.equal(res.status, 422, res.body);
    assert.match(res.body, /enableDefaultDeny\.egress/);
  });
});

describe("the metadata-service policy objects (pure)", () => {
  it("uses Calico's API for canal and calico, Cilium's for cilium", () => {
    assert.deepEqual(
      metadataEgressPolicyObjects("canal").map((o) => o["kind"]),
      ["Tier", "GlobalNetworkPolicy"],
    );
    assert.deepEqual(metadataEgressPolicyObjects("calico"), metadataEgressPolicyObjects("canal"));
    assert.deepEqual(
      metadataEgressPolicyObjects("cilium").map((o) => o["kind"]),
      ["CiliumClusterwideNetworkPolicy"],
    );
  });

  it("selects every pod, denies only the metadata address, and never puts pods into default-deny", () => {
    const [ccnp] = metadataEgressPolicyObjects("cilium") as [Json];
    assert.deepEqual(ccnp["spec"]["endpointSelector"], {});
    assert.deepEqual(ccnp["spec"]["egressDeny"], [{ toCIDR: ["169.254.169.254/32"] }]);
    assert.deepEqual(ccnp["spec"]["enableDefaultDeny"], { egress: false, ingress: false });
    assert.equal(ccnp["spec"]["egress"], undefined, "no allow rules that could override NetworkPolicies");
    const [, gnp] = metadataEgressPolicyObjects("canal") as [Json, Json];
    assert.equal(gnp["spec"]["selector"], "all()");
    assert.deepEqual(gnp["spec"]["types"], ["Egress"]);
    assert.ok(
      (gnp["spec"]["egress"] as Json[]).every((r) => r["action"] !== "Allow"),
      "no Allow rule that could override NetworkPolicies",
    );
  });
});
