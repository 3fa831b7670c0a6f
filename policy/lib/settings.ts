/**
 * The per-cluster facts rules read from the policy-pack config. Resource types do not carry them (a
 * security-group rule does not know which subnet is "the cluster"), so the fleet driver writes them into
 * the config file (`policy/config.ts`) and every rule declares the keys it reads in its `configSchema`.
 * Defaults live in the schema, so the engine fills them in, and `settings()` applies the same defaults
 * when a test or a bare `pulumi preview --policy-pack policy` passes no config at all.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** A named, dated exception from the environment (`policy.exceptions`, spec/policy-section.ts). */
export interface PolicyExceptionSetting {
  rule: string;
  reason: string;
  /** YYYY-MM-DD, the last day it holds. */
  expires: string;
}

export interface Settings {
  production: boolean;
  clusterName: string;
  environment: string;
  adminCidrs: string[];
  adminAddressCeiling: number;
  clusterCidrs: string[];
  vipAddresses: string[];
  publicIngressPorts: number[];
  approvedImageIds: string[];
  approvedChartRepositories: string[];
  approvedFlavors: string[];
  approvedRegistries: string[];
  minGpuOperatorVersion: string;
  minContainerToolkitVersion: string;
  vaultMounts: string[];
  vaultClusterPath: string;
  requiredTlsSans: string[];
  gpuFlavorPatterns: string[];
  gpuTaintKey: string;
  privilegedNamespaces: string[];
  privateZoneIds: string[];
  minEtcdSnapshotRetention: number;
  allowedPrivateKeyPaths: string[];
  allowSoftAntiAffinity: boolean;
  policyExceptions: PolicyExceptionSetting[];
  today: string;
}

const strings = (description: string, dflt: string[] = []): PolicyConfigJSONSchema => ({
  type: "array",
  items: { type: "string" },
  default: dflt,
  description,
});

/** One schema per key; rules pick the keys they read with `schema(...)`. */
export const SETTING_SCHEMAS: { readonly [K in keyof Settings]: PolicyConfigJSONSchema } = {
  production: { type: "boolean", default: false, description: "The stack is a production cluster." },
  clusterName: { type: "string", default: "", description: "Name of the cluster (the `cluster=` tag)." },
  environment: {
    type: "string",
    default: "",
    description: "Environment of the cluster (`environment=` tag).",
  },
  adminCidrs: strings("Operator/VPN ranges allowed to reach SSH and the Kubernetes API."),
  adminAddressCeiling: {
    type: "integer",
    default: 1024,
    description:
      "Most public IPv4 addresses the admin ranges may open together (overlaps once, private ranges apart).",
  },
  clusterCidrs: strings("The cluster subnet(s); sources inside them are internal."),
  vipAddresses: strings("Addresses of the cluster's virtual IPs (keepalived VIP, API VIP)."),
  publicIngressPorts: {
    type: "array",
    items: { type: "integer" },
    default: [80, 443],
    description: "TCP ports that may be open to the world (ingress and load-balancer roles only).",
  },
  approvedImageIds: strings("Glance image IDs approved for this environment; empty: any ID."),
  approvedChartRepositories: strings(
    "Helm chart repositories (https/oci URL prefixes) charts may come from.",
    [
      "https://kubernetes.github.io/cloud-provider-openstack",
      "https://charts.jetstack.io",
      "https://kubernetes-sigs.github.io/external-dns",
      "https://helm.releases.hashicorp.com",
      "https://helm.ngc.nvidia.com/nvidia",
      "https://hub.jupyter.org/helm-chart",
      "https://releases.rancher.com/server-charts/stable",
    ],
  ),
  approvedFlavors: strings("Nova flavors (glob `*`) approved for this environment; empty: any flavor."),
  approvedRegistries: strings(
    "Container registries (host[:port]) images in Helm values may come from; empty: any registry.",
  ),
  minGpuOperatorVersion: {
    type: "string",
    default: "24.9.2",
    description: "Lowest gpu-operator chart version with the container-toolkit CVE fixes.",
  },
  minContainerToolkitVersion: {
    type: "string",
    default: "1.17.4",
    description: "Lowest NVIDIA container toolkit version when the chart's toolkit is overridden.",
  },
  vaultMounts: strings("KV v2 mounts the cluster may write to; empty: any mount."),
  vaultClusterPath: {
    type: "string",
    default: "",
    description:
      "Path under the mount that holds this cluster's secrets (`<prefix>/<cluster>`); empty: unchecked.",
  },
  requiredTlsSans: strings("Names/addresses every server certificate must cover (API endpoint, DNS name)."),
  gpuFlavorPatterns: strings("Flavor names (glob `*`) that carry GPUs."),
  gpuTaintKey: { type: "string", default: "nvidia.com/gpu", description: "Taint key GPU nodes must carry." },
  // cattle-system: Rancher (management cluster) runs its webhook, hosted-cluster operators and
  // system-upgrade-controller there and exempts it in its own restricted template
  // (rancher/rancher pkg/data/management/podadmissionconfigurationtemplate_data.go v2.13.1, line 18).
  privilegedNamespaces: strings("Namespaces allowed to run privileged pods.", [
    "gpu-operator",
    "cattle-system",
  ]),
  privateZoneIds: strings(
    "Route53 zone IDs that are private (records there may point at private addresses).",
  ),
  minEtcdSnapshotRetention: {
    type: "integer",
    default: 5,
    description: "Fewest etcd snapshots RKE2 must keep.",
  },
  allowedPrivateKeyPaths: strings(
    "Directories on servers where user data may write private keys (cluster CAs).",
    ["/var/lib/rancher/rke2/server/tls/"],
  ),
  policyExceptions: {
    type: "array",
    items: {
      type: "object",
      properties: { rule: { type: "string" }, reason: { type: "string" }, expires: { type: "string" } },
      required: ["rule", "reason", "expires"],
    },
    default: [],
    description: "The environment's named exceptions (rules that only advise until a date).",
  },
  today: {
    type: "string",
    default: "",
    description:
      "The date the config was written (YYYY-MM-DD), against which exceptions expire; empty: unchecked.",
  },
  allowSoftAntiAffinity: {
    type: "boolean",
    default: false,
    description: "Accept soft-anti-affinity server groups for servers in production.",
  },
};

/** A config schema with the named keys (never `enforcementLevel`: the engine rejects it). */
export function schema(...keys: (keyof Settings)[]): PolicyConfigSchema {
  const properties: Record<string, PolicyConfigJSONSchema> = {};
  for (const k of keys) properties[k] = SETTING_SCHEMAS[k];
  return { properties };
}

const DEFAULTS: Settings = Object.fromEntries(
  Object.entries(SETTING_SCHEMAS).map(([k, s]) => [k, s.default]),
) as unknown as Settings;

const cache = new WeakMap<object, Settings>();

/** The rule's config with defaults filled in (cached per config object, which the evaluator reuses). */
export function settings(args: { getConfig<T extends object>(): T }): Settings {
  const given = args.getConfig<Partial<Settings>>();
  const hit = cache.get(given);
  if (hit) return hit;
  const merged = { ...DEFAULTS, ...given };
  cache.set(given, merged);
  return merged;
}
