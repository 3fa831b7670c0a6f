/**
 * JupyterHub (Zero to JupyterHub chart) with a default CPU profile and, on clusters with GPU pools, a GPU
 * profile (CUDA PyTorch image, one `nvidia.com/gpu`, the GPU taints tolerated, scheduled on GPU nodes).
 * Users log in through the authenticator named in `addons.jupyterhubAuth`; the chart's default (dummy,
 * any password) is never left in place. The OAuth client secret lives in a Kubernetes Secret filled from
 * Vault and reaches the hub as environment variables, never as a Helm value. HTTPS through the ingress
 * with a cert-manager certificate.
 */
import type { ClusterSpec, JupyterHubAuth } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import { AddonConfigurationError, type AddonDefinition, type AddonSecret } from "./addon";
import { CLUSTER_ISSUER } from "./cert-manager";
import { RKE2_CONTAINERD } from "./gpu-operator";
import { appsDomain, gpuNodeSelector, gpuTolerations, hasGpuPools, INGRESS_CLASS } from "./cluster-facts";

/** Notebook images, pinned by dated tag (Jupyter Docker Stacks; CPU and GPU from the same build date). */
export const NOTEBOOK_IMAGES = {
  cpu: { name: "quay.io/jupyter/scipy-notebook", tag: "2026-08-03" },
  gpu: { name: "quay.io/jupyter/pytorch-notebook", tag: "cuda12-2026-08-03" },
} as const;

/**
 * The container securityContext of every user pod. z2jh 4.4.0 gives user containers only `uid: 1000`,
 * `fsGid: 100` and `allowPrivilegeEscalation: false` (jupyterhub/values.yaml lines 405-407): no
 * runAsNonRoot, no seccomp profile, capabilities kept, so `restricted` rejects them. KubeSpawner 7.0.0
 * (the hub image's, images/hub/requirements.txt) applies `container_security_context` over those with the
 * highest priority (jupyterhub/kubespawner kubespawner/spawner.py 7.0.0, lines 995-1013). uid 1000 / gid
 * 100 are the Jupyter Docker Stacks' `jovyan` user and `users` group.
 */
export const SINGLEUSER_SECURITY_CONTEXT = {
  runAsUser: 1000,
  runAsGroup: 100,
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** Kubernetes Secret with the authenticator's credentials. */
export const JUPYTERHUB_AUTH_SECRET = "jupyterhub-auth";
export const JUPYTERHUB_TLS_SECRET = "jupyterhub-tls";

interface AuthenticatorShape {
  /** `hub.config.JupyterHub.authenticator_class`. */
  readonly authenticatorClass: string;
  /** The traitlets section configuring it. */
  readonly section: string;
  /** The trait that restricts who may log in. */
  readonly allowTrait: string;
  readonly oauth: boolean;
  readonly extra: Readonly<Record<string, unknown>>;
}

const AUTHENTICATORS: Readonly<Record<JupyterHubAuth["type"], AuthenticatorShape>> = {
  github: {
    authenticatorClass: "github",
    section: "GitHubOAuthenticator",
    allowTrait: "allowed_organizations",
    oauth: true,
    extra: { scope: ["read:org"] },
  },
  gitlab: {
    authenticatorClass: "gitlab",
    section: "GitLabOAuthenticator",
    allowTrait: "allowed_gitlab_groups",
    oauth: true,
    extra: {},
  },
  "generic-oauth": {
    authenticatorClass: "generic-oauth",
    section: "GenericOAuthenticator",
    allowTrait: "allowed_groups",
    oauth: true,
    extra: { manage_groups: true },
  },
  azuread: {
    authenticatorClass: "azuread",
    section: "AzureAdOAuthenticator",
    allowTrait: "allowed_groups",
    oauth: true,
    extra: { manage_groups: true },
  },
  ldap: {
    authenticatorClass: "ldapauthenticator.LDAPAuthenticator",
    section: "LDAPAuthenticator",
    allowTrait: "allowed_groups",
    oauth: false,
    extra: {},
  },
};

/** The hostname JupyterHub is served at. */
export function jupyterhubHost(spec: ClusterSpec): string {
  return `jupyter.${appsDomain(spec)}`;
}

function requireAuth(spec: ClusterSpec): JupyterHubAuth {
  const auth = spec.addons.jupyterhubAuth;
  if (auth === undefined) {
    throw new AddonConfigurationError(
      spec.name,
      "jupyterhub",
      "addons.jupyterhubAuth",
      `the cluster selects jupyterhub but configures no authenticator (got nothing; allowed: ${Object.keys(AUTHENTICATORS).join(", ")})`,
    );
  }
  return auth;
}

function secretRef(key: string): Record<string, unknown> {
  return { valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key } } };
}

