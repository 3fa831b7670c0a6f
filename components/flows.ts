/**
 * The network flows a cluster needs, as a table: one row per flow (who talks, to which security group, on
 * which protocol and ports, why, and the upstream source that says so). `deriveSecurityRules`
 * (security-rules.ts) turns each row into security-group rules; nothing else opens a port.
 *
 * Roles are security groups. Which group a node's port carries is `NODE_GROUPS`: GPU nodes are agents to
 * the network, and keepalived ingress nodes are agents that also carry the ingress group.
 */
import { NodeRole } from "../spec/types";
import { PORTS } from "./conventions";
import type { SecurityRole } from "./security-rules";

/**
 * Who starts a flow: `nodes` is any address of the cluster subnet (nodes, VIPs, Octavia amphorae), a
 * security role is the ports carrying that group, `admins` are the admin CIDRs, `internet` is 0.0.0.0/0.
 */
export type FlowSource = "nodes" | "admins" | "internet" | SecurityRole;

export type FlowProtocol = "tcp" | "udp" | "icmp" | "vrrp";

export interface Flow {
  /** Stable key; the rule key is `<group>-<key>` (plus the admin CIDR for `admins`). */
  readonly key: string;
  readonly from: FlowSource;
  /** The groups the flow is allowed into. */
  readonly to: readonly SecurityRole[];
  readonly protocol: FlowProtocol;
  /** Inclusive port range; absent for ICMP and VRRP. */
  readonly ports?: { readonly min: number; readonly max: number };
  /** Why the flow exists; becomes the rule's description. */
  readonly why: string;
  /** The upstream document (repository, file, version) the port and direction come from. */
  readonly source: string;
}

export interface FlowInput {
  readonly cni: "canal" | "cilium" | "calico";
  readonly topology: "octavia" | "keepalived";
}

/** The security groups each node role's port carries. */
export const NODE_GROUPS: Readonly<Record<NodeRole, readonly SecurityRole[]>> = {
  server: ["server"],
  agent: ["agent"],
  gpu: ["agent"],
  ingress: ["agent", "ingress"],
};

/** RKE2 v1.33's port table (unchanged in that file since before v1.33.3+rke2r1, July 2025). */
const RKE2_INBOUND =
  'rancher/rke2-docs docs/install/requirements.md "Inbound Network Rules" (commit c911f33, RKE2 v1.33)';
const RKE2_CNI = (cni: string): string =>
  `rancher/rke2-docs docs/install/requirements.md "CNI Specific Inbound Network Rules", ${cni} tab (commit c911f33)`;
/**
 * RKE2 v1.33.3+rke2r1 ships rke2-ingress-nginx 4.12.401 (rancher/rke2 charts/chart_versions.yaml), which is
 * upstream chart 4.12.4 (rancher/rke2-charts packages/rke2-ingress-nginx/package.yaml, commit e154c9b).
 */
const INGRESS_NGINX_WEBHOOK =
  "kubernetes/ingress-nginx charts/ingress-nginx@helm-chart-4.12.4: values.yaml controller.admissionWebhooks.port 8443, " +
  "failurePolicy Fail; templates/_params.tpl --validating-webhook=:<port> (all addresses, so the node's with hostNetwork)";
const INGRESS_NGINX_PORTS =
  "kubernetes/ingress-nginx charts/ingress-nginx/values.yaml@helm-chart-4.12.4 controller.containerPort http 80, https 443";
const VRRP =
  "RFC 5798 section 5.1.1.3: VRRP adverts are IP protocol 112; keepalived sends them unicast to its peers";
const RKE2_HA =
  'rancher/rke2-docs docs/install/ha.md "Configure the Fixed Registration Address": 9345 registration, 6443 API';
const NODEPORT_UDP =
  "kubernetes kube-apiserver --service-node-port-range (default 30000-32767) applies to TCP and UDP Services";
const OCTAVIA =
  "Octavia amphorae reach members from their own port on the member subnet (OpenStack Octavia docs, member subnet)";

