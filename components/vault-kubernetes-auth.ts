/**
 * The cluster's side in Vault for the Vault Secrets Operator: a Kubernetes auth mount of its own
 * (`kubernetes-<cluster>`), configured from the cluster's public API address and server CA, and one role
 * per namespace that may read from Vault, each bound to one dedicated service account in that namespace
 * (never `default`, never `*`) and carrying only that namespace's own policy.
 *
 * Vault validates a login by sending the presented service-account token to the cluster's TokenReview
 * API. No `token_reviewer_jwt` is configured (it would be a long-lived token in Vault): Vault then uses
 * the login's own token as the reviewer ("If not set, the JWT submitted in the login payload will be used
 * to access the Kubernetes TokenReview API", Vault API docs, auth/kubernetes `token_reviewer_jwt`), so each
 * bound service account gets `system:auth-delegator` in the cluster (`vaultAuthServiceAccountObjects`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { typeToken } from "./conventions";

/** The service account VSO logs in as in every namespace that reads from Vault. */
export const VAULT_AUTH_SERVICE_ACCOUNT = "vault-auth";
/*
 * No token audience on the roles, and none requested by VSO. The mount has no reviewer JWT, so Vault sends
 * the login token itself as the bearer of its TokenReview, and the API server accepts a bearer token only
 * for its own audiences: on RKE2 `https://kubernetes.default.svc.<cluster domain>,rke2` (k3s
 * pkg/daemons/control/server.go, argsMap["api-audiences"], on the 1.33 line). A token requested for
 * audience `vault` is refused there (401), and every login fails with 403: proven against the real
 * kube-apiserver in test/kube/vault-token-review.spec.ts.
 */
/** Vault tokens from these roles live 20 minutes; VSO renews or logs in again (its own lifecycle). */
const TOKEN_TTL_SECONDS = 1200;

/** One namespace allowed to read from Vault. */
export interface VaultNamespaceRole {
  /** Role name in the auth mount. */
  readonly role: string;
  /** Kubernetes namespace whose `vault-auth` service account may log in with the role. */
  readonly namespace: string;
  /**
   * Vault ACL policy (HCL) for the namespace's tokens; created as `<policyPrefix><role>`.
   * @default none (the token gets no policy beyond Vault's `default`)
   */
  readonly policy?: string;
}

export interface VaultKubernetesAuthArgs {
  /** Cluster name: the mount is `kubernetes-<cluster>`, policies `xcluster-<cluster>-<role>`. */
  readonly cluster: string;
  /** The cluster's public Kubernetes API URL, as Vault reaches it (`https://<api address>:6443`). */
  readonly apiUrl: pulumi.Input<string>;
  /** The CA that signs the API server's serving certificate (PEM). */
  readonly caCert: pulumi.Input<string>;
  /** One role per namespace. */
  readonly roles: readonly VaultNamespaceRole[];
}

/** `kubernetes-<cluster>`: each cluster has its own API server and CA, so its own mount. */
export function vaultKubernetesAuthMount(cluster: string): string {
  return `kubernetes-${cluster}`;
}

/** Name of the Vault ACL policy a role's tokens carry. */
export function vaultRolePolicyName(cluster: string, role: string): string {
  return `xcluster-${cluster}-${role}`;
}

export class VaultKubernetesAuth extends pulumi.ComponentResource {
  /** The auth mount path. */
  readonly mount: string;
  /** Everything a login depends on: the mount, its config, the roles and their policies. */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: VaultKubernetesAuthArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("vault", "KubernetesAuth"), name, {}, opts);
    this.mount = vaultKubernetesAuthMount(args.cluster);
    const backend = new vault.AuthBackend(
      `${name}-backend`,
      {
        type: "kubernetes",
        path: this.mount,
        description: `xcluster: service accounts of cluster ${args.cluster}`,
      },
      { parent: this },
    );
    const config = new vault.kubernetes.AuthBackendConfig(
      `${name}-config`,
      {
        backend: backend.path,
        kubernetesHost: args.apiUrl,
        kubernetesCaCert: args.caCert,
        // Vault runs outside the cluster: no local service-account token or CA to fall back on.
        disableLocalCaJwt: true,
      },
      { parent: this },
    );
    const ready: pulumi.Resource[] = [backend, config];
    for (const r of args.roles) {
      const policy =
        r.policy === undefined
          ? undefined
          : new vault.Policy(
              `${name}-${r.role}-policy`,
              { name: vaultRolePolicyName(args.cluster, r.role), policy: r.policy },
              { parent: this },
            );
      if (policy !== undefined) ready.push(policy);
      ready.push(
        new vault.kubernetes.AuthBackendRole(
          `${name}-${r.role}`,
          {
            backend: backend.path,
            roleName: r.role,
            boundServiceAccountNames: [VAULT_AUTH_SERVICE_ACCOUNT],
            boundServiceAccountNamespaces: [r.namespace],
            tokenPolicies: policy === undefined ? [] : [policy.name],
            tokenTtl: TOKEN_TTL_SECONDS,
          },
          { parent: this, dependsOn: [config] },
        ),
      );
    }
    this.ready = ready;
    this.registerOutputs({ mount: this.mount });
  }
}

/**
 * The Kubernetes objects that let VSO log in for one namespace: the dedicated service account and its
 * `system:auth-delegator` binding (Vault reviews the login token with the token itself, see above).
 */
export function vaultAuthServiceAccountObjects(namespace: string): Record<string, unknown>[] {
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: VAULT_AUTH_SERVICE_ACCOUNT, namespace },
      // VSO requests tokens for it through the TokenRequest API; no pod mounts one.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${VAULT_AUTH_SERVICE_ACCOUNT}-${namespace}-tokenreview` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: VAULT_AUTH_SERVICE_ACCOUNT, namespace }],
    },
  ];
}
