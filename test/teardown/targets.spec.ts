/** Tier: pure functions. What the ordered teardown deletes through the cluster, and what it must report. */
import { strict as assert } from "assert";
import { teardownTargets, type ClaimObject, type VolumeObject } from "../../teardown/targets";

const pv = (name: string, driver: string, policy: "Delete" | "Retain", claim?: string): VolumeObject => ({
  metadata: { name },
  spec: {
    csi: { driver, volumeHandle: `cinder-${name}` },
    persistentVolumeReclaimPolicy: policy,
    ...(claim !== undefined ? { claimRef: { namespace: "data", name: claim } } : {}),
  },
});
const pvc = (name: string, volumeName?: string): ClaimObject => ({
  metadata: { name, namespace: "data" },
  spec: volumeName !== undefined ? { volumeName } : {},
});

describe("teardown targets", () => {
  it("deletes every LoadBalancer Service, whatever its namespace, and keeps their addresses for the report", () => {
    const t = teardownTargets(
      [
        {
          metadata: { name: "web", namespace: "shop" },
          spec: { type: "LoadBalancer" },
          status: { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } },
        },
        { metadata: { name: "api" }, spec: { type: "LoadBalancer" } },
        { metadata: { name: "internal", namespace: "shop" }, spec: { type: "ClusterIP" } },
        { metadata: { name: "node", namespace: "shop" }, spec: { type: "NodePort" } },
      ],
      [],
      [],
    );
    assert.deepEqual(t.loadBalancers, [
      { namespace: "default", name: "api", addresses: [] },
      { namespace: "shop", name: "web", addresses: ["192.0.2.10"] },
    ]);
  });

  it("deletes claims whose Cinder CSI volume goes with them, and reports retained Cinder volumes instead of deleting them", () => {
    const t = teardownTargets(
      [],
      [pvc("db", "pv-db"), pvc("keep", "pv-keep"), pvc("nfs", "pv-nfs"), pvc("pending")],
      [
        pv("pv-db", "cinder.csi.openstack.org", "Delete", "db"),
        pv("pv-keep", "cinder.csi.openstack.org", "Retain", "keep"),
        pv("pv-released", "cinder.csi.openstack.org", "Delete"),
        pv("pv-nfs", "nfs.csi.k8s.io", "Delete", "nfs"),
      ],
    );
    assert.deepEqual(t.claims, [
      { namespace: "data", name: "db", volume: "pv-db", cinderVolumeId: "cinder-pv-db" },
    ]);
    assert.deepEqual(t.retainedVolumes, [
      { volume: "pv-keep", cinderVolumeId: "cinder-pv-keep", claim: { namespace: "data", name: "keep" } },
      // Released (its claim is gone) yet still there: the CSI driver has not deleted it (yet).
      { volume: "pv-released", cinderVolumeId: "cinder-pv-released" },
    ]);
  });

  it("has nothing to do for a cluster without load balancers or Cinder volumes", () => {
    assert.deepEqual(teardownTargets([{ spec: { type: "ClusterIP" } }], [pvc("x")], []), {
      loadBalancers: [],
      claims: [],
      retainedVolumes: [],
    });
  });
});
