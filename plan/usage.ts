/**
 * What one cluster's planned resources take from the OpenStack project, counted from the resources the
 * program registered under the mocks — not from the spec — so the count cannot drift from what `up`
 * creates. Flavor shapes and prices are applied later (plan/capacity.ts); this only counts.
 */

/** Counts of quota-relevant resources, as the plan report carries them. */
export interface ResourceUsage {
  /** Instances per Nova flavor name (keys sorted). */
  readonly instancesByFlavor: Readonly<Record<string, number>>;
  /** Cinder volumes: standalone volumes plus boot-from-volume root disks. */
  readonly volumes: number;
  readonly volumeGiB: number;
  readonly floatingIps: number;
  readonly loadBalancers: number;
  readonly securityGroups: number;
  readonly securityGroupRules: number;
  readonly serverGroups: number;
}

/** Type tokens of @pulumi/openstack v3.15.2 (each resource module's `__pulumiType`). */
export const QUOTA_TYPES = {
  instance: "openstack:compute/instance:Instance",
  serverGroup: "openstack:compute/serverGroup:ServerGroup",
  floatingIp: "openstack:networking/floatingIp:FloatingIp",
  secGroup: "openstack:networking/secGroup:SecGroup",
  secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
  loadBalancer: "openstack:loadbalancer/loadBalancer:LoadBalancer",
  volume: "openstack:blockstorage/volume:Volume",
} as const;

interface Counted {
  readonly type: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

const record = (v: unknown): Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};

/**
 * Volumes an instance creates through `blockDevices` (terraform-provider-openstack
 * `openstack/compute_instance_v2.go`: a block device with `destination_type = "volume"` and a
 * `volume_size` makes Nova create a Cinder volume, which counts against the project's Cinder quota).
 */
function bootVolumes(inputs: Readonly<Record<string, unknown>>): number[] {
  const devices = inputs["blockDevices"];
  if (!Array.isArray(devices)) return [];
  return devices
    .map(record)
    .filter((d) => d["destinationType"] === "volume" && typeof d["volumeSize"] === "number")
    .map((d) => d["volumeSize"] as number);
}

export function usageOf(resources: readonly Counted[]): ResourceUsage {
  const byFlavor = new Map<string, number>();
  let volumes = 0;
  let volumeGiB = 0;
  const count = (type: string) => resources.filter((r) => r.type === type).length;
  for (const r of resources) {
    if (r.type === QUOTA_TYPES.instance) {
      const flavor = r.inputs["flavorName"];
      const key = typeof flavor === "string" ? flavor : "(unknown flavor)";
      byFlavor.set(key, (byFlavor.get(key) ?? 0) + 1);
      for (const size of bootVolumes(r.inputs)) {
        volumes += 1;
        volumeGiB += size;
      }
    } else if (r.type === QUOTA_TYPES.volume) {
      volumes += 1;
      const size = r.inputs["size"];
      volumeGiB += typeof size === "number" ? size : 0;
    }
  }
  return {
    instancesByFlavor: Object.fromEntries([...byFlavor].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    volumes,
    volumeGiB,
    floatingIps: count(QUOTA_TYPES.floatingIp),
    loadBalancers: count(QUOTA_TYPES.loadBalancer),
    securityGroups: count(QUOTA_TYPES.secGroup),
    securityGroupRules: count(QUOTA_TYPES.secGroupRule),
    serverGroups: count(QUOTA_TYPES.serverGroup),
  };
}
