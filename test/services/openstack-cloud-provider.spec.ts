/**
 * The OpenStack cloud provider add-ons (cloud controller manager, Cinder CSI) and RKE2's side of them.
 *
 * Tiers: pure (cloud.conf, values, RKE2 config) and Pulumi mocks (the Secrets from Vault, install order).
 * The charts are not rendered (no helm offline); the values they read are cited in
 * components/addons/openstack-cloud-provider.ts.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { addonDefinition } from "../../components/addons/catalogue";
import { addonValues } from "../../components/addons/values";
import { renderCloudConf } from "../../components/addons/openstack-cloud-provider";
import { renderAgentConfig } from "../../components/rke2/config";
import type { ClusterSpec } from "../../spec/types";
import { planPlatform } from "./harness";
import { gpuNotebookSpec, referenceSpec } from "./fixtures";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CREDENTIAL = {
  auth_url: "https://keystone.example.org:5000/v3",
  application_credential_id: "app-cred-id",
  application_credential_secret: "app-cred-secret",
};

function withoutOctavia(spec: ClusterSpec): ClusterSpec {
  return { ...spec, openstack: { ...spec.openstack, octaviaAvailable: false } };
}

describe("OpenStack cloud provider", () => {
  describe("cloud.conf (pure)", () => {
    it("authenticates with the environment's application credential in the cluster's region", () => {
      const conf = renderCloudConf(referenceSpec(), CREDENTIAL);
      assert.match(conf, /^\[Global\]\nauth-url="https:\/\/keystone\.example\.org:5000\/v3"\n/);
      assert.match(conf, /\napplication-credential-id="app-cred-id"\n/);
      assert.match(conf, /\napplication-credential-secret="app-cred-secret"\n/);
      assert.match(conf, /\nregion="RegionOne"\n/);
      assert.doesNotMatch(conf, /password|username/);
    });

    it("offers LoadBalancer Services through Octavia only where the cloud has it", () => {
      assert.match(
        renderCloudConf(referenceSpec(), CREDENTIAL),
        /\[LoadBalancer\]\nenabled=true\nlb-provider="amphora"\n/,
      );
      assert.match(
        renderCloudConf(withoutOctavia(referenceSpec()), CREDENTIAL),
        /\[LoadBalancer\]\nenabled=false\n/,
      );
      const ccm = (spec: ClusterSpec) =>
        addonValues(addonDefinition("openstack-cloud-controller-manager"), spec)["enabledControllers"];
      assert.deepEqual(ccm(referenceSpec()), ["cloud-node", "cloud-node-lifecycle", "service"]);
      assert.deepEqual(ccm(withoutOctavia(referenceSpec())), ["cloud-node", "cloud-node-lifecycle"]);
    });
  });

  describe("values (pure)", () => {
    it("runs the CCM on RKE2 servers (label value true) despite their taints and the uninitialized taint", () => {
      const v = addonValues(addonDefinition("openstack-cloud-controller-manager"), referenceSpec()) as Json;
      assert.deepEqual(v["nodeSelector"], { "node-role.kubernetes.io/control-plane": "true" });
      const keys = (v["tolerations"] as Json[]).map((t) => t["key"]);
      assert.ok(keys.includes("node.cloudprovider.kubernetes.io/uninitialized"));
      assert.ok(keys.includes("CriticalAddonsOnly"), "RKE2 servers carry CriticalAddonsOnly");
      assert.deepEqual(v["secret"], { enabled: true, create: false, name: "cloud-config" });
    });

    it("makes Cinder's Delete class the default StorageClass, with volume expansion, and adds a snapshot class", () => {
      const csi = addonDefinition("openstack-cinder-csi");
      const v = addonValues(csi, referenceSpec()) as Json;
      assert.deepEqual(v["storageClass"]["delete"], { isDefault: true, allowVolumeExpansion: true });
      assert.equal(v["secret"]["create"], false, "cloud.conf never comes from Helm values");
      assert.equal(v["secret"]["hostMount"], false);
      const [snapshotClass] = csi.manifests?.(referenceSpec()) ?? [];
      assert.equal(snapshotClass?.["kind"], "VolumeSnapshotClass");
      assert.equal(snapshotClass?.["driver"], "cinder.csi.openstack.org");
    });
  });

  describe("under mocks", () => {
    it("fills cloud.conf from Vault into Secrets in kube-system, as Pulumi secrets, never into Helm values", async () => {
      const spec = referenceSpec();
      const run = await planPlatform(spec);
      const secrets = run.resources.filter(
        (r) =>
          r.type === "kubernetes:core/v1:Secret" &&
          (r.inputs["metadata"] as Json)["namespace"] === "kube-system",
      );
      assert.deepEqual(secrets.map((s) => (s.inputs["metadata"] as Json)["name"]).sort(), [
        "cinder-csi-cloud-config",
        "cloud-config",
      ]);
      const released = JSON.stringify(
        run.resources
          .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
          .map((r) => r.inputs["values"]),
      );
      assert.doesNotMatch(released, /app-cred-secret/);
      const conf = (secrets[0]?.inputs["stringData"] as Json)["value"]?.["cloud.conf"] ?? "";
      assert.match(String(conf), /application-credential-secret="fake-app-cred-secret"/);
      assert.equal(
        typeof (secrets[0]?.inputs["stringData"] as Json)["4dabf18193072939515e22adb298388d"],
        "string",
      );
    });

    it("installs the cloud provider before every other add-on (nodes are tainted uninitialized until it runs)", async () => {
      const spec = gpuNotebookSpec();
      const run = await planPlatform(spec);
      const release = (name: string) => `${spec.name}-addons-${name}`;
      for (const name of [
        "cert-manager",
        "external-dns",
        "vault-secrets-operator",
        "gpu-operator",
        "jupyterhub",
      ]) {
        const deps = run.dependsOn.get(release(name)) ?? [];
        assert.ok(
          deps.includes(release("openstack-cloud-controller-manager")),
          `${name}: ${deps.join(", ")}`,
        );
        assert.ok(deps.includes(release("openstack-cinder-csi")), `${name}: ${deps.join(", ")}`);
      }
      assert.ok(
        (run.dependsOn.get(release("openstack-cinder-csi")) ?? []).includes(
          release("openstack-cloud-controller-manager"),
        ),
      );
      assert.equal(run.result.outputs.addons[0], "openstack-cloud-controller-manager");
    });
  });

  describe("RKE2 (pure)", () => {
    it("runs every node with cloud-provider-name external when the cluster has the cloud provider, and not otherwise", () => {
      const agent = (cloudProviderName: "external" | "") =>
        parse(
          renderAgentConfig({
            nodeName: "c-workers-0",
            registrationAddress: "10.0.50.10",
            labels: {},
            taints: [],
            cisProfile: "cis",
            cloudProviderName,
          }),
        ) as Json;
      assert.equal(agent("external")["cloud-provider-name"], "external");
      assert.equal(agent("")["cloud-provider-name"], undefined);
    });
  });
});
