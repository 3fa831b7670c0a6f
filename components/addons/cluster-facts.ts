/**
 * Facts about a cluster that add-on selection and add-on values derive from the spec, so that nobody has
 * to state them twice (and cannot state them wrongly): GPU presence, the tolerations GPU workloads need,
 * the DNS names ingresses live under.
 */
import type { ClusterSpec, Taint } from "../../spec/types";
import { GPU_NODE_LABEL } from "../conventions";

/**
 * Derived cluster label: `"true"` when the spec has a GPU pool with at least one node. Computed, never
 * taken from the user's labels (a value set there is overridden), so a selector on it cannot lie.
 */
export const GPU_CLUSTER_LABEL = "xcluster.dev/gpu";

/**
 * The cluster's default StorageClass: the Cinder CSI chart's Delete class, made default with volume
 * expansion by the OpenStack cloud provider add-on (components/addons/openstack-cloud-provider.ts);
 * stateful add-ons name it explicitly.
 */
export const DEFAULT_STORAGE_CLASS = "csi-cinder-sc-delete";

/**
 * Derived cluster label: `"true"` when the cluster runs the OpenStack cloud provider (RKE2
 * `cloud-provider-name: external`, `spec.rke2.cloudProviderName`). Computed, like the GPU label.
 */
export const OPENSTACK_CLOUD_PROVIDER_LABEL = "xcluster.dev/openstack-cloud-provider";

/** The ingress class RKE2 ships (its bundled ingress-nginx). */
export const INGRESS_CLASS = "nginx";

/** True when a GPU pool with nodes exists. */
export function hasGpuPools(spec: ClusterSpec): boolean {
  return spec.pools.some((p) => p.role === "gpu" && p.count > 0);
}

/** A Kubernetes toleration. */
export interface Toleration {
  readonly key: string;
  readonly operator: "Equal";
  readonly value: string;
  readonly effect: Taint["effect"];
}

/** Tolerations for every taint on the GPU pools (deduplicated, sorted for stable values). */
export function gpuTolerations(spec: ClusterSpec): Toleration[] {
  const seen = new Map<string, Toleration>();
  for (const pool of spec.pools) {
    if (pool.role !== "gpu") continue;
    for (const t of pool.taints) {
      seen.set(`${t.key}=${t.value}:${t.effect}`, {
        key: t.key,
        operator: "Equal",
        value: t.value,
        effect: t.effect,
      });
    }
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t);
}

/** Node selector that lands pods on GPU nodes. */
export function gpuNodeSelector(): Record<string, string> {
  return { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value };
}

/** `<cluster>.<zone>`: the cluster's DNS domain. */
export function clusterDomain(spec: ClusterSpec): string {
  return `${spec.name}.${spec.dns.zone}`;
}

/** `apps.<cluster>.<zone>`: the domain the ingress wildcard record covers. */
export function appsDomain(spec: ClusterSpec): string {
  return `apps.${clusterDomain(spec)}`;
}
