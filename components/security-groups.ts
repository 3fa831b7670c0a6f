/**
 * One security group per role (servers, agents, ingress nodes, and the load balancers in the octavia
 * topology), each created with `deleteDefaultRules` so that nothing is implicit, filled with the rules
 * `deriveSecurityRules` computes from the flow table. Nodes carry their role's groups (`NODE_GROUPS`:
 * keepalived ingress nodes, being RKE2 agents, carry both the agent and the ingress group); each VIP port
 * carries its holders' group.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ResourceIdentity, Role, resourceTags, typeToken } from "./conventions";
import { NodeRole } from "../spec/types";
import { NODE_GROUPS } from "./flows";
import { SecurityRole, SecurityRule, deriveSecurityRules } from "./security-rules";

export interface SecurityGroupsArgs {
  /** Cluster and environment stamped onto every group as tags. */
  readonly identity: ResourceIdentity;
  /** The cluster subnet; the source meaning "cluster nodes". */
  readonly subnetCidr: string;
  /** RKE2 `cluster-cidr`; checked not to overlap the subnet. */
  readonly podCidr: string;
  /** Networks allowed to reach SSH and the Kubernetes API; may be empty (then nobody outside can). */
  readonly adminCidrs: readonly string[];
  /** The CNI whose node-to-node ports are opened inside the subnet. */
  readonly cni: "canal" | "cilium" | "calico";
  /** Ingress topology: decides whether a load-balancer group exists and who is public on 80/443. */
  readonly topology: "octavia" | "keepalived";
}

const TAG_ROLE: Readonly<Record<SecurityRole, Role>> = {
  server: "server",
  agent: "agent",
  ingress: "ingress",
  loadbalancer: "loadbalancer",
};

function groupDescription(role: SecurityRole, topology: SecurityGroupsArgs["topology"]): string {
  switch (role) {
    case "server":
      return topology === "keepalived"
        ? "RKE2 servers holding the API VIP: Kubernetes API, supervisor, etcd and VRRP between servers, kubelet, CNI"
        : "RKE2 servers: Kubernetes API, supervisor, etcd between servers, kubelet, CNI";
    case "agent":
      return "RKE2 agents: kubelet, CNI and NodePorts inside the cluster subnet";
    case "ingress":
      return topology === "keepalived"
        ? "Ingress nodes holding the ingress VIP: public 80/443, admission webhook from servers, VRRP between them"
        : "Ingress role: no dedicated ingress nodes in the octavia topology, egress only";
    case "loadbalancer":
      return "Octavia load balancers: API for admins and nodes, registration for nodes, public 80/443";
  }
}

export class SecurityGroups extends pulumi.ComponentResource {
  readonly serverGroupId: pulumi.Output<string>;
  readonly agentGroupId: pulumi.Output<string>;
  readonly ingressGroupId: pulumi.Output<string>;
  /** Present in the octavia topology only. */
  readonly loadBalancerGroupId: pulumi.Output<string> | undefined;
  /** The rules as derived (plain data), for programs and reports. */
  readonly rules: readonly SecurityRule[];
  private readonly groupIds = new Map<SecurityRole, pulumi.Output<string>>();

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("network", "SecurityGroups"), name, {}, opts);
    this.rules = deriveSecurityRules(args);

    const roles: SecurityRole[] = ["server", "agent", "ingress"];
    if (args.topology === "octavia") roles.push("loadbalancer");
    const groups = new Map<SecurityRole, openstack.networking.SecGroup>();
    for (const role of roles) {
      groups.set(
        role,
        new openstack.networking.SecGroup(
          `${name}-${role}`,
          {
            name: `${args.identity.cluster}-${role}`,
            description: groupDescription(role, args.topology),
            // Neutron's default rules allow all egress implicitly; every rule here is stated instead.
            deleteDefaultRules: true,
            tags: resourceTags(args.identity, TAG_ROLE[role]),
          },
          { parent: this },
        ),
      );
    }
    const groupId = (role: SecurityRole): pulumi.Output<string> => {
      const group = groups.get(role);
      if (group === undefined)
        throw new Error(`security rule refers to the ${role} group, which this topology lacks`);
      return group.id;
    };

    for (const rule of this.rules) {
      const remote =
        "cidr" in rule.remote
          ? { remoteIpPrefix: rule.remote.cidr }
          : { remoteGroupId: groupId(rule.remote.group) };
      new openstack.networking.SecGroupRule(
        `${name}-${rule.key}`,
        {
          securityGroupId: groupId(rule.role),
          direction: rule.direction,
          ethertype: "IPv4",
          protocol: rule.protocol === "any" ? undefined : rule.protocol,
          portRangeMin: rule.ports?.min,
          portRangeMax: rule.ports?.max,
          description: rule.description,
          ...remote,
        },
        { parent: this },
      );
    }

    for (const [role, group] of groups) this.groupIds.set(role, group.id);
    this.serverGroupId = groupId("server");
    this.agentGroupId = groupId("agent");
    this.ingressGroupId = groupId("ingress");
    this.loadBalancerGroupId = groups.has("loadbalancer") ? groupId("loadbalancer") : undefined;
    this.registerOutputs({
      serverGroupId: this.serverGroupId,
      agentGroupId: this.agentGroupId,
      ingressGroupId: this.ingressGroupId,
      loadBalancerGroupId: this.loadBalancerGroupId,
    });
  }

  /** The IDs of the groups a node of `role` carries on its port (`NODE_GROUPS`). */
  groupIdsFor(role: NodeRole): pulumi.Output<string>[] {
    return NODE_GROUPS[role].map((r) => {
      const id = this.groupIds.get(r);
      if (id === undefined) throw new Error(`internal: no ${r} group for ${role} nodes`);
      return id;
    });
  }
}
