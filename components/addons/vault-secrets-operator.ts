/**
 * HashiCorp Vault Secrets Operator: workloads get Kubernetes Secrets synced from Vault, authenticating
 * with dedicated service-account tokens (Vault's Kubernetes auth, mount `kubernetes-<cluster>`), over
 * verified TLS. The Vault side (mount, config, one role per namespace) is
 * components/vault-kubernetes-auth.ts.
 *
 * Each namespace that reads from Vault has its own VaultAuth (its own role, its own policy); a VaultAuth
 * serves secrets in its own namespace only. The chart's default VaultAuth is restricted to the operator's
 * namespace (`allowedNamespaces`), so no other namespace can borrow it: without `allowedNamespaces` any
 * namespace but the operator's is refused, with `["*"]` every one is allowed
 * (hashicorp/vault-secrets-operator api/v1beta1/vaultauth_types.go v1.3.0, lines 412-424).
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";
import {
  VAULT_AUTH_SERVICE_ACCOUNT,
  vaultAuthServiceAccountObjects,
  vaultKubernetesAuthMount as authMount,
} from "../vault-kubernetes-auth";

/** `kubernetes-<cluster>`: the cluster's own Kubernetes auth mount in Vault. */
export function vaultKubernetesAuthMount(spec: ClusterSpec): string {
  return authMount(spec.name);
}
/** The role of the chart's default VaultAuth (operator namespace only, no policy of its own). */
export const VSO_VAULT_ROLE = "vault-secrets-operator";
export const VSO_NAMESPACE = "vault-secrets-operator";
const VSO_API = "secrets.hashicorp.com/v1beta1";

/**
 * A namespace's own VaultAuth: Kubernetes auth at the cluster's mount with the namespace's role, logging
 * in as its `vault-auth` service account (which must live in the consuming secret's namespace:
 * api/v1beta1/vaultauth_types.go v1.3.0, lines 17-19), through the chart's `default` VaultConnection.
 */
export function namespaceVaultAuth(
  spec: ClusterSpec,
  namespace: string,
  role: string,
): Record<string, unknown> {
  return {
    apiVersion: VSO_API,
    kind: "VaultAuth",
    metadata: { name: role, namespace },
    spec: {
      method: "kubernetes",
      mount: vaultKubernetesAuthMount(spec),
      // No `audiences`: the token gets the API server's own, the only ones its TokenReview accepts as a
      // bearer (components/vault-kubernetes-auth.ts).
      kubernetes: { role, serviceAccount: VAULT_AUTH_SERVICE_ACCOUNT },
    },
  };
}

/**
 * A VaultDynamicSecret: VSO reads `<mount>/<path>` with the namespace's VaultAuth, writes the response
 * into Secret `secret` and restarts the Deployment when the credentials change
 * (api/v1beta1/vaultdynamicsecret_types.go and common.go v1.3.0).
 */
export function vaultDynamicSecret(args: {
  readonly namespace: string;
  readonly name: string;
  readonly vaultAuth: string;
  readonly mount: string;
  readonly path: string;
  readonly restartDeployment: string;
}): Record<string, unknown> {
  return {
    apiVersion: VSO_API,
    kind: "VaultDynamicSecret",
    metadata: { name: args.name, namespace: args.namespace },
    spec: {
      vaultAuthRef: args.vaultAuth,
      mount: args.mount,
      path: args.path,
      destination: { name: args.name, create: true },
      rolloutRestartTargets: [{ kind: "Deployment", name: args.restartDeployment }],
    },
  };
}

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
  namespace: VSO_NAMESPACE,
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
    // chart/values.yaml v1.3.0 lines 678-713; rendered by chart/templates/default-vault-auth-method.yaml
    // (allowedNamespaces only when non-empty, lines 19-22).
    defaultAuthMethod: {
      enabled: true,
      method: "kubernetes",
      mount: vaultKubernetesAuthMount(spec),
      allowedNamespaces: [VSO_NAMESPACE],
      kubernetes: {
        role: VSO_VAULT_ROLE,
        serviceAccount: VAULT_AUTH_SERVICE_ACCOUNT,
      },
    },
  }),
  manifests: () => vaultAuthServiceAccountObjects(VSO_NAMESPACE),
  secrets: () => [],
};
