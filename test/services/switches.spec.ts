import { strict as assert } from "assert";
import type { ClusterSpec } from "../../spec/types";
import { addonLabel } from "../../spec/addons";
import { planPlatform, resourceKeys } from "./harness";
import { referenceSpec, withoutVault } from "./fixtures";

/** The reference cluster without external-dns, whose credentials need Vault (so Vault can be switched off). */
function base(): ClusterSpec {
  const ref = referenceSpec();
  const labels = { ...ref.labels };
  delete labels[addonLabel("external-dns")];
  return { ...ref, labels };
}

async function difference(
  on: ClusterSpec,
  off: ClusterSpec,
): Promise<{ removed: string[]; added: string[] }> {
  const [a, b] = [resourceKeys(await planPlatform(on)), resourceKeys(await planPlatform(off))];
  return { removed: a.filter((k) => !b.includes(k)), added: b.filter((k) => !a.includes(k)) };
}

describe("switching platform services off", () => {
  const c = "ecmwf-ai-platform";

  it("removes exactly the Vault provider, the Vault write-back and the cloud provider that needs Vault's credentials when vault.enabled is false", async () => {
    const on = base();
    const diff = await difference(on, withoutVault(on));
    assert.deepEqual(diff, {
      removed: [
        `kubernetes:core/v1:Secret::${c}-addons-openstack-cinder-csi-cinder-csi-cloud-config`,
        `kubernetes:core/v1:Secret::${c}-addons-openstack-cloud-controller-manager-cloud-config`,
        `kubernetes:helm.sh/v3:Release::${c}-addons-openstack-cinder-csi`,
        `kubernetes:helm.sh/v3:Release::${c}-addons-openstack-cloud-controller-manager`,
        `kubernetes:yaml/v2:ConfigGroup::${c}-addons-openstack-cinder-csi-manifests`,
        `pulumi:providers:vault::${c}-vault`,
        `vault:index/authBackend:AuthBackend::${c}-vault-auth-backend`,
        `vault:kubernetes/authBackendConfig:AuthBackendConfig::${c}-vault-auth-config`,
        `vault:kubernetes/authBackendRole:AuthBackendRole::${c}-vault-auth-vault-secrets-operator`,
        `vault:kv/secretV2:SecretV2::${c}-vault-join-token`,
        `vault:kv/secretV2:SecretV2::${c}-vault-kubeconfig`,
        `vault:kv/secretV2:SecretV2::${c}-vault-registration`,
        `xcluster:vault:ClusterSecrets::${c}-vault`,
        `xcluster:vault:KubernetesAuth::${c}-vault-auth`,
      ],
      added: [],
    });
  });

  it("removes exactly the Route53 provider and records when dns.enabled is false", async () => {
    const on = base();
    const diff = await difference(on, { ...on, dns: { ...on.dns, enabled: false } });
    assert.deepEqual(diff, {
      removed: [
        `aws:route53/record:Record::${c}-dns-api`,
        `aws:route53/record:Record::${c}-dns-apps-wildcard`,
        `pulumi:providers:aws::${c}-route53`,
        `xcluster:dns:ClusterDns::${c}-dns`,
      ],
      added: [],
    });
  });

  it("removes exactly the Rancher registration and its Vault entry when rancher.enabled is false", async () => {
    const on = base();
    const diff = await difference(on, { ...on, rancher: { ...on.rancher, enabled: false } });
    assert.deepEqual(diff, {
      removed: [
        `kubernetes:core/v1:Namespace::${c}-rancher-cattle-system`,
        `kubernetes:yaml/v2:ConfigGroup::${c}-rancher-manifest`,
        `pulumi:providers:kubernetes::${c}-kubernetes-registration`,
        `pulumi:providers:rancher2::${c}-rancher`,
        `rancher2:index/cluster:Cluster::${c}-rancher-cluster`,
        `vault:kv/secretV2:SecretV2::${c}-vault-registration`,
        `xcluster:rancher:Registration::${c}-rancher`,
      ],
      added: [],
    });
  });

  it("removes exactly an add-on's namespace, VSO objects, release and Vault role when its label is removed", async () => {
    const on = referenceSpec();
    const labels = { ...on.labels };
    delete labels[addonLabel("external-dns")];
    const diff = await difference(on, { ...on, labels });
    assert.deepEqual(diff, {
      removed: [
        `kubernetes:core/v1:Namespace::${c}-addons-external-dns-namespace`,
        `kubernetes:helm.sh/v3:Release::${c}-addons-external-dns`,
        `kubernetes:yaml/v2:ConfigGroup::${c}-addons-external-dns-prerequisites`,
        `vault:aws/secretBackendRole:SecretBackendRole::${c}-route53-credentials-role`,
        `vault:index/policy:Policy::${c}-vault-auth-external-dns-policy`,
        `vault:kubernetes/authBackendRole:AuthBackendRole::${c}-vault-auth-external-dns`,
        `xcluster:vault:Route53Credentials::${c}-route53-credentials`,
      ],
      added: [],
    });
  });

  it("removes exactly the operator and the cluster's whole Vault auth mount when vault-secrets-operator is removed", async () => {
    const on = base();
    const labels = { ...on.labels };
    delete labels[addonLabel("vault-secrets-operator")];
    const diff = await difference(on, { ...on, labels });
    assert.deepEqual(diff, {
      removed: [
        `kubernetes:core/v1:Namespace::${c}-addons-vault-secrets-operator-namespace`,
        `kubernetes:helm.sh/v3:Release::${c}-addons-vault-secrets-operator`,
        `kubernetes:yaml/v2:ConfigGroup::${c}-addons-vault-secrets-operator-manifests`,
        `vault:index/authBackend:AuthBackend::${c}-vault-auth-backend`,
        `vault:kubernetes/authBackendConfig:AuthBackendConfig::${c}-vault-auth-config`,
        `vault:kubernetes/authBackendRole:AuthBackendRole::${c}-vault-auth-vault-secrets-operator`,
        `xcluster:vault:KubernetesAuth::${c}-vault-auth`,
      ],
      added: [],
    });
  });

  it("removes cert-manager with its issuer, and the GPU operator, when their labels are removed", async () => {
    const on = referenceSpec();
    const labels = { ...on.labels };
    delete labels[addonLabel("cert-manager")];
    delete labels[addonLabel("gpu-operator")];
    const diff = await difference(on, { ...on, labels });
    assert.deepEqual(diff, {
      removed: [
        `kubernetes:cert-manager.io/v1:ClusterIssuer::${c}-addons-cert-manager-issuer`,
        `kubernetes:core/v1:Namespace::${c}-addons-cert-manager-namespace`,
        `kubernetes:core/v1:Namespace::${c}-addons-gpu-operator-namespace`,
        `kubernetes:helm.sh/v3:Release::${c}-addons-cert-manager`,
        `kubernetes:helm.sh/v3:Release::${c}-addons-gpu-operator`,
      ],
      added: [],
    });
  });
});
