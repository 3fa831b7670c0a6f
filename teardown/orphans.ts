/**
 * What a teardown could not clean, said so that an operator can find it (issue 16, ADR 0016). Pure.
 *
 * Offline nothing can ask OpenStack what exists, so each orphan kind is a selector (the names, metadata
 * and descriptions the cluster's controllers put on what they create) with the exact `openstack` command
 * that lists it (python-openstackclient 8.2.0, python-octaviaclient 3.11.1), plus whatever the stack's
 * last recorded state and the cluster's last answers know:
 * - Octavia load balancers: OCCM names them `kube_service_<cluster name>_<namespace>_<service>`
 *   (kubernetes/cloud-provider-openstack v1.33.1 pkg/openstack/loadbalancer.go lines 100-101 and 369-370;
 *   the add-on sets `--cluster-name` to the xcluster cluster name, components/addons/openstack-cloud-provider.ts).
 * - Their floating IPs: description `Floating IP for Kubernetes external service <ns>/<name> from cluster
 *   <cluster name>` (loadbalancer.go line 716).
 * - Cinder volumes: Cinder CSI sets the volume property `cinder.csi.openstack.org/cluster` = the chart's
 *   `clusterID` (pkg/csi/cinder/controllerserver.go lines 50 and 129), which the add-on sets to the
 *   cluster name.
 * - Ports left on the cluster subnet: what makes Pulumi's subnet and router deletion fail.
 * - DNS records owned by the TXT owner ID (teardown/dns.ts).
 */
import { route53VerifyCommand, type OwnedRecord } from "./dns";
import type { TeardownTargets } from "./targets";
import type { WaitResult } from "./wait";

export interface IdName {
  readonly id: string;
  readonly name?: string;
}

/** What the stack's state (a `pulumi stack export` deployment) says about the cluster's cloud side. */
export interface StateFacts {
  /** Nova instances in the state: none means no node ever ran, so nothing was created behind Pulumi's back. */
  readonly instances: number;
  readonly networks: readonly IdName[];
  readonly subnets: readonly IdName[];
  readonly routers: readonly IdName[];
}

interface ExportedResource {
  readonly type?: string;
  readonly id?: string;
  readonly outputs?: Record<string, unknown>;
}

/** Reads the facts from an exported deployment (`{ deployment: { resources } }`); secrets stay sealed. */
export function stateFacts(exported: unknown): StateFacts {
  const resources =
    (exported as { deployment?: { resources?: ExportedResource[] } } | undefined)?.deployment?.resources ??
    [];
  const of = (type: string): IdName[] =>
    resources
      .filter((r) => r.type === type && typeof r.id === "string" && r.id !== "")
      .map((r) => ({
        id: r.id as string,
        ...(typeof r.outputs?.["name"] === "string" ? { name: r.outputs["name"] } : {}),
      }));
  return {
    instances: resources.filter((r) => r.type === "openstack:compute/instance:Instance").length,
    networks: of("openstack:networking/network:Network"),
    subnets: of("openstack:networking/subnet:Subnet"),
    routers: of("openstack:networking/router:Router"),
  };
}

export type OrphanKind = "load-balancer" | "floating-ip" | "volume" | "port" | "dns-record";

export interface Orphan {
  readonly kind: OrphanKind;
  /** What identifies them (a name pattern, a property, a description). */
  readonly selector: string;
  /** The command that lists them. */
  readonly command: string;
  /** What the cluster or the state last said about them (names, volume IDs, addresses). */
  readonly known: readonly string[];
}

export interface OrphanInput {
  readonly cluster: string;
  readonly facts: StateFacts;
  /** The route53 zone and TXT owner, when external-dns runs. */
  readonly dns?: { readonly zone: string; readonly owner: string };
  /** What the cluster still answered (when it answered): targets and the wait's outcome. */
  readonly targets?: TeardownTargets;
  readonly waited?: readonly WaitResult[];
  readonly records?: readonly OwnedRecord[];
}

const loadBalancerName = (cluster: string, ns: string, name: string) =>
  `kube_service_${cluster}_${ns}_${name}`;

/**
 * The orphans to look for. With `waited`, only what did not go (the rest was cleaned); without (the
 * cluster did not answer), every kind the cluster's controllers may have created.
 */
export function orphanSelectors(input: OrphanInput): Orphan[] {
  const { cluster, facts } = input;
  const timedOut = (kind: WaitResult["kind"]) =>
    input.waited?.filter((w) => w.kind === kind && w.outcome === "timed-out");
  const answered = input.waited !== undefined;
  const lbs = answered
    ? (timedOut("Service") ?? []).map((w) => loadBalancerName(cluster, w.namespace, w.name))
    : (input.targets?.loadBalancers ?? []).map((s) => loadBalancerName(cluster, s.namespace, s.name));
  const claims = timedOut("PersistentVolumeClaim") ?? [];
  const pvs = timedOut("PersistentVolume") ?? [];
  const volumes = answered
    ? (input.targets?.claims ?? [])
        .filter(
          (c) =>
            claims.some((w) => w.namespace === c.namespace && w.name === c.name) ||
            pvs.some((w) => w.name === c.volume),
        )
        .map((c) => c.cinderVolumeId)
    : (input.targets?.claims ?? []).map((c) => c.cinderVolumeId);
  const orphans: Orphan[] = [];
  if (!answered || lbs.length > 0) {
    orphans.push(
      {
        kind: "load-balancer",
        selector: `Octavia load balancers named kube_service_${cluster}_<namespace>_<service>`,
        command: `openstack loadbalancer list -f value -c id -c name | grep ' kube_service_${cluster}_'`,
        known: lbs,
      },
      {
        kind: "floating-ip",
        selector: `floating IPs described "Floating IP for Kubernetes external service <namespace>/<service> from cluster ${cluster}"`,
        command: `openstack floating ip list --long -f value -c ID -c 'Floating IP Address' -c Description | grep 'from cluster ${cluster}$'`,
        known: [],
      },
    );
  }
  if (!answered || volumes.length > 0) {
    orphans.push({
      kind: "volume",
      selector: `Cinder volumes with the property cinder.csi.openstack.org/cluster=${cluster}`,
      command: `openstack volume list --long --property cinder.csi.openstack.org/cluster=${cluster}`,
      known: volumes,
    });
  }
  if (!answered || lbs.length > 0 || volumes.length > 0) {
    for (const s of facts.subnets) {
      orphans.push({
        kind: "port",
        selector: `ports with an address on the cluster subnet ${s.id}${s.name ? ` (${s.name})` : ""} (they block its deletion)`,
        command: `openstack port list --long --fixed-ip subnet=${s.id}`,
        known: [],
      });
    }
  }
  const unremoved = input.records ?? [];
  if (input.dns !== undefined && (!answered || unremoved.length > 0)) {
    orphans.push({
      kind: "dns-record",
      selector: `Route53 records in ${input.dns.zone} whose TXT registry record says external-dns/owner=${input.dns.owner}`,
      command: route53VerifyCommand(input.dns.zone, input.dns.owner),
      known: unremoved.map((r) => `${r.name} ${r.type}`),
    });
  }
  return orphans;
}
