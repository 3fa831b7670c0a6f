/**
 * The security-group rules of a cluster, derived from RKE2's port requirements as plain data, so that the
 * table can be read and tested without Pulumi. `SecurityGroups` turns each entry into one `SecGroupRule`.
 *
 * Principles: every rule names its source (a CIDR or a group; Neutron reads "no remote" as "anyone"), every
 * rule says why it exists, "cluster nodes" means the subnet CIDR, and only the ingress role (keepalived) or
 * the load balancer (octavia) is reachable from the internet, on 80/443 only.
 */
import { cidrsOverlap, isCidr, parseCidr } from "../spec/ipv4";
import { PORTS } from "./conventions";

/** The security groups a cluster has; `loadbalancer` exists in the octavia topology only. */
export type SecurityRole = "server" | "agent" | "ingress" | "loadbalancer";

export type SecurityProtocol = "tcp" | "udp" | "icmp" | "vrrp" | "any";

/** Where traffic comes from (ingress) or goes to (egress): a CIDR or another of the cluster's groups. */
export type RuleRemote = { readonly cidr: string } | { readonly group: SecurityRole };

export interface SecurityRule {
  /** Stable, readable key; the rule's child resource is named `${name}-${key}`. Starts with the role. */
  readonly key: string;
  /** Group the rule belongs to. */
  readonly role: SecurityRole;
  readonly direction: "ingress" | "egress";
  /** `any` leaves the protocol out (Neutron: all protocols); only used with an explicit remote. */
  readonly protocol: SecurityProtocol;
  /** Inclusive port range; absent for protocols without ports. */
  readonly ports?: { readonly min: number; readonly max: number };
  readonly remote: RuleRemote;
  /** Why the rule exists; becomes the rule's `description`. */
  readonly description: string;
}

export interface SecurityRulesInput {
  /** The cluster subnet; "cluster nodes" as a source means this CIDR. */
  readonly subnetCidr: string;
  /** RKE2 `cluster-cidr`; must not overlap the subnet, because the subnet CIDR is trusted as "nodes". */
  readonly podCidr: string;
  /** Operator networks allowed to reach SSH and the Kubernetes API. May be empty. */
  readonly adminCidrs: readonly string[];
  readonly cni: "canal" | "cilium" | "calico";
  readonly topology: "octavia" | "keepalived";
}

/** The whole IPv4 internet; only ever a source for 80/443 on the public role and a node egress target. */
export const ANYWHERE = "0.0.0.0/0";

interface CniPort {
  readonly key: string;
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  readonly why: string;
}

/** Ports each CNI needs between nodes (RKE2 "Networking" requirements). */
export const CNI_PORTS: Readonly<Record<SecurityRulesInput["cni"], readonly CniPort[]>> = {
  canal: [
    { key: "vxlan", protocol: "udp", port: 8472, why: "Canal (flannel) VXLAN overlay between nodes" },
    { key: "cni-health", protocol: "tcp", port: 9099, why: "Canal (calico-node) health checks" },
  ],
  cilium: [
    { key: "vxlan", protocol: "udp", port: 8472, why: "Cilium VXLAN overlay between nodes" },
    { key: "cni-health", protocol: "tcp", port: 4240, why: "Cilium node-to-node health checks" },
    { key: "hubble", protocol: "tcp", port: 4244, why: "Cilium Hubble relay to node agents" },
  ],
  calico: [
    { key: "bgp", protocol: "tcp", port: 179, why: "Calico BGP peering between nodes" },
    { key: "vxlan", protocol: "udp", port: 4789, why: "Calico VXLAN overlay between nodes" },
    { key: "typha", protocol: "tcp", port: 5473, why: "Calico Typha to calico-node" },
  ],
};

