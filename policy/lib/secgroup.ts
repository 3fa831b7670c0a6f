/**
 * Neutron security-group rule semantics the network rules share. Neutron reads an omitted protocol as
 * "any protocol", an omitted port range as "all ports" and a rule without `remoteIpPrefix` and without
 * `remoteGroupId` as "from anywhere" (Checkov's OpenStack check misses the last one; we do not).
 */
import type { PolicyResource } from "@pulumi/policy";
import { PORTS } from "../../components/conventions";
import { insideAny, isWorld, operatorRanges } from "./net";
import { propertyOf, tryRead } from "./unknown";

export type Protocol = "any" | "tcp" | "udp" | "vrrp" | "icmp" | "other";

export interface RuleView {
  readonly ingress: boolean;
  readonly protocol: Protocol;
  /** Protocol as written, for messages (`any` when omitted). */
  readonly protocolText: string;
  /** Inclusive port range; `[1, 65535]` when the rule names no ports (or the protocol has none). */
  readonly from: number;
  readonly to: number;
  /** True when the rule names no port range (all ports). */
  readonly allPorts: boolean;
  /** `remoteIpPrefix`, if any. */
  readonly prefix: string | undefined;
  /** `remoteGroupId`, if any; `UNKNOWN_GROUP` when set but not known yet (the group does not exist). */
  readonly group: string | undefined;
  /** True when `remoteIpPrefix` is set but not known yet: where the traffic comes from is undecided. */
  readonly unknownPrefix: boolean;
}

/**
 * A `remoteGroupId` that is set but unknown: on a first preview the group does not exist yet. That the
 * source is a security group, not an address range, is still certain.
 */
export const UNKNOWN_GROUP = "(a group created by this update)";

const PROTOCOL_NUMBERS: Record<string, Protocol> = { "6": "tcp", "17": "udp", "112": "vrrp", "1": "icmp" };

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;
}

/**
 * A stack rule's view of a rule resource: as `viewRule`, and a source that is absent from the preview's
 * outputs but set from other resources (property dependencies) counts as set but unknown.
 */
export function viewRuleOf(resource: PolicyResource): RuleView {
  const prefix = propertyOf(resource, "remoteIpPrefix");
  const group = propertyOf(resource, "remoteGroupId");
  const known: Record<string, unknown> = {};
  for (const k of ["direction", "protocol", "portRangeMin", "portRangeMax"]) known[k] = resource.props[k];
  if (prefix.state === "known") known["remoteIpPrefix"] = prefix.value;
  if (group.state === "known") known["remoteGroupId"] = group.value;
  const view = viewRule(known);
  return {
    ...view,
    group: group.state === "unknown" ? UNKNOWN_GROUP : view.group,
    unknownPrefix: prefix.state === "unknown",
  };
}

export function viewRule(props: Record<string, unknown>): RuleView {
  const raw = str(props["protocol"])?.toLowerCase();
  const protocol: Protocol =
    raw === undefined || raw === "any" || raw === "0"
      ? "any"
      : raw === "tcp" || raw === "udp" || raw === "vrrp" || raw === "icmp"
        ? raw
        : (PROTOCOL_NUMBERS[raw] ?? "other");
  const min = props["portRangeMin"];
  const max = props["portRangeMax"];
  const hasPorts = typeof min === "number" && min > 0 && (protocol === "tcp" || protocol === "udp");
  const from = hasPorts ? min : 1;
  const to = hasPorts ? (typeof max === "number" && max >= min ? max : min) : 65535;
  return {
    ingress: props["direction"] !== "egress",
    protocol,
    protocolText: raw ?? "any",
    from,
    to,
    allPorts: !hasPorts,
    ...sources(props),
  };
}

/**
 * The source fields. An unknown `remoteGroupId` is still a group (the structural fact the program
 * guarantees); an unknown `remoteIpPrefix` says nothing, so reading it throws as CrossGuard's proxy does.
 */
function sources(props: Record<string, unknown>): Pick<RuleView, "prefix" | "group" | "unknownPrefix"> {
  const prefix = str(props["remoteIpPrefix"]);
  const group = tryRead(() => props["remoteGroupId"]);
  return {
    prefix,
    group: group === "unknown" ? UNKNOWN_GROUP : str(group.value),
    unknownPrefix: false,
  };
}

/** `tcp 6443`, `tcp 2379-2381`, `udp all ports`, `any protocol`. */
export function describeRule(r: RuleView): string {
  if (r.protocol === "any") return "any protocol";
  if (r.protocol !== "tcp" && r.protocol !== "udp") return r.protocolText;
  return `${r.protocol} ${r.allPorts ? "all ports" : r.from === r.to ? String(r.from) : `${r.from}-${r.to}`}`;
}

