/**
 * Conventions shared by the components that create resources and the policies that check them.
 * Policies read only resource types and properties, so whatever they rely on (tags, metadata keys,
 * file paths inside user data) is named here once.
 */

/** Node and resource roles, as written into the `role` tag/metadata key. */
export type Role = "server" | "agent" | "gpu" | "ingress" | "network" | "loadbalancer" | "vip";

/** Metadata/tag keys every compute and network resource carries. */
export const TAG_KEYS = { cluster: "cluster", role: "role", environment: "environment", vip: "vip" } as const;

/**
 * Which node role holds a keepalived VIP of each purpose (tagged `vip=<purpose>` on the VIP's port): the
 * servers hold the API VIP, the ingress nodes the ingress VIP. Policies check each holder carries only its own.
 */
export const VIP_HOLDER_ROLE = { api: "server", ingress: "ingress" } as const satisfies Record<string, Role>;

/** Identity of a cluster as stamped onto its resources. */
export interface ResourceIdentity {
  readonly cluster: string;
  readonly environment: string;
}

/** OpenStack `tags` (a list of strings): `cluster=<name>`, `role=<role>`, `environment=<env>`. */
export function resourceTags(id: ResourceIdentity, role: Role): string[] {
  return [
    `${TAG_KEYS.cluster}=${id.cluster}`,
    `${TAG_KEYS.environment}=${id.environment}`,
    `${TAG_KEYS.role}=${role}`,
  ];
}

/** Nova instance `metadata` (a map) with the same three keys. */
export function instanceMetadata(id: ResourceIdentity, role: Role): Record<string, string> {
  return { [TAG_KEYS.cluster]: id.cluster, [TAG_KEYS.environment]: id.environment, [TAG_KEYS.role]: role };
}

/** Where cloud-init writes RKE2's configuration; policies parse this file out of the user data. */
export const RKE2_CONFIG_PATH = "/etc/rancher/rke2/config.yaml";
/** Where cloud-init writes keepalived's configuration on ingress nodes. */
export const KEEPALIVED_CONFIG_PATH = "/etc/keepalived/keepalived.conf";

/** The taint that keeps ordinary workloads off GPU nodes unless the spec says otherwise. */
export const DEFAULT_GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;
/** The taint and label that reserve ingress nodes for the ingress controller. */
export const INGRESS_TAINT = {
  key: "node-role.xcluster.dev/ingress",
  value: "true",
  effect: "NoSchedule",
} as const;
export const INGRESS_LABEL = { key: "node-role.xcluster.dev/ingress", value: "true" } as const;
/** Label on GPU nodes that the GPU operator and GPU notebook profiles select on. */
export const GPU_NODE_LABEL = { key: "nvidia.com/gpu.present", value: "true" } as const;

/** Fixed ports of RKE2 and the ingress controller. */
export const PORTS = {
  kubeApi: 6443,
  rke2Supervisor: 9345,
  etcdClient: 2379,
  etcdPeer: 2380,
  etcdMetrics: 2381,
  kubelet: 10250,
  http: 80,
  https: 443,
  /** ingress-nginx admission webhook (chart value controller.admissionWebhooks.port, helm-chart-4.12.4). */
  ingressWebhook: 8443,
  /** ingress-nginx healthz and metrics (flag --healthz-port, controller-v1.12.4 pkg/flags/flags.go). */
  ingressHealth: 10254,
  ssh: 22,
  nodePortMin: 30000,
  nodePortMax: 32767,
} as const;

/** Component type tokens are `xcluster:<module>:<Kind>`. */
export function typeToken(module: string, kind: string): string {
  return `xcluster:${module}:${kind}`;
}
