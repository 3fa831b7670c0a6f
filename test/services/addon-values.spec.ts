import { strict as assert } from "assert";
import type { ClusterSpec, JupyterHubAuth } from "../../spec/types";
import { addonDefinition } from "../../components/addons/catalogue";
import { AddonConfigurationError } from "../../components/addons/addon";
import { addonValues, mergeValues } from "../../components/addons/values";
import { clusterIssuer, CLUSTER_ISSUER } from "../../components/addons/cert-manager";
import { EXTERNAL_DNS_AWS_SECRET } from "../../components/addons/external-dns";
import { JUPYTERHUB_AUTH_SECRET, NOTEBOOK_IMAGES } from "../../components/addons/jupyterhub";
import { DEFAULT_GPU_TAINT, GPU_NODE_LABEL } from "../../components/conventions";
import { AUTH_EXAMPLES, FIXTURES, cpuNotebookSpec, gpuNotebookSpec, referenceSpec } from "./fixtures";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const values = (name: Parameters<typeof addonDefinition>[0], spec: ClusterSpec): Json =>
  addonValues(addonDefinition(name), spec) as Json;

const GPU_TOLERATION = { ...DEFAULT_GPU_TAINT, operator: "Equal" };

function withAuth(spec: ClusterSpec, auth: JupyterHubAuth | undefined): ClusterSpec {
  return { ...spec, addons: { ...spec.addons, jupyterhubAuth: auth } };
}

