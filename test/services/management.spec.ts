import { strict as assert } from "assert";
import { ofType, runUnderMocks, type MockRun } from "../support/pulumi";
import { managementCluster, type ManagementCluster } from "../../programs/management";
import { referenceSpec } from "./fixtures";
import type { ClusterSpec } from "../../spec/types";

/** A management cluster spec: no GPUs, no add-on labels of its own, Rancher served inside the DNS zone. */
function managementSpec(): ClusterSpec {
  const ref = referenceSpec();
  return {
    ...ref,
    name: "rancher-mgmt",
    labels: {},
    pools: ref.pools.filter((p) => p.role !== "gpu"),
    rancher: { enabled: true, url: "https://rancher.ai.example.org" },
  };
}

describe("management cluster program", () => {
  let run: MockRun<ManagementCluster>;
  before(async () => {
    run = await runUnderMocks(() => managementCluster(managementSpec()));
  });

  it("builds the cluster from the infrastructure components and installs cert-manager, then Rancher", () => {
    assert.ok(
      ofType(run.resources, "openstack:compute/instance:Instance").length >= 3,
      "the RKE2 servers exist",
    );
    const releases = ofType(run.resources, "kubernetes:helm.sh/v3:Release");
    assert.deepEqual(
      releases.map((r) => r.inputs["chart"]),
      ["openstack-cloud-controller-manager", "openstack-cinder-csi", "cert-manager", "rancher"],
    );
    assert.equal(
      (releases[3]?.inputs["values"] as Record<string, unknown>)["hostname"],
      "rancher.ai.example.org",
    );
    assert.deepEqual(run.result.platform.outputs.addons, [
      "openstack-cloud-controller-manager",
      "openstack-cinder-csi",
      "cert-manager",
      "rancher",
    ]);
  });

  it("is not registered with Rancher and gets its Rancher hostname on the ingress", () => {
    assert.deepEqual(ofType(run.resources, "rancher2:index/cluster:Cluster"), []);
    assert.deepEqual(ofType(run.resources, "pulumi:providers:rancher2"), []);
    const rancherRecord = ofType(run.resources, "aws:route53/record:Record").find(
      (r) => r.inputs["name"] === "rancher.ai.example.org",
    );
    const wildcard = ofType(run.resources, "aws:route53/record:Record").find((r) =>
      String(r.inputs["name"]).startsWith("*.apps."),
    );
    assert.ok(rancherRecord && wildcard);
    assert.deepEqual(rancherRecord.inputs["records"], wildcard.inputs["records"]);
  });

  it("leaves the Rancher name out of Route53 when it is outside the cluster's zone", async () => {
    const spec = { ...managementSpec(), rancher: { enabled: true, url: "https://rancher.example.com" } };
    const other = await runUnderMocks(() => managementCluster(spec));
    const names = ofType(other.resources, "aws:route53/record:Record").map((r) => r.inputs["name"]);
    assert.ok(!names.includes("rancher.example.com"));
  });
});
