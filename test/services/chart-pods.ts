/**
 * The pod templates each pinned chart makes from the values xcluster installs it with, as far as Pod
 * Security is concerned: which pods exist, and which values become their pod and container
 * securityContexts, host namespaces and volumes. Rendering the charts is impossible here (no helm, no
 * chart archives offline), so these are facts read from each chart's templates at the pinned version,
 * cited file and line next to each, with the chart's default values (cited) coalesced under ours the way
 * Helm does. A fact stated wrongly here shows up as a disagreement with the chart source, not as a
 * silently passing test: every security field comes from a values path, never from a constant.
 */
import type { ClusterSpec } from "../../spec/types";
import type { AddonName } from "../../spec/addons";
import { addonDefinition } from "../../components/addons/catalogue";
import { addonValues } from "../../components/addons/values";

type Json = Record<string, unknown>;

/** One pod template as the Pod Security Admission library sees it. */
export interface PodTemplate {
  /** `<Kind>/<name>`, e.g. `Deployment/cert-manager-webhook`. */
  readonly name: string;
  readonly spec: Json;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Helm's coalescing of user values over chart defaults: maps merge key by key, anything else replaces,
 * and a `null` deletes the default (helm/helm pkg/chartutil/coalesce.go).
 */
export function helmCoalesce(defaults: Json, user: Json): Json {
  const out: Json = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = helmCoalesce(out[k] as Json, v);
    else out[k] = v;
  }
  return out;
}

function at(values: Json, ...path: string[]): unknown {
  let v: unknown = values;
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  return v;
}

/** `{{- with X }} securityContext: X {{- end }}`: absent when the value is empty. */
function securityContext(v: unknown): Json {
  return isObject(v) && Object.keys(v).length > 0 ? { securityContext: v } : {};
}

function container(name: string, ctx: unknown, extra: Json = {}): Json {
  return { name, image: `example.invalid/${name}`, ...securityContext(ctx), ...extra };
}

const RESTRICTED_CONTAINER_DEFAULTS = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

// ---------------------------------------------------------------------------------------------------
// cert-manager v1.20.3 (cert-manager/cert-manager deploy/charts/cert-manager)
// ---------------------------------------------------------------------------------------------------

const CERT_MANAGER_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const CERT_MANAGER_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
};
/** values.yaml v1.20.3 lines 411-424 (controller), 816-829 (webhook), 1217-1230 (cainjector), 1511-1524 (startupapicheck). */
const CERT_MANAGER_DEFAULTS: Json = {
  securityContext: CERT_MANAGER_POD,
  containerSecurityContext: CERT_MANAGER_CONTAINER,
  webhook: {
    securityContext: CERT_MANAGER_POD,
    containerSecurityContext: CERT_MANAGER_CONTAINER,
    hostNetwork: false,
  },
  cainjector: {
    enabled: true,
    securityContext: CERT_MANAGER_POD,
    containerSecurityContext: CERT_MANAGER_CONTAINER,
  },
  startupapicheck: {
    enabled: true,
    securityContext: CERT_MANAGER_POD,
    containerSecurityContext: CERT_MANAGER_CONTAINER,
  },
};

function certManagerPods(v: Json): PodTemplate[] {
  const pods: PodTemplate[] = [
    // templates/deployment.yaml lines 72-73 (pod), 157-158 (container).
    {
      name: "Deployment/cert-manager",
      spec: {
        ...securityContext(at(v, "securityContext")),
        containers: [container("cert-manager-controller", at(v, "containerSecurityContext"))],
      },
    },
    // templates/webhook-deployment.yaml lines 72-77 (pod, hostNetwork), 169-170 (container).
    {
      name: "Deployment/cert-manager-webhook",
      spec: {
        ...securityContext(at(v, "webhook", "securityContext")),
        ...(at(v, "webhook", "hostNetwork") === true ? { hostNetwork: true } : {}),
        containers: [container("cert-manager-webhook", at(v, "webhook", "containerSecurityContext"))],
      },
    },
  ];
  // templates/cainjector-deployment.yaml line 1 (enabled), 73-74, 124-125.
  if (at(v, "cainjector", "enabled") === true) {
    pods.push({
      name: "Deployment/cert-manager-cainjector",
      spec: {
        ...securityContext(at(v, "cainjector", "securityContext")),
        containers: [container("cert-manager-cainjector", at(v, "cainjector", "containerSecurityContext"))],
      },
    });
  }
  // templates/startupapicheck-job.yaml line 1 (enabled), 47-48, 66-67.
  if (at(v, "startupapicheck", "enabled") === true) {
    pods.push({
      name: "Job/cert-manager-startupapicheck",
      spec: {
        ...securityContext(at(v, "startupapicheck", "securityContext")),
        containers: [
          container("cert-manager-startupapicheck", at(v, "startupapicheck", "containerSecurityContext")),
        ],
      },
    });
  }
  return pods;
}