/** CNI flows between all nodes, from RKE2's table. WireGuard ports are absent: we never enable WireGuard. */
const CNI_FLOWS: Readonly<Record<FlowInput["cni"], readonly Omit<Flow, "from" | "to" | "source">[]>> = {
  canal: [
    { key: "vxlan", protocol: "udp", ports: { min: 8472, max: 8472 }, why: "Canal (flannel) VXLAN overlay" },
    { key: "cni-health", protocol: "tcp", ports: { min: 9099, max: 9099 }, why: "Canal health checks" },
  ],
  cilium: [
    { key: "vxlan", protocol: "udp", ports: { min: 8472, max: 8472 }, why: "Cilium VXLAN overlay" },
    { key: "cni-health", protocol: "tcp", ports: { min: 4240, max: 4240 }, why: "Cilium health checks" },
  ],
  calico: [
    { key: "bgp", protocol: "tcp", ports: { min: 179, max: 179 }, why: "Calico BGP peering" },
    { key: "vxlan", protocol: "udp", ports: { min: 4789, max: 4789 }, why: "Calico VXLAN overlay" },
    { key: "typha", protocol: "tcp", ports: { min: 5473, max: 5473 }, why: "Calico Typha to calico-node" },
    { key: "typha-health", protocol: "tcp", ports: { min: 9098, max: 9098 }, why: "Calico Typha health" },
    { key: "cni-health", protocol: "tcp", ports: { min: 9099, max: 9099 }, why: "Calico health checks" },
  ],
};

const one = (port: number) => ({ min: port, max: port });

