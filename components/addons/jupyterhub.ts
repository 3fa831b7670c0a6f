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
import { authenticatorConfig, JUPYTERHUB_AUTH_SECRET } from "./jupyterhub-auth";
import { DEFAULT_STORAGE_CLASS } from "./cluster-facts";
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

export { JUPYTERHUB_AUTH_SECRET };
export const JUPYTERHUB_TLS_SECRET = "jupyterhub-tls";

/** The authenticators the spec can name (spec/types.ts `JupyterHubAuth`). */
const AUTHENTICATOR_TYPES: readonly JupyterHubAuth["type"][] = [
  "github",
  "gitlab",
  "generic-oauth",
  "azuread",
  "ldap",
];

/** Hub database size: a SQLite file of users, servers and tokens. */
const HUB_DB_CAPACITY = "1Gi";
/** Default size of each user's home volume (`addons.values.jupyterhub.singleuser.storage.capacity` overrides it). */
const USER_STORAGE_CAPACITY = "10Gi";

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
      `the cluster selects jupyterhub but configures no authenticator (got nothing; allowed: ${AUTHENTICATOR_TYPES.join(", ")})`,
    );
  }
  return auth;
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
      // No runtimeClassName: gpu-operator 25.10 injects GPUs through CDI and workloads no longer ask for
      // the nvidia runtime class (rancher/rke2-docs docs/add-ons/gpu_operators.md, v25.10.x tab).
    },
  };
  return [cpu, gpu];
}

export const jupyterhub: AddonDefinition = {
  name: "jupyterhub",
  chart: "jupyterhub",
  // 4.4.0 (2026-06-10): the newest release, a security release (GHSA-p43p-whwx-q52h, JupyterHub 5.5.0)
  // after 4.3.4 (CVE-2026-40864) (jupyterhub/zero-to-jupyterhub-k8s docs/source/changelog.md, tag 4.4.0).
  version: "4.4.0",
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
    const host = jupyterhubHost(spec);
    const a = authenticatorConfig(auth, host);
    const hub: Record<string, unknown> = {
      config: {
        JupyterHub: { authenticator_class: a.authenticatorClass },
        KubeSpawner: { container_security_context: structuredClone(SINGLEUSER_SECURITY_CONTEXT) },
        Authenticator: { admin_users: [...auth.adminUsers], allow_all: false },
        [a.section]: a.config,
      },
      extraEnv: a.extraEnv,
      // The chart's default sqlite-pvc, on the cluster's Cinder StorageClass rather than whatever is default
      // (jupyterhub/values.yaml 4.4.0, lines 65-75).
      db: { type: "sqlite-pvc", pvc: { storageClassName: DEFAULT_STORAGE_CLASS, storage: HUB_DB_CAPACITY } },
    };
    if (Object.keys(a.extraConfig).length > 0) hub["extraConfig"] = a.extraConfig;
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
      // The image pullers (continuous and hook) pull every profileList image to every node they run on,
      // and run where user pods may: not on the tainted GPU nodes (image-puller/_helpers-daemonset.tpl
      // lines 68-75, 154-175). Profile images are left out so the CUDA image is not pulled to CPU nodes;
      // `manifests` adds a puller for it on the GPU nodes only.
      prePuller: { pullProfileListImages: false },
      singleuser: {
        image: { ...NOTEBOOK_IMAGES.cpu },
        // One ReadWriteOnce Cinder volume per user (jupyterhub/values.yaml 4.4.0, lines 409-424).
        storage: {
          type: "dynamic",
          capacity: USER_STORAGE_CAPACITY,
          dynamic: { storageClass: DEFAULT_STORAGE_CLASS, storageAccessModes: ["ReadWriteOnce"] },
        },
        // The iptables block needs a privileged init container (NET_ADMIN), which `restricted` forbids;
        // the chart's NetworkPolicy (enforced by every RKE2 CNI) denies the metadata server instead.
        cloudMetadata: { blockWithIptables: false },
        networkPolicy: { enabled: true, egressAllowRules: { cloudMetadataServer: false } },
        profileList: profiles(spec),
      },
    };
  },
  manifests: (spec: ClusterSpec) => (hasGpuPools(spec) ? [gpuImagePuller(spec)] : []),
  secrets: (spec: ClusterSpec): AddonSecret[] => {
    const auth = requireAuth(spec);
    return [
      {
        name: JUPYTERHUB_AUTH_SECRET,
        vaultPath: auth.credentialPath,
        keys: authenticatorConfig(auth, jupyterhubHost(spec)).secretKeys,
        sourceField: "addons.jupyterhubAuth.credentialPath",
      },
    ];
  },
};

/** z2jh's pullers' container securityContext (jupyterhub/values.yaml 4.4.0, lines 640-648). */
const PULLER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** The pause image z2jh's pullers keep running (jupyterhub/values.yaml 4.4.0, lines 693-711). */
const PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1";

/**
 * A DaemonSet on the GPU nodes only that pulls the GPU profile's CUDA image before a user waits for it,
 * the way z2jh's continuous puller does for the other images (an init container that only echoes, then
 * pause; image-puller/_helpers-daemonset.tpl lines 154-175, 226-236).
 */
function gpuImagePuller(spec: ClusterSpec): Record<string, unknown> {
  const labels = { "app.kubernetes.io/name": "gpu-image-puller", "app.kubernetes.io/part-of": "jupyterhub" };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "gpu-image-puller", namespace: "jupyterhub", labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: gpuNodeSelector(),
          tolerations: gpuTolerations(spec),
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 0,
          initContainers: [
            {
              name: "image-pull-gpu-profile",
              image: `${NOTEBOOK_IMAGES.gpu.name}:${NOTEBOOK_IMAGES.gpu.tag}`,
              command: ["/bin/sh", "-c", "echo Pulling complete"],
              securityContext: PULLER_SECURITY_CONTEXT,
            },
          ],
          containers: [{ name: "pause", image: PAUSE_IMAGE, securityContext: PULLER_SECURITY_CONTEXT }],
        },
      },
    },
  };
}