// ---------------------------------------------------------------------------------------------------
// external-dns chart 1.20.0 (kubernetes-sigs/external-dns charts/external-dns, tag external-dns-helm-chart-1.20.0)
// ---------------------------------------------------------------------------------------------------

/** values.yaml lines 86-90 and 109-117. */
const EXTERNAL_DNS_DEFAULTS: Json = {
  podSecurityContext: { runAsNonRoot: true, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
  securityContext: {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    capabilities: { drop: ["ALL"] },
  },
};

function externalDnsPods(v: Json): PodTemplate[] {
  // templates/deployment.yaml lines 52-53 (pod), 78-79 (container).
  return [
    {
      name: "Deployment/external-dns",
      spec: {
        ...securityContext(at(v, "podSecurityContext")),
        containers: [container("external-dns", at(v, "securityContext"))],
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// vault-secrets-operator 1.3.0 (hashicorp/vault-secrets-operator chart/, tag v1.3.0)
// ---------------------------------------------------------------------------------------------------

/** values.yaml lines 585-591; `csi.enabled` false (line 948). */
const VSO_DEFAULTS: Json = {
  controller: {
    podSecurityContext: { runAsNonRoot: true },
    securityContext: { allowPrivilegeEscalation: false },
  },
  csi: { enabled: false },
};

function vsoPods(v: Json): PodTemplate[] {
  const pod = securityContext(at(v, "controller", "podSecurityContext"));
  const ctx = at(v, "controller", "securityContext");
  // The only volume is the downward-API `podinfo` (templates/_helpers.tpl lines 506-516).
  const volumes = [{ name: "podinfo", downwardAPI: { items: [] } }];
  const pods: PodTemplate[] = [
    // templates/deployment.yaml lines 48-66 (kube-rbac-proxy), 67-140 (manager), 146-147 (pod), 170-171.
    {
      name: "Deployment/vault-secrets-operator-controller-manager",
      spec: { ...pod, containers: [container("kube-rbac-proxy", ctx), container("manager", ctx)], volumes },
    },
    // templates/deployment.yaml lines 173-224: the pre-delete hook Job.
    {
      name: "Job/pdcc-vault-secrets-operator",
      spec: { ...pod, containers: [container("pre-delete-controller-cleanup", ctx)] },
    },
    // templates/hook-upgrade-crds.yaml lines 66-112.
    {
      name: "Job/upgrade-crds-vault-secrets-operator",
      spec: { ...pod, containers: [container("pre-upgrade-crds", ctx)] },
    },
  ];
  if (at(v, "csi", "enabled") === true) {
    // templates/csi-driver.yaml: a DaemonSet with host mounts; never enabled by xcluster.
    pods.push({
      name: "DaemonSet/vault-secrets-operator-csi",
      spec: {
        containers: [container("csi", { privileged: true })],
        volumes: [{ name: "mountpoint-dir", hostPath: { path: "/var/lib/kubelet/pods" } }],
      },
    });
  }
  return pods;
}

// ---------------------------------------------------------------------------------------------------
// JupyterHub (z2jh) 4.4.0 (jupyterhub/zero-to-jupyterhub-k8s jupyterhub/, tag 4.4.0)
// ---------------------------------------------------------------------------------------------------

/** values.yaml lines 94-104 (hub), 210-218 (proxy.chp), 405-407 (singleuser), 514-522/598-606 (scheduling), 640-702 (prePuller). */
const JUPYTERHUB_DEFAULTS: Json = {
  hub: {
    podSecurityContext: { runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: {
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
    db: { type: "sqlite-pvc" },
  },
  proxy: { chp: { containerSecurityContext: RESTRICTED_CONTAINER_DEFAULTS }, https: { enabled: false } },
  singleuser: {
    uid: 1000,
    fsGid: 100,
    allowPrivilegeEscalation: false,
    cloudMetadata: { blockWithIptables: true },
    storage: { type: "dynamic" },
  },
  scheduling: {
    userScheduler: { enabled: true, containerSecurityContext: RESTRICTED_CONTAINER_DEFAULTS },
    userPlaceholder: { enabled: true, containerSecurityContext: RESTRICTED_CONTAINER_DEFAULTS },
  },
  prePuller: {
    containerSecurityContext: RESTRICTED_CONTAINER_DEFAULTS,
    hook: { enabled: true, containerSecurityContext: RESTRICTED_CONTAINER_DEFAULTS },
    continuous: { enabled: true },
    pause: { containerSecurityContext: RESTRICTED_CONTAINER_DEFAULTS },
  },
};

/** The user pod KubeSpawner 7.0.0 makes (kubespawner/objects.py lines 397-470; the hub's jupyterhub_config.py lines 145-199, 450-480). */
function userPod(v: Json): Json {
  const uid = at(v, "singleuser", "uid");
  const fsGid = at(v, "singleuser", "fsGid");
  const csc: Json = {};
  if (typeof uid === "number") csc["runAsUser"] = uid;
  const ape = at(v, "singleuser", "allowPrivilegeEscalation");
  if (typeof ape === "boolean") csc["allowPrivilegeEscalation"] = ape;
  const override = at(v, "hub", "config", "KubeSpawner", "container_security_context");
  if (isObject(override)) Object.assign(csc, override);
  const initContainers: Json[] = [];
  if (at(v, "singleuser", "cloudMetadata", "blockWithIptables") === true) {
    initContainers.push(
      container("block-cloud-metadata", {
        privileged: true,
        runAsUser: 0,
        capabilities: { add: ["NET_ADMIN"] },
      }),
    );
  }
  const volumes =
    at(v, "singleuser", "storage", "type") === "dynamic"
      ? [{ name: "volume-user", persistentVolumeClaim: { claimName: "claim-user" } }]
      : [];
  return {
    ...(typeof fsGid === "number" ? { securityContext: { fsGroup: fsGid } } : {}),
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers: [container("notebook", csc)],
    volumes,
  };
}

function jupyterhubPods(v: Json): PodTemplate[] {
  const puller = (name: string): PodTemplate => ({
    // templates/image-puller/_helpers-daemonset.tpl lines 96-236: one init container per image, all with
    // prePuller.containerSecurityContext, then the pause container.
    name,
    spec: {
      initContainers: [container("image-pull-singleuser", at(v, "prePuller", "containerSecurityContext"))],
      containers: [container("pause", at(v, "prePuller", "pause", "containerSecurityContext"))],
    },
  });
  const pods: PodTemplate[] = [
    // templates/hub/deployment.yaml lines 84-85 (pod), 177-178 (container); the sqlite PVC volume.
    {
      name: "Deployment/hub",
      spec: {
        ...securityContext(at(v, "hub", "podSecurityContext")),
        containers: [container("hub", at(v, "hub", "containerSecurityContext"))],
        volumes: [
          { name: "config", configMap: { name: "hub" } },
          { name: "secret", secret: { secretName: "hub" } },
          ...(at(v, "hub", "db", "type") === "sqlite-pvc"
            ? [{ name: "pvc", persistentVolumeClaim: { claimName: "hub-db-dir" } }]
            : []),
        ],
      },
    },
    // templates/proxy/deployment.yaml lines 175-176.
    {
      name: "Deployment/proxy",
      spec: { containers: [container("chp", at(v, "proxy", "chp", "containerSecurityContext"))] },
    },
    { name: "Pod/jupyter-<user>", spec: userPod(v) },
  ];
  if (at(v, "scheduling", "userScheduler", "enabled") === true) {
    // templates/scheduling/user-scheduler/deployment.yaml lines 85-86.
    pods.push({
      name: "Deployment/user-scheduler",
      spec: {
        containers: [
          container("kube-scheduler", at(v, "scheduling", "userScheduler", "containerSecurityContext")),
        ],
      },
    });
  }
  if (at(v, "scheduling", "userPlaceholder", "enabled") === true) {
    // templates/scheduling/user-placeholder/statefulset.yaml lines 76-77.
    pods.push({
      name: "StatefulSet/user-placeholder",
      spec: {
        containers: [container("pause", at(v, "scheduling", "userPlaceholder", "containerSecurityContext"))],
      },
    });
  }
  if (at(v, "prePuller", "continuous", "enabled") === true)
    pods.push(puller("DaemonSet/continuous-image-puller"));
  if (at(v, "prePuller", "hook", "enabled") === true) {
    pods.push(puller("DaemonSet/hook-image-puller"));
    // templates/image-puller/job.yaml lines 68-69.
    pods.push({
      name: "Job/hook-image-awaiter",
      spec: {
        containers: [container("hook-image-awaiter", at(v, "prePuller", "hook", "containerSecurityContext"))],
      },
    });
  }
  if (at(v, "proxy", "https", "enabled") === true) {
    throw new Error("proxy.https (autohttps) is not modelled: xcluster terminates TLS at the ingress");
  }
  return pods;
}

// ---------------------------------------------------------------------------------------------------

const CHARTS: Partial<Record<AddonName, { defaults: Json; pods: (v: Json) => PodTemplate[] }>> = {
  "cert-manager": { defaults: CERT_MANAGER_DEFAULTS, pods: certManagerPods },
  "external-dns": { defaults: EXTERNAL_DNS_DEFAULTS, pods: externalDnsPods },
  "vault-secrets-operator": { defaults: VSO_DEFAULTS, pods: vsoPods },
  jupyterhub: { defaults: JUPYTERHUB_DEFAULTS, pods: jupyterhubPods },
};

/**
 * The pod templates an add-on's chart makes on a cluster, or undefined for the charts whose namespace is
 * `privileged` (gpu-operator, Rancher's cattle-system), where Pod Security admits every pod and there is
 * nothing to check.
 */
export function chartPods(name: AddonName, spec: ClusterSpec): PodTemplate[] | undefined {
  const chart = CHARTS[name];
  if (chart === undefined) return undefined;
  return chart.pods(helmCoalesce(chart.defaults, addonValues(addonDefinition(name), spec)));
}

/** The chart's pods with only the chart defaults (what an install without xcluster's values makes). */
export function chartDefaultPods(name: AddonName): PodTemplate[] | undefined {
  const chart = CHARTS[name];
  return chart?.pods(chart.defaults);
}

/**
 * The pods of Rancher's import manifest on a downstream cluster, in `cattle-system`
 * (rancher/rancher pkg/systemtemplate/template.go v2.13.1): the cattle-cluster-agent Deployment (lines
 * 117-228; not the pre-bootstrap variant, which only Rancher-provisioned clusters get) with no
 * securityContext and one Secret volume. The kube-api-auth DaemonSet (lines 230-294, host network and
 * hostPath) is only added when `AuthImage` is set, for the authorized cluster endpoint, which xcluster
 * does not enable.
 */
export function registrationManifestPods(): PodTemplate[] {
  return [
    {
      name: "Deployment/cattle-cluster-agent",
      spec: {
        serviceAccountName: "cattle",
        containers: [
          container("cluster-register", undefined, {
            volumeMounts: [{ name: "cattle-credentials", mountPath: "/cattle-credentials", readOnly: true }],
          }),
        ],
        volumes: [
          { name: "cattle-credentials", secret: { secretName: "cattle-credentials-x", defaultMode: 320 } },
        ],
      },
    },
  ];
}