function profiles(spec: ClusterSpec): Record<string, unknown>[] {
  const cpu = {
    display_name: "CPU",
    slug: "cpu",
    description: "Python data-science stack on CPU.",
    default: true,
    kubespawner_override: { cpu_guarantee: 0.5, cpu_limit: 2, mem_guarantee: "1G", mem_limit: "8G" },
  };
  if (!hasGpuPools(spec)) return [cpu];
  const gpu = {
    display_name: "GPU",
    slug: "gpu",
    description: "PyTorch with CUDA on one NVIDIA GPU.",
    kubespawner_override: {
      image: `${NOTEBOOK_IMAGES.gpu.name}:${NOTEBOOK_IMAGES.gpu.tag}`,
      cpu_guarantee: 2,
      cpu_limit: 8,
      mem_guarantee: "8G",
      mem_limit: "32G",
      extra_resource_guarantees: { "nvidia.com/gpu": "1" },
      extra_resource_limits: { "nvidia.com/gpu": "1" },
      tolerations: gpuTolerations(spec),
      node_selector: gpuNodeSelector(),
      extra_pod_config: { runtimeClassName: RKE2_CONTAINERD.runtimeClass },
    },
  };
  return [cpu, gpu];
}

export const jupyterhub: AddonDefinition = {
  name: "jupyterhub",
  chart: "jupyterhub",
  // 4.3.3: security release with JupyterHub 5.4.4 (z2jh announcement, March 2026).
  version: "4.3.3",
  repository: "https://hub.jupyter.org/helm-chart/",
  namespace: "jupyterhub",
  podSecurity: {
    level: "restricted",
    reason:
      "the chart's own pods meet restricted by default; the user pods KubeSpawner makes do once " +
      "SINGLEUSER_SECURITY_CONTEXT completes them",
  },
  selector: { matchLabels: { [addonLabel("jupyterhub")]: ADDON_ENABLED } },
  dependsOn: ["cert-manager"],
  values: (spec: ClusterSpec) => {
    const auth = requireAuth(spec);
    const shape = AUTHENTICATORS[auth.type];
    const host = jupyterhubHost(spec);
    const section: Record<string, unknown> = { ...shape.extra, [shape.allowTrait]: [...auth.allowedGroups] };
    if (shape.oauth) section["oauth_callback_url"] = `https://${host}/hub/oauth_callback`;
    const extraEnv: Record<string, unknown> = shape.oauth
      ? { OAUTH_CLIENT_ID: secretRef("client_id"), OAUTH_CLIENT_SECRET: secretRef("client_secret") }
      : { LDAP_BIND_PASSWORD: secretRef("bind_password") };
    const hub: Record<string, unknown> = {
      config: {
        JupyterHub: { authenticator_class: shape.authenticatorClass },
        KubeSpawner: { container_security_context: structuredClone(SINGLEUSER_SECURITY_CONTEXT) },
        Authenticator: { admin_users: [...auth.adminUsers], allow_all: false },
        [shape.section]: section,
      },
      extraEnv,
    };
    if (!shape.oauth) {
      // LDAPAuthenticator has no environment default for the bind password; read it from the Secret.
      hub["extraConfig"] = {
        "00-ldap-bind-password":
          "import os\nc.LDAPAuthenticator.lookup_dn_search_password = os.environ['LDAP_BIND_PASSWORD']\n",
      };
    }
    return {
      hub,
      proxy: { service: { type: "ClusterIP" }, https: { enabled: false } },
      ingress: {
        enabled: true,
        ingressClassName: INGRESS_CLASS,
        hosts: [host],
        annotations: { "cert-manager.io/cluster-issuer": CLUSTER_ISSUER },
        tls: [{ hosts: [host], secretName: JUPYTERHUB_TLS_SECRET }],
      },
      singleuser: {
        image: { ...NOTEBOOK_IMAGES.cpu },
        // The iptables block needs a privileged init container (NET_ADMIN), which `restricted` forbids;
        // the chart's NetworkPolicy (enforced by every RKE2 CNI) denies the metadata server instead.
        cloudMetadata: { blockWithIptables: false },
        networkPolicy: { enabled: true, egressAllowRules: { cloudMetadataServer: false } },
        profileList: profiles(spec),
      },
    };
  },
  secrets: (spec: ClusterSpec): AddonSecret[] => {
    const auth = requireAuth(spec);
    const keys: Record<string, string> = AUTHENTICATORS[auth.type].oauth
      ? { client_id: "client_id", client_secret: "client_secret" }
      : { bind_password: "bind_password" };
    return [
      {
        name: JUPYTERHUB_AUTH_SECRET,
        vaultPath: auth.credentialPath,
        keys,
        sourceField: "addons.jupyterhubAuth.credentialPath",
      },
    ];
  },
};