describe("add-on values", () => {
  describe("gpu-operator", () => {
    it("tells the container toolkit RKE2's containerd socket and nothing else, as RKE2 documents for v25.10.x", () => {
      assert.deepEqual(values("gpu-operator", referenceSpec())["toolkit"], {
        env: [{ name: "CONTAINERD_SOCKET", value: "/run/k3s/containerd/containerd.sock" }],
      });
      // The old value pointed the toolkit at RKE2's config.toml.tmpl, which it then overwrote.
      assert.doesNotMatch(
        JSON.stringify(values("gpu-operator", referenceSpec())),
        /CONTAINERD_CONFIG|config\.toml/,
      );
    });

    it("sets only values gpu-operator v25.10.1 defines (none the chart ignores)", () => {
      // deployments/gpu-operator/values.yaml v25.10.1: driver.enabled line 130, toolkit.env line 227,
      // daemonsets.tolerations lines 37-40, node-feature-discovery.worker.tolerations lines 535-546.
      // (operator.defaultRuntime, set before, appears in no template: only in the ClusterPolicy CRD.)
      const known = [
        "driver.enabled",
        "toolkit.env",
        "daemonsets.tolerations",
        "node-feature-discovery.worker.tolerations",
      ];
      const leaves = (o: Json, prefix = ""): string[] =>
        Object.entries(o).flatMap(([k, v]) =>
          typeof v === "object" && v !== null && !Array.isArray(v)
            ? leaves(v as Json, `${prefix}${k}.`)
            : [`${prefix}${k}`],
        );
      for (const make of FIXTURES)
        assert.deepEqual(leaves(values("gpu-operator", make())).sort(), [...known].sort());
    });

    it("runs the operator's driver container unless the environment's GPU image carries the driver", () => {
      const ref = referenceSpec();
      assert.equal(values("gpu-operator", ref)["driver"]["enabled"], true);
      const preinstalled = { ...ref, addons: { ...ref.addons, gpuDrivers: "preinstalled" as const } };
      assert.equal(values("gpu-operator", preinstalled)["driver"]["enabled"], false);
    });

    it("keeps the chart's default tolerations, which already cover the default GPU taint", () => {
      const v = values("gpu-operator", referenceSpec());
      assert.deepEqual(v["daemonsets"]["tolerations"], [
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      ]);
      assert.deepEqual(
        (v["node-feature-discovery"]["worker"]["tolerations"] as Json[]).map((t) => t["key"]),
        ["node-role.kubernetes.io/master", "node-role.kubernetes.io/control-plane", "nvidia.com/gpu"],
      );
    });

    it("adds a custom GPU taint to the chart's tolerations when a pool sets one", () => {
      const ref = referenceSpec();
      const custom = { key: "accelerator", value: "a100", effect: "NoExecute" as const };
      const spec = {
        ...ref,
        pools: ref.pools.map((p) => (p.role === "gpu" ? { ...p, taints: [custom] } : p)),
      };
      const v = values("gpu-operator", spec);
      assert.deepEqual(v["daemonsets"]["tolerations"], [
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        { ...custom, operator: "Equal" },
      ]);
      assert.deepEqual((v["node-feature-discovery"]["worker"]["tolerations"] as Json[]).at(-1), {
        ...custom,
        operator: "Equal",
      });
    });
  });

  describe("jupyterhub", () => {
    it("offers a default CPU profile and a GPU profile with one GPU, the toleration and the GPU node selector", () => {
      const profiles = values("jupyterhub", gpuNotebookSpec())["singleuser"]["profileList"] as Json[];
      assert.deepEqual(
        profiles.map((p) => p["slug"]),
        ["cpu", "gpu"],
      );
      const [cpu, gpu] = profiles as [Json, Json];
      assert.equal(cpu["default"], true);
      assert.equal(gpu["default"], undefined);
      const o = gpu["kubespawner_override"] as Json;
      assert.deepEqual(o["extra_resource_limits"], { "nvidia.com/gpu": "1" });
      assert.deepEqual(o["tolerations"], [GPU_TOLERATION]);
      assert.deepEqual(o["node_selector"], { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value });
      // gpu-operator 25.10 injects GPUs through CDI: no runtime class (rke2-docs gpu_operators.md).
      assert.equal(o["extra_pod_config"], undefined);
      assert.equal(o["image"], `${NOTEBOOK_IMAGES.gpu.name}:${NOTEBOOK_IMAGES.gpu.tag}`);
      assert.match(o["image"] as string, /pytorch-notebook:cuda\d+-\d{4}-\d{2}-\d{2}$/);
    });

    it("offers only the CPU profile where there are no GPU nodes", () => {
      const profiles = values("jupyterhub", cpuNotebookSpec())["singleuser"]["profileList"] as Json[];
      assert.deepEqual(
        profiles.map((p) => p["slug"]),
        ["cpu"],
      );
    });

    it("pins the notebook images by tag, never latest", () => {
      for (const image of Object.values(NOTEBOOK_IMAGES)) assert.match(image.tag, /^[\w.-]+$/);
      for (const image of Object.values(NOTEBOOK_IMAGES)) assert.notEqual(image.tag, "latest");
      assert.deepEqual(values("jupyterhub", cpuNotebookSpec())["singleuser"]["image"], NOTEBOOK_IMAGES.cpu);
    });

    const DUMMY =
      /^(dummy|null|jupyterhub\.auth\.(Dummy|Null)Authenticator|nullauthenticator|shared-password)$/;
    const auths: [JupyterHubAuth["type"], string, string][] = [
      ["github", "github", "GitHubOAuthenticator"],
      ["gitlab", "gitlab", "GitLabOAuthenticator"],
      ["generic-oauth", "generic-oauth", "GenericOAuthenticator"],
      ["azuread", "azuread", "AzureAdOAuthenticator"],
      ["ldap", "ldapauthenticator.LDAPAuthenticator", "LDAPAuthenticator"],
    ];
    for (const [type, cls, section] of auths) {
      it(`configures the ${type} authenticator, never a dummy one, with its allow list`, () => {
        const auth: JupyterHubAuth = AUTH_EXAMPLES[type];
        const hub = values("jupyterhub", withAuth(cpuNotebookSpec(), auth))["hub"] as Json;
        const klass = hub["config"]["JupyterHub"]["authenticator_class"] as string;
        assert.equal(klass, cls);
        assert.doesNotMatch(klass, DUMMY);
        assert.equal(hub["config"]["Authenticator"]["allow_all"], false);
        assert.deepEqual(hub["config"]["Authenticator"]["admin_users"], ["a1"]);
        assert.ok(
          Object.values(hub["config"][section] as Json).some((v) => Array.isArray(v) && v.includes("g1")),
        );
      });
    }

    it("gives generic-oauth its three endpoints, scopes, username claim and the groups it filters on", () => {
      const auth = AUTH_EXAMPLES["generic-oauth"];
      const c = values("jupyterhub", withAuth(cpuNotebookSpec(), auth))["hub"]["config"][
        "GenericOAuthenticator"
      ];
      assert.equal(c["authorize_url"], "https://sso.example.org/auth");
      assert.equal(c["token_url"], "https://sso.example.org/token");
      assert.equal(c["userdata_url"], "https://sso.example.org/userinfo");
      assert.deepEqual(c["scope"], ["openid", "profile", "email", "groups"]);
      assert.equal(c["username_claim"], "preferred_username");
      // allowed_groups is refused at hub start without manage_groups, and empty without the groups key.
      assert.equal(c["manage_groups"], true);
      assert.equal(c["auth_state_groups_key"], "oauth_user.groups");
      assert.deepEqual(c["allowed_groups"], ["g1"]);
    });

    it("gives azuread its tenant and LDAP its server, search account and search base", () => {
      const az = values("jupyterhub", withAuth(cpuNotebookSpec(), AUTH_EXAMPLES.azuread))["hub"]["config"];
      assert.equal(az["AzureAdOAuthenticator"]["tenant_id"], "00000000-1111-2222-3333-444444444444");
      assert.equal(az["AzureAdOAuthenticator"]["manage_groups"], true);
      const ldap = values("jupyterhub", withAuth(cpuNotebookSpec(), AUTH_EXAMPLES.ldap))["hub"];
      const c = ldap["config"]["LDAPAuthenticator"];
      assert.equal(c["server_address"], "ldap.example.org");
      assert.equal(c["tls_strategy"], "before_bind");
      assert.equal(c["lookup_dn"], true);
      assert.equal(c["lookup_dn_search_user"], "cn=jupyterhub,ou=services,dc=example,dc=org");
      assert.equal(c["user_search_base"], "ou=people,dc=example,dc=org");
      assert.equal(c["user_attribute"], "uid");
      assert.doesNotMatch(JSON.stringify(ldap["config"]), /password/i);
      assert.deepEqual(ldap["extraEnv"]["LDAP_BIND_PASSWORD"], {
        valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "bind_password" } },
      });
    });

    it("keeps the hub database and user homes on the cluster's Cinder StorageClass", () => {
      const v = values("jupyterhub", cpuNotebookSpec());
      assert.deepEqual(v["hub"]["db"], {
        type: "sqlite-pvc",
        pvc: { storageClassName: "csi-cinder-sc-delete", storage: "1Gi" },
      });
      assert.equal(v["singleuser"]["storage"]["type"], "dynamic");
      assert.equal(v["singleuser"]["storage"]["dynamic"]["storageClass"], "csi-cinder-sc-delete");
    });

    it("pre-pulls the CUDA image on the GPU nodes only, and not through the chart's pullers on CPU nodes", () => {
      const gpu = gpuNotebookSpec();
      assert.equal(values("jupyterhub", gpu)["prePuller"]["pullProfileListImages"], false);
      const manifests = addonDefinition("jupyterhub").manifests?.(gpu) ?? [];
      assert.equal(manifests.length, 1);
      const ds = manifests[0] as Json;
      assert.equal(ds["kind"], "DaemonSet");
      const pod = ds["spec"]["template"]["spec"] as Json;
      assert.deepEqual(pod["nodeSelector"], { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value });
      assert.deepEqual(pod["tolerations"], [GPU_TOLERATION]);
      assert.equal(
        pod["initContainers"][0]["image"],
        `${NOTEBOOK_IMAGES.gpu.name}:${NOTEBOOK_IMAGES.gpu.tag}`,
      );
      assert.deepEqual(addonDefinition("jupyterhub").manifests?.(cpuNotebookSpec()), []);
    });

    it("reads the OAuth client id and secret from a Kubernetes Secret, not from values", () => {
      const spec = cpuNotebookSpec();
      const hub = values("jupyterhub", spec)["hub"] as Json;
      assert.deepEqual(hub["extraEnv"]["OAUTH_CLIENT_SECRET"], {
        valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "client_secret" } },
      });
      assert.doesNotMatch(JSON.stringify(hub["config"]), /client_secret/);
      const [secret] = addonDefinition("jupyterhub").secrets(spec);
      assert.equal(secret?.vaultPath, "platform/jupyterhub/eo-notebooks");
      assert.deepEqual(secret?.keys, { client_id: "client_id", client_secret: "client_secret" });
    });

    it("serves HTTPS through the ingress with a certificate from the cert-manager issuer", () => {
      const v = values("jupyterhub", cpuNotebookSpec());
      const host = "jupyter.apps.eo-notebooks.ai.example.org";
      assert.equal(v["ingress"]["enabled"], true);
      assert.deepEqual(v["ingress"]["hosts"], [host]);
      assert.equal(v["ingress"]["annotations"]["cert-manager.io/cluster-issuer"], CLUSTER_ISSUER);
      assert.deepEqual(v["ingress"]["tls"][0]["hosts"], [host]);
      assert.equal(
        v["hub"]["config"]["GitHubOAuthenticator"]["oauth_callback_url"],
        `https://${host}/hub/oauth_callback`,
      );
    });

    it("keeps user pods away from the cloud metadata server", () => {
      const singleuser = values("jupyterhub", cpuNotebookSpec())["singleuser"] as Json;
      assert.equal(singleuser["networkPolicy"]["enabled"], true);
      assert.equal(singleuser["networkPolicy"]["egressAllowRules"]["cloudMetadataServer"], false);
    });

    it("rejects a cluster that selects jupyterhub without an authenticator, naming the field", () => {
      const spec = withAuth(cpuNotebookSpec(), undefined);
      for (const call of [
        () => values("jupyterhub", spec),
        () => addonDefinition("jupyterhub").secrets(spec),
      ]) {
        assert.throws(call, (e) => {
          assert.ok(e instanceof AddonConfigurationError);
          assert.match(
            (e as Error).message,
            /cluster "eo-notebooks": add-on jupyterhub: addons\.jupyterhubAuth:/,
          );
          return true;
        });
      }
    });
  });

  describe("rancher", () => {
    it("lets agents verify the server with the system trust store (public certificate), not strict CA pinning", () => {
      const spec = { ...referenceSpec(), rancher: { enabled: true, url: "https://rancher.example.org" } };
      assert.equal(values("rancher", spec)["agentTLSMode"], "system-store");
    });
  });

  describe("external-dns", () => {
    it("is confined to the cluster's own domain in its zone, owned by the cluster, upsert-only", () => {
      const v = values("external-dns", referenceSpec());
      // The cluster's domain, found in its parent zone (--aws-zone-match-parent): exactly the names its
      // Route53 credentials may change.
      assert.deepEqual(v["domainFilters"], ["ecmwf-ai-platform.ai.example.org"]);
      assert.ok((v["extraArgs"] as string[]).includes("--aws-zone-match-parent"));
      assert.equal(v["txtOwnerId"], "ecmwf-ai-platform");
      assert.equal(v["policy"], "upsert-only");
      assert.equal(v["provider"]["name"], "aws");
    });

    it("takes its own short-lived AWS credentials from the Secret VSO writes from Vault's AWS engine", () => {
      const spec = referenceSpec();
      const env = values("external-dns", spec)["env"] as Json[];
      const secretKeys = env.filter((e) => e["valueFrom"]).map((e) => e["valueFrom"]["secretKeyRef"]);
      assert.deepEqual(secretKeys, [
        { name: EXTERNAL_DNS_AWS_SECRET, key: "access_key" },
        { name: EXTERNAL_DNS_AWS_SECRET, key: "secret_key" },
      ]);
      // No static key: nothing is copied from the shared KV entry any more.
      assert.deepEqual(addonDefinition("external-dns").secrets(spec), []);
      const objects = addonDefinition("external-dns").prerequisites!(spec) as Json[];
      const vds = objects.find((o) => o["kind"] === "VaultDynamicSecret")!;
      assert.deepEqual(vds["spec"], {
        vaultAuthRef: "external-dns",
        mount: "aws",
        path: "creds/ecmwf-ai-platform-external-dns",
        destination: { name: EXTERNAL_DNS_AWS_SECRET, create: true },
        rolloutRestartTargets: [{ kind: "Deployment", name: "external-dns" }],
      });
      const auth = objects.find((o) => o["kind"] === "VaultAuth")!;
      assert.deepEqual(auth["metadata"], { name: "external-dns", namespace: "external-dns" });
      assert.deepEqual(auth["spec"]["kubernetes"], {
        role: "external-dns",
        serviceAccount: "vault-auth",
      });
      assert.equal(auth["spec"]["mount"], "kubernetes-ecmwf-ai-platform");
    });

    it("logs in as a dedicated service account allowed to review its own token, never as default", () => {
      const objects = addonDefinition("external-dns").prerequisites!(referenceSpec()) as Json[];
      const sa = objects.find((o) => o["kind"] === "ServiceAccount")!;
      assert.deepEqual(sa["metadata"], { name: "vault-auth", namespace: "external-dns" });
      const binding = objects.find((o) => o["kind"] === "ClusterRoleBinding")!;
      assert.equal(binding["roleRef"]["name"], "system:auth-delegator");
      assert.deepEqual(binding["subjects"], [
        { kind: "ServiceAccount", name: "vault-auth", namespace: "external-dns" },
      ]);
    });

    it("may read exactly its own credentials path in Vault", () => {
      assert.equal(
        addonDefinition("external-dns").vaultPolicy!(referenceSpec()),
        'path "aws/creds/ecmwf-ai-platform-external-dns" {\n  capabilities = ["read"]\n}\n',
      );
    });
  });

  describe("vault-secrets-operator", () => {
    it("connects to the environment's Vault over verified TLS with Kubernetes auth", () => {
      const v = values("vault-secrets-operator", referenceSpec());
      assert.equal(v["defaultVaultConnection"]["address"], "https://vault.example.org:8200");
      assert.equal(v["defaultVaultConnection"]["skipTLSVerify"], false);
      assert.equal(v["defaultAuthMethod"]["method"], "kubernetes");
      assert.equal(v["defaultAuthMethod"]["mount"], "kubernetes-ecmwf-ai-platform");
    });

    it("restricts the default VaultAuth to the operator's namespace and a dedicated service account", () => {
      const auth = values("vault-secrets-operator", referenceSpec())["defaultAuthMethod"];
      assert.deepEqual(auth["allowedNamespaces"], ["vault-secrets-operator"]);
      assert.equal(auth["kubernetes"]["serviceAccount"], "vault-auth");
      assert.notEqual(auth["kubernetes"]["serviceAccount"], "default");
      assert.equal(auth["kubernetes"]["role"], "vault-secrets-operator");
      // The chart's default (values.yaml v1.3.0 line 713: []): the API server's own audiences, the only
      // ones its TokenReview accepts (test/kube/vault-token-review.spec.ts).
      assert.equal(auth["kubernetes"]["tokenAudiences"], undefined);
    });
  });

  describe("cert-manager and rancher", () => {
    it("installs cert-manager's CRDs and an ACME issuer with the environment's e-mail", () => {
      assert.equal(values("cert-manager", referenceSpec())["crds"]["enabled"], true);
      const issuer = clusterIssuer(referenceSpec());
      assert.equal(issuer.kind, "ClusterIssuer");
      assert.equal(issuer.metadata.name, CLUSTER_ISSUER);
      assert.equal((issuer.spec["acme"] as Json)["email"], "platform@example.org");
    });

    it("serves Rancher at the host of rancher.url with a Let's Encrypt certificate", () => {
      const v = values("rancher", referenceSpec());
      assert.equal(v["hostname"], "rancher.example.org");
      assert.equal(v["ingress"]["tls"]["source"], "letsEncrypt");
      assert.equal(v["bootstrapPassword"], undefined);
    });

    it("rejects a Rancher URL that is not https", () => {
      const spec = { ...referenceSpec(), rancher: { enabled: true, url: "http://rancher.example.org" } };
      assert.throws(() => values("rancher", spec), /rancher\.url: must be https/);
    });
  });

  describe("overrides", () => {
    it("merges the spec's add-on values over the derived ones, objects by key, arrays replaced", () => {
      const ref = referenceSpec();
      const spec = {
        ...ref,
        addons: {
          ...ref.addons,
          values: { "external-dns": { policy: "sync", domainFilters: ["x.org"], provider: { x: 1 } } },
        },
      };
      const v = values("external-dns", spec);
      assert.equal(v["policy"], "sync");
      assert.deepEqual(v["domainFilters"], ["x.org"]);
      assert.deepEqual(v["provider"], { name: "aws", x: 1 });
      assert.equal(v["txtOwnerId"], "ecmwf-ai-platform");
    });

    it("leaves both inputs of a merge untouched", () => {
      const base = { a: { b: 1 } };
      const over = { a: { c: 2 } };
      assert.deepEqual(mergeValues(base, over), { a: { b: 1, c: 2 } });
      assert.deepEqual(base, { a: { b: 1 } });
      assert.deepEqual(over, { a: { c: 2 } });
    });
  });
});