/** Derives every rule of every group. Throws one error naming every invalid input. */
export function deriveSecurityRules(input: SecurityRulesInput): SecurityRule[] {
  checkInput(input);
  const subnet = { cidr: input.subnetCidr };
  const admins = [...new Set(input.adminCidrs)].sort();
  const octavia = input.topology === "octavia";
  const rules: SecurityRule[] = [];
  const tcp = (role: SecurityRole, key: string, min: number, max: number, remote: RuleRemote, why: string) =>
    rules.push({
      key: `${role}-${key}`,
      role,
      direction: "ingress",
      protocol: "tcp",
      ports: { min, max },
      remote,
      description: why,
    });

  // Servers: the Kubernetes API, the RKE2 supervisor (registration) and etcd.
  tcp("server", "kube-api-nodes", PORTS.kubeApi, PORTS.kubeApi, subnet, "Kubernetes API from cluster nodes");
  for (const cidr of admins) {
    tcp(
      "server",
      `kube-api-admin-${cidrKey(cidr)}`,
      PORTS.kubeApi,
      PORTS.kubeApi,
      { cidr },
      "Kubernetes API from an admin network",
    );
  }
  if (octavia) {
    tcp(
      "server",
      "kube-api-lb",
      PORTS.kubeApi,
      PORTS.kubeApi,
      { group: "loadbalancer" },
      "Kubernetes API from the API load balancer",
    );
  }
  tcp(
    "server",
    "supervisor-nodes",
    PORTS.rke2Supervisor,
    PORTS.rke2Supervisor,
    subnet,
    "RKE2 supervisor (node registration) from cluster nodes",
  );
  tcp(
    "server",
    "etcd",
    PORTS.etcdClient,
    PORTS.etcdMetrics,
    { group: "server" },
    "etcd client, peer and metrics between servers only",
  );

  // What every node (server or agent) needs.
  for (const role of ["server", "agent"] as const) {
    tcp(role, "kubelet", PORTS.kubelet, PORTS.kubelet, subnet, "kubelet API from cluster nodes");
    for (const p of CNI_PORTS[input.cni]) {
      rules.push({
        key: `${role}-${p.key}`,
        role,
        direction: "ingress",
        protocol: p.protocol,
        ports: { min: p.port, max: p.port },
        remote: subnet,
        description: `${p.why} (cluster subnet only)`,
      });
    }
    for (const protocol of ["tcp", "udp"] as const) {
      rules.push({
        key: `${role}-nodeport-${protocol}`,
        role,
        direction: "ingress",
        protocol,
        ports: { min: PORTS.nodePortMin, max: PORTS.nodePortMax },
        remote: subnet,
        description: `Kubernetes NodePort services (${protocol}) from cluster nodes only`,
      });
    }
    for (const cidr of admins) {
      tcp(
        role,
        `ssh-admin-${cidrKey(cidr)}`,
        PORTS.ssh,
        PORTS.ssh,
        { cidr },
        "SSH from an admin network only",
      );
    }
    rules.push({
      key: `${role}-icmp`,
      role,
      direction: "ingress",
      protocol: "icmp",
      remote: subnet,
      description: "ICMP (path MTU discovery, reachability checks) from cluster nodes",
    });
    rules.push(nodeEgress(role));
  }

  if (octavia) {
    // Agents run the RKE2 ingress controller (hostPort 80/443) behind the ingress load balancer. Amphorae
    // reach members from their own address on the subnet, hence the subnet rule beside the group rule.
    for (const [key, port] of [
      ["http", PORTS.http],
      ["https", PORTS.https],
    ] as const) {
      tcp(
        "agent",
        `${key}-lb`,
        port,
        port,
        { group: "loadbalancer" },
        `Ingress controller (${key}) from the ingress load balancer`,
      );
      tcp(
        "agent",
        `${key}-lb-subnet`,
        port,
        port,
        subnet,
        `Ingress controller (${key}) from load balancer members' source addresses on the subnet`,
      );
    }
    tcp(
      "loadbalancer",
      "kube-api-nodes",
      PORTS.kubeApi,
      PORTS.kubeApi,
      subnet,
      "Kubernetes API listener from cluster nodes",
    );
    for (const cidr of admins) {
      tcp(
        "loadbalancer",
        `kube-api-admin-${cidrKey(cidr)}`,
        PORTS.kubeApi,
        PORTS.kubeApi,
        { cidr },
        "Kubernetes API listener from an admin network",
      );
    }
    tcp(
      "loadbalancer",
      "supervisor-nodes",
      PORTS.rke2Supervisor,
      PORTS.rke2Supervisor,
      subnet,
      "RKE2 registration listener from cluster nodes only",
    );
    tcp(
      "loadbalancer",
      "http-any",
      PORTS.http,
      PORTS.http,
      { cidr: ANYWHERE },
      "Public HTTP ingress (redirects to HTTPS, ACME challenges)",
    );
    tcp("loadbalancer", "https-any", PORTS.https, PORTS.https, { cidr: ANYWHERE }, "Public HTTPS ingress");
    rules.push({
      key: "loadbalancer-egress-subnet",
      role: "loadbalancer",
      direction: "egress",
      protocol: "any",
      remote: subnet,
      description: "Load balancers only talk to members and health-check them inside the cluster subnet",
    });
    // No dedicated ingress nodes in this topology; the group exists with its egress stated so that the
    // set of groups (and the outputs) is the same in both topologies.
    rules.push(nodeEgress("ingress"));
  } else {
    // Dedicated ingress nodes hold the VIP; the floating IP on the VIP port forwards public traffic to them.
    // The VIP is also the cluster's API and registration address: the ingress controller on those nodes
    // passes 6443 and 9345 through to the servers, so they take the servers' API and supervisor sources.
    tcp(
      "ingress",
      "kube-api-nodes",
      PORTS.kubeApi,
      PORTS.kubeApi,
      subnet,
      "Kubernetes API on the VIP from cluster nodes",
    );
    for (const cidr of admins) {
      tcp(
        "ingress",
        `kube-api-admin-${cidrKey(cidr)}`,
        PORTS.kubeApi,
        PORTS.kubeApi,
        { cidr },
        "Kubernetes API on the VIP from an admin network",
      );
    }
    tcp(
      "ingress",
      "supervisor-nodes",
      PORTS.rke2Supervisor,
      PORTS.rke2Supervisor,
      subnet,
      "RKE2 registration on the VIP from cluster nodes only",
    );
    tcp(
      "ingress",
      "http-any",
      PORTS.http,
      PORTS.http,
      { cidr: ANYWHERE },
      "Public HTTP ingress on the VIP (redirects to HTTPS, ACME challenges)",
    );
    tcp(
      "ingress",
      "https-any",
      PORTS.https,
      PORTS.https,
      { cidr: ANYWHERE },
      "Public HTTPS ingress on the VIP",
    );
    rules.push({
      key: "ingress-vrrp",
      role: "ingress",
      direction: "ingress",
      protocol: "vrrp",
      remote: subnet,
      description: "keepalived VRRP adverts between ingress nodes, cluster subnet only",
    });
    rules.push(nodeEgress("ingress"));
  }
  return rules;
}

