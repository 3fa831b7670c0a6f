/**
 * The security-group rules of a cluster as plain data, derived from the flow table (flows.ts): one ingress
 * rule per flow and target group (one per admin CIDR for admin flows), plus each group's stated egress.
 * `SecurityGroups` turns each entry into one `SecGroupRule`.
 *
 * Principles: every rule names its source (a CIDR or a group; Neutron reads "no remote" as "anyone"), every
 * rule says why it exists, "cluster nodes" means the subnet CIDR, and only the ingress role (keepalived) or
 * the load balancer (octavia) is reachable from the internet, on 80/443 only.
 */
import { cidrsOverlap, isCidr, parseCidr } from "../spec/ipv4";
import { Flow, requiredFlows } from "./flows";

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

/** Derives every rule of every group from the flow table. Throws one error naming every invalid input. */
export function deriveSecurityRules(input: SecurityRulesInput): SecurityRule[] {
  checkInput(input);
  const admins = [...new Set(input.adminCidrs)].sort();
  const rules: SecurityRule[] = [];
  for (const flow of requiredFlows(input)) {
    for (const role of flow.to) {
      for (const [suffix, remote] of remotesOf(flow, input.subnetCidr, admins)) {
        rules.push({
          key: `${role}-${flow.key}${suffix}`,
          role,
          direction: "ingress",
          protocol: flow.protocol,
          ...(flow.ports !== undefined ? { ports: flow.ports } : {}),
          remote,
          description: flow.why,
        });
      }
    }
  }
  rules.push(nodeEgress("server"), nodeEgress("agent"), nodeEgress("ingress"));
  if (input.topology === "octavia") {
    rules.push({
      key: "loadbalancer-egress-subnet",
      role: "loadbalancer",
      direction: "egress",
      protocol: "any",
      remote: { cidr: input.subnetCidr },
      description: "Load balancers only talk to members and health-check them inside the cluster subnet",
    });
  }
  return rules;
}

/** The rule sources of a flow, each with the key suffix that keeps rule keys unique. */
function remotesOf(flow: Flow, subnetCidr: string, admins: readonly string[]): [string, RuleRemote][] {
  switch (flow.from) {
    case "nodes":
      return [["", { cidr: subnetCidr }]];
    case "internet":
      return [["", { cidr: ANYWHERE }]];
    case "admins":
      // Named after the CIDR, so that removing one admin network renames no other rule.
      return admins.map((cidr) => [`-${cidrKey(cidr)}`, { cidr }]);
    default:
      return [["", { group: flow.from }]];
  }
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
