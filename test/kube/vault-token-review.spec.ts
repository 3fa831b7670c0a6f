/**
 * Vault's Kubernetes auth login, the part the cluster plays. Tier: a real kube-apiserver v1.33.13 run with
 * RKE2's service-account issuer and API audiences. Vault itself cannot run here; what it does is cited: a
 * mount without a reviewer JWT sends the login token itself as the bearer of its TokenReview
 * (hashicorp/vault-plugin-auth-kubernetes token_review.go: the JWT under review is used when no
 * token_reviewer_jwt is configured), so the token must be one the API server accepts as a bearer.
 *
 * The service account and its system:auth-delegator binding are the objects xcluster renders.
 */
import { strict as assert } from "assert";
import * as k8s from "@kubernetes/client-node";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import {
  VAULT_AUTH_SERVICE_ACCOUNT,
  vaultAuthServiceAccountObjects,
} from "../../components/vault-kubernetes-auth";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

const NAMESPACE = "external-dns";

describe("Vault's TokenReview of a VSO login token against a real kube-apiserver (RKE2's audiences)", function () {
  this.timeout(120_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let api: KubeApiServer | undefined;
  let admin: k8s.KubeConfig;

  before(async function () {
    api = await startKubeApiServerOrSkip(this, pki);
    admin = new k8s.KubeConfig();
    admin.loadFromString(
      renderKubeconfig({
        clusterName: "c1",
        serverUrl: api.url,
        serverCaCert: pki.serverCa.cert,
        admin: pki.admin,
      }),
    );
    await admin.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const objects = k8s.KubernetesObjectApi.makeApiClient(admin);
    for (const o of vaultAuthServiceAccountObjects(NAMESPACE))
      await objects.create(o as k8s.KubernetesObject);
  });
  after(async () => api?.stop());

  /** A token for the vault-auth account, as VSO requests it (credentials/vault/kubernetes.go v1.3.0 line 87). */
  async function loginToken(audiences: string[] | undefined): Promise<string> {
    const tr = await admin.makeApiClient(k8s.CoreV1Api).createNamespacedServiceAccountToken({
      name: VAULT_AUTH_SERVICE_ACCOUNT,
      namespace: NAMESPACE,
      body: { spec: { audiences: audiences ?? [], expirationSeconds: 600 } },
    });
    return tr.status!.token;
  }

  /** Vault's TokenReview with the login token as its own bearer; the HTTP status, and who it says it is. */
  async function reviewAsVaultDoes(token: string): Promise<{ status: number; username?: string }> {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c1", server: api!.url, caData: Buffer.from(pki.serverCa.cert).toString("base64") }],
      users: [{ name: "vault", token }],
      contexts: [{ name: "c1", cluster: "c1", user: "vault" }],
      currentContext: "c1",
    });
    try {
      const r = await kc
        .makeApiClient(k8s.AuthenticationV1Api)
        .createTokenReview({ body: { spec: { token } } });
      return {
        status: 201,
        ...(r.status?.user?.username !== undefined ? { username: r.status.user.username } : {}),
      };
    } catch (e) {
      return { status: (e as { code?: number }).code ?? -1 };
    }
  }

  it("authenticates the token VSO requests with no audience (what xcluster configures) as the vault-auth account", async () => {
    const r = await reviewAsVaultDoes(await loginToken(undefined));
    assert.equal(r.status, 201);
    assert.equal(r.username, `system:serviceaccount:${NAMESPACE}:${VAULT_AUTH_SERVICE_ACCOUNT}`);
  });

  it("rejects a token requested for audience vault as the review's bearer (401: every login would fail)", async () => {
    const r = await reviewAsVaultDoes(await loginToken(["vault"]));
    assert.equal(r.status, 401);
  });
});