/** Where the traffic may come from: `anywhere (no remote)`, the prefix, or the group. */
export function describeSource(r: RuleView): string {
  if (r.unknownPrefix) return "an address range not known yet";
  if (r.prefix !== undefined) return r.prefix;
  if (r.group !== undefined) return `security group ${r.group}`;
  return "anywhere (no remoteIpPrefix or remoteGroupId)";
}

/** Rules that accept traffic from any address: world prefix, or no source at all. */
export function fromAnywhere(r: RuleView): boolean {
  return (r.prefix === undefined && r.group === undefined) || (r.prefix !== undefined && isWorld(r.prefix));
}

/**
 * Inside the cluster: a security-group source, or a prefix inside the cluster subnet(s). Without
 * configured cluster CIDRs, a private (RFC 1918) prefix counts as inside.
 */
export function fromCluster(r: RuleView, clusterCidrs: readonly string[]): boolean {
  if (r.prefix === undefined) return r.group !== undefined;
  const within = clusterCidrs.length > 0 ? clusterCidrs : ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
  return insideAny(r.prefix, within);
}

export interface SensitivePort {
  readonly protocol: "tcp" | "udp";
  readonly from: number;
  readonly to: number;
  readonly label: string;
  /** Admin CIDRs may reach it (SSH, the Kubernetes API). */
  readonly admin: boolean;
}

/** RKE2's inbound port table: nothing here may be reachable from outside the cluster. */
export const SENSITIVE_PORTS: readonly SensitivePort[] = [
  { protocol: "tcp", from: PORTS.ssh, to: PORTS.ssh, label: "SSH", admin: true },
  { protocol: "tcp", from: PORTS.kubeApi, to: PORTS.kubeApi, label: "Kubernetes API", admin: true },
  {
    protocol: "tcp",
    from: PORTS.rke2Supervisor,
    to: PORTS.rke2Supervisor,
    label: "RKE2 supervisor",
    admin: false,
  },
  { protocol: "tcp", from: PORTS.etcdClient, to: PORTS.etcdMetrics, label: "etcd", admin: false },
  { protocol: "tcp", from: PORTS.kubelet, to: PORTS.kubelet, label: "kubelet", admin: false },
  { protocol: "tcp", from: 10255, to: 10255, label: "kubelet read-only", admin: false },
  { protocol: "tcp", from: 10257, to: 10257, label: "kube-controller-manager", admin: false },
  { protocol: "tcp", from: 10259, to: 10259, label: "kube-scheduler", admin: false },
  { protocol: "tcp", from: PORTS.nodePortMin, to: PORTS.nodePortMax, label: "NodePort", admin: false },
  { protocol: "udp", from: PORTS.nodePortMin, to: PORTS.nodePortMax, label: "NodePort", admin: false },
  { protocol: "tcp", from: 179, to: 179, label: "Calico BGP", admin: false },
  { protocol: "tcp", from: 5473, to: 5473, label: "Calico Typha", admin: false },
  { protocol: "tcp", from: 9099, to: 9099, label: "Canal health", admin: false },
  { protocol: "tcp", from: 4240, to: 4240, label: "Cilium health", admin: false },
  { protocol: "udp", from: 8472, to: 8472, label: "VXLAN", admin: false },
  { protocol: "udp", from: 4789, to: 4789, label: "VXLAN", admin: false },
  { protocol: "udp", from: 51820, to: 51821, label: "WireGuard", admin: false },
  { protocol: "udp", from: 51871, to: 51871, label: "WireGuard (Cilium)", admin: false },
];

/** Sensitive ports the rule opens (all of them for any-protocol rules). */
export function sensitivePortsOf(r: RuleView): SensitivePort[] {
  return SENSITIVE_PORTS.filter(
    (p) => (r.protocol === "any" || r.protocol === p.protocol) && r.from <= p.to && p.from <= r.to,
  );
}

export function isVrrp(r: RuleView): boolean {
  return r.protocol === "vrrp";
}

/**
 * From the admin CIDRs. Only narrow admin ranges count (`operatorRanges`): a spec that writes the world
 * (or its two /1 halves) into its admin CIDRs must not open the control plane to it.
 */
export function fromAdmin(r: RuleView, adminCidrs: readonly string[]): boolean {
  return r.prefix !== undefined && insideAny(r.prefix, operatorRanges(adminCidrs));
}