function nodeEgress(role: SecurityRole): SecurityRule {
  return {
    key: `${role}-egress-all`,
    role,
    direction: "egress",
    protocol: "any",
    remote: { cidr: ANYWHERE },
    description:
      "Stated default egress: nodes pull images and charts, reach the OpenStack APIs, DNS, NTP and ACME",
  };
}

/** A CIDR as a name fragment: `203.0.113.0/24` → `203.0.113.0-24`. */
export function cidrKey(cidr: string): string {
  return cidr.replace("/", "-");
}

function checkInput(input: SecurityRulesInput): void {
  const problems: string[] = [];
  const cidr = (field: string, text: string) => {
    const parsed = parseCidr(text);
    if (isCidr(parsed)) return parsed;
    problems.push(`${field}: ${parsed.error} (got ${JSON.stringify(text)})`);
    return undefined;
  };
  const subnet = cidr("subnetCidr", input.subnetCidr);
  const pods = cidr("podCidr", input.podCidr);
  if (subnet !== undefined && pods !== undefined && cidrsOverlap(subnet, pods)) {
    problems.push(
      `podCidr: overlaps the subnet (got ${input.podCidr}; subnet ${input.subnetCidr}); rules trust the subnet as cluster nodes`,
    );
  }
  input.adminCidrs.forEach((text, i) => {
    if (cidr(`adminCidrs[${i}]`, text)?.prefixLength === 0) {
      problems.push(
        `adminCidrs[${i}]: would open SSH and the Kubernetes API to the internet (got ${text}; allowed: a prefix of /1 or longer)`,
      );
    }
  });
  if (problems.length > 0) throw new Error(`invalid security rule inputs:\n  ${problems.join("\n  ")}`);
}