/** Every flow the cluster needs, for one topology and CNI. */
export function requiredFlows(input: FlowInput): Flow[] {
  const nodes: SecurityRole[] = ["server", "agent"];
  const flows: Flow[] = [
    // The control plane: servers only.
    {
      key: "kube-api-nodes",
      from: "nodes",
      to: ["server"],
      protocol: "tcp",
      ports: one(PORTS.kubeApi),
      why: "Kubernetes API from cluster nodes (agents' client-side load balancers, the API VIP)",
      source: RKE2_INBOUND,
    },
    {
      key: "kube-api-admin",
      from: "admins",
      to: ["server"],
      protocol: "tcp",
      ports: one(PORTS.kubeApi),
      why: "Kubernetes API from an admin network (the API floating IP forwards with the client's address)",
      source: RKE2_HA,
    },
    {
      key: "supervisor-nodes",
      from: "nodes",
      to: ["server"],
      protocol: "tcp",
      ports: one(PORTS.rke2Supervisor),
      why: "RKE2 supervisor (node registration) from cluster nodes only",
      source: RKE2_INBOUND,
    },
    {
      key: "etcd",
      from: "server",
      to: ["server"],
      protocol: "tcp",
      ports: { min: PORTS.etcdClient, max: PORTS.etcdMetrics },
      why: "etcd client, peer and metrics between servers only",
      source: RKE2_INBOUND,
    },
    // Every node.
    {
      key: "kubelet",
      from: "nodes",
      to: nodes,
      protocol: "tcp",
      ports: one(PORTS.kubelet),
      why: "kubelet API from cluster nodes",
      source: RKE2_INBOUND,
    },
    {
      key: "nodeport-tcp",
      from: "nodes",
      to: nodes,
      protocol: "tcp",
      ports: { min: PORTS.nodePortMin, max: PORTS.nodePortMax },
      why: "Kubernetes NodePort services (tcp) from cluster nodes only",
      source: RKE2_INBOUND,
    },
    {
      key: "nodeport-udp",
      from: "nodes",
      to: nodes,
      protocol: "udp",
      ports: { min: PORTS.nodePortMin, max: PORTS.nodePortMax },
      why: "Kubernetes NodePort services (udp) from cluster nodes only",
      source: NODEPORT_UDP,
    },
    ...CNI_FLOWS[input.cni].map((f): Flow => ({
      ...f,
      why: `${f.why} (cluster subnet only)`,
      from: "nodes",
      to: nodes,
      source: RKE2_CNI(input.cni),
    })),
    {
      key: "icmp",
      from: "nodes",
      to: nodes,
      protocol: "icmp",
      why: "ICMP (path MTU discovery, Cilium and reachability checks) from cluster nodes",
      source: RKE2_CNI("Cilium (ICMP 8/0)"),
    },
    {
      key: "ssh-admin",
      from: "admins",
      to: nodes,
      protocol: "tcp",
      ports: one(PORTS.ssh),
      why: "SSH from an admin network only",
      source: "operations: nodes have no floating IPs; admins reach them from their own networks",
    },
  ];

  if (input.topology === "keepalived") {
    flows.push(
      {
        key: "vrrp",
        from: "server",
        to: ["server"],
        protocol: "vrrp",
        why: "keepalived VRRP adverts for the API VIP, between servers only",
        source: VRRP,
      },
      {
        key: "vrrp",
        from: "ingress",
        to: ["ingress"],
        protocol: "vrrp",
        why: "keepalived VRRP adverts for the ingress VIP, between ingress nodes only",
        source: VRRP,
      },
      {
        key: "http-any",
        from: "internet",
        to: ["ingress"],
        protocol: "tcp",
        ports: one(PORTS.http),
        why: "Public HTTP on the ingress VIP (redirects to HTTPS, ACME challenges)",
        source: INGRESS_NGINX_PORTS,
      },
      {
        key: "https-any",
        from: "internet",
        to: ["ingress"],
        protocol: "tcp",
        ports: one(PORTS.https),
        why: "Public HTTPS on the ingress VIP",
        source: INGRESS_NGINX_PORTS,
      },
      {
        key: "webhook-servers",
        from: "server",
        to: ["ingress"],
        protocol: "tcp",
        ports: one(PORTS.ingressWebhook),
        why: "ingress-nginx admission webhook (host network) called by the API servers",
        source: INGRESS_NGINX_WEBHOOK,
      },
    );
  } else {
    flows.push(
      {
        key: "kube-api-lb",
        from: "loadbalancer",
        to: ["server"],
        protocol: "tcp",
        ports: one(PORTS.kubeApi),
        why: "Kubernetes API from the API load balancer",
        source: OCTAVIA,
      },
      ...(["http", "https"] as const).flatMap((key): Flow[] => [
        {
          key: `${key}-lb`,
          from: "loadbalancer",
          to: ["agent"],
          protocol: "tcp",
          ports: one(PORTS[key]),
          why: `Ingress controller (${key}, hostPort) from the ingress load balancer`,
          source: INGRESS_NGINX_PORTS,
        },
        {
          key: `${key}-lb-subnet`,
          from: "nodes",
          to: ["agent"],
          protocol: "tcp",
          ports: one(PORTS[key]),
          why: `Ingress controller (${key}) from load balancer members' source addresses on the subnet`,
          source: OCTAVIA,
        },
        {
          key: `${key}-any`,
          from: "internet",
          to: ["loadbalancer"],
          protocol: "tcp",
          ports: one(PORTS[key]),
          why: key === "http" ? "Public HTTP ingress (redirects to HTTPS, ACME)" : "Public HTTPS ingress",
          source: INGRESS_NGINX_PORTS,
        },
      ]),
      {
        key: "kube-api-nodes",
        from: "nodes",
        to: ["loadbalancer"],
        protocol: "tcp",
        ports: one(PORTS.kubeApi),
        why: "Kubernetes API listener from cluster nodes",
        source: RKE2_HA,
      },
      {
        key: "kube-api-admin",
        from: "admins",
        to: ["loadbalancer"],
        protocol: "tcp",
        ports: one(PORTS.kubeApi),
        why: "Kubernetes API listener from an admin network",
        source: RKE2_HA,
      },
      {
        key: "supervisor-nodes",
        from: "nodes",
        to: ["loadbalancer"],
        protocol: "tcp",
        ports: one(PORTS.rke2Supervisor),
        why: "RKE2 registration listener from cluster nodes only",
        source: RKE2_HA,
      },
    );
  }
  return flows;
}
