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

/**
 * The chart's defaults fail `restricted`: `controller.podSecurityContext` is only `runAsNonRoot: true` and
 * `controller.securityContext` only `allowPrivilegeEscalation: false` (no seccomp profile, capabilities
 * kept) (hashicorp/vault-secrets-operator chart/values.yaml v1.3.0, lines 585-591). The same two values
 * feed every pod the chart makes: the controller Deployment's kube-rbac-proxy and manager containers and
 * the pre-delete and upgrade-crds hook Jobs (chart/templates/deployment.yaml lines 65-66, 139-147,
 * 202-219; chart/templates/hook-upgrade-crds.yaml lines 90-107). The CSI driver (`csi.enabled`, default
 * false, Vault Enterprise only) stays off.
 */
export const VSO_RESTRICTED_CONTEXTS = {
  podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
} as const;

export const vaultSecretsOperator: AddonDefinition = {
  name: "vault-secrets-operator",
  chart: "vault-secrets-operator",
  // VSO 1.3.0 (hashicorp/vault-secrets-operator release notes).
  version: "1.3.0",
  repository: "https://helm.releases.hashicorp.com",
  namespace: "vault-secrets-operator",
  podSecurity: {
    level: "restricted",
    reason: "restricted once xcluster completes the chart's security contexts (VSO_RESTRICTED_CONTEXTS)",
  },
  selector: { matchLabels: { [addonLabel("vault-secrets-operator")]: ADDON_ENABLED } },
  dependsOn: [],
  values: (spec: ClusterSpec) => ({
    controller: {
      podSecurityContext: structuredClone(VSO_RESTRICTED_CONTEXTS.podSecurityContext),
      securityContext: structuredClone(VSO_RESTRICTED_CONTEXTS.securityContext),
    },
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
