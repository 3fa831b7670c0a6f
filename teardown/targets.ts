/**
 * What `xcluster destroy` must remove through the cluster before Pulumi destroys it (issue 16): the cloud
 * resources the cluster's own controllers created behind Pulumi's back. Pure: it reads objects as the
 * Kubernetes API returns them (shapes compatible with @kubernetes/client-node's V1Service,
 * V1PersistentVolumeClaim and V1PersistentVolume) and decides; listing, deleting and waiting are the
 * client's part (teardown/cluster-api.ts, teardown/teardown.ts; docs/adr/0016).
 *
 * - Every Service of type LoadBalancer: the OpenStack cloud controller manager created an Octavia load
 *   balancer (and a floating IP) for it and holds the finalizer
 *   `service.kubernetes.io/load-balancer-cleanup` until they are gone (k8s.io/cloud-provider v0.33.13
 *   `service/helpers/helper.go` LoadBalancerCleanupFinalizer).
 * - Every PVC bound to a volume of the Cinder CSI driver `cinder.csi.openstack.org`
 *   (k8s.io/csi-translation-lib v0.33.13 `plugins/openstack_cinder.go` CinderDriverName): deleting it
 *   deletes the Cinder volume when the PV's reclaim policy is Delete. With Retain the Cinder volume
 *   outlives the cluster: it is reported, never deleted silently.
 */

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly finalizers?: readonly string[];
  readonly deletionTimestamp?: Date | string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ServiceObject {
  readonly metadata?: ObjectMeta;
  readonly spec?: { readonly type?: string };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

export interface ClaimObject {
  readonly metadata?: ObjectMeta;
  readonly spec?: { readonly volumeName?: string };
}

export interface VolumeObject {
  readonly metadata?: ObjectMeta;
  readonly spec?: {
    readonly csi?: { readonly driver?: string; readonly volumeHandle?: string };
    readonly persistentVolumeReclaimPolicy?: string;
    readonly claimRef?: { readonly namespace?: string; readonly name?: string };
  };
}

export const CINDER_CSI_DRIVER = "cinder.csi.openstack.org";
export const LOAD_BALANCER_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";

export interface NamedObject {
  readonly namespace: string;
  readonly name: string;
}

export interface TeardownTargets {
  /** LoadBalancer Services to delete, with the addresses their load balancers have. */
  readonly loadBalancers: readonly (NamedObject & { readonly addresses: readonly string[] })[];
  /** PVCs to delete: their Cinder volumes go with them (reclaim policy Delete). */
  readonly claims: readonly (NamedObject & { readonly volume: string; readonly cinderVolumeId: string })[];
  /** Cinder volumes that stay after the cluster is gone (reclaim policy Retain, or released): report them. */
  readonly retainedVolumes: readonly {
    readonly volume: string;
    readonly cinderVolumeId: string;
    readonly claim?: NamedObject;
  }[];
}

const named = (m: ObjectMeta | undefined): NamedObject => ({
  namespace: m?.namespace ?? "default",
  name: m?.name ?? "",
});
const byName = (a: NamedObject, b: NamedObject): number =>
  a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1;

export function teardownTargets(
  services: readonly ServiceObject[],
  claims: readonly ClaimObject[],
  volumes: readonly VolumeObject[],
): TeardownTargets {
  const loadBalancers = services
    .filter((s) => s.spec?.type === "LoadBalancer")
    .map((s) => ({
      ...named(s.metadata),
      addresses: (s.status?.loadBalancer?.ingress ?? [])
        .map((i) => i.ip ?? i.hostname ?? "")
        .filter((a) => a !== ""),
    }))
    .sort(byName);
  const cinder = new Map(
    volumes
      .filter((v) => v.spec?.csi?.driver === CINDER_CSI_DRIVER)
      .map((v) => [v.metadata?.name ?? "", v] as const),
  );
  const deleted = new Set<string>();
  const toDelete = claims
    .flatMap((c) => {
      const pv = c.spec?.volumeName === undefined ? undefined : cinder.get(c.spec.volumeName);
      if (pv === undefined || pv.spec?.persistentVolumeReclaimPolicy !== "Delete") return [];
      deleted.add(c.spec?.volumeName ?? "");
      return [
        {
          ...named(c.metadata),
          volume: c.spec?.volumeName ?? "",
          cinderVolumeId: pv.spec?.csi?.volumeHandle ?? "",
        },
      ];
    })
    .sort(byName);
  const retainedVolumes = [...cinder]
    .filter(([name]) => !deleted.has(name))
    .map(([name, pv]) => {
      const ref = pv.spec?.claimRef;
      return {
        volume: name,
        cinderVolumeId: pv.spec?.csi?.volumeHandle ?? "",
        ...(ref?.name !== undefined
          ? { claim: { namespace: ref.namespace ?? "default", name: ref.name } }
          : {}),
      };
    })
    .sort((a, b) => (a.volume < b.volume ? -1 : 1));
  return { loadBalancers, claims: toDelete, retainedVolumes };
}
