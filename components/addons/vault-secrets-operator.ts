/**
 * HashiCorp Vault Secrets Operator: workloads get Kubernetes Secrets synced from Vault, authenticating
 * with their service-account tokens (Vault's Kubernetes auth), over verified TLS.
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";

/**
 * Each cluster has its own Kubernetes auth backend in Vault (its own API server and CA), mounted at
 * `kubernetes-<cluster>`; the operator logs in with role `vault-secrets-operator`.
 */
export function vaultKubernetesAuthMount(spec: ClusterSpec): string {
  return `kubernetes-${spec.name}`;
}
export const VSO_VAULT_ROLE = "vault-secrets-operator";
export const VSO_TOKEN_AUDIENCE = "vault";

export const vaultSecretsOperator: AddonDefinition = {
  name: "vault-secrets-operator",
  chart: "vault-secrets-operator",
  // VSO 1.3.0 (hashicorp/vault-secrets-operator release notes).
  version: "1.3.0",
  repository: "https://helm.releases.hashicorp.com",
  namespace: "vault-secrets-operator",
  namespaceLabels: {},
  selector: { matchLabels: { [addonLabel("vault-secrets-operator")]: ADDON_ENABLED } },
  dependsOn: [],
  values: (spec: ClusterSpec) => ({
    defaultVaultConnection: {
      enabled: true,
      address: spec.vault.address,
      skipTLSVerify: false,
    },
    defaultAuthMethod: {
      enabled: true,
      method: "kubernetes",
      mount: vaultKubernetesAuthMount(spec),
      kubernetes: {
        role: VSO_VAULT_ROLE,
        serviceAccount: "default",
        tokenAudiences: [VSO_TOKEN_AUDIENCE],
      },
    },
  }),
  secrets: () => [],
};
