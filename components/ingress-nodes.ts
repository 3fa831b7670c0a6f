/**
 * The keepalived topology's dedicated ingress nodes: N RKE2 agents in one server group, each on a port
 * with a fixed address whose only allowed address pair is the ingress VIP. keepalived (unicast VRRP between
 * the ingress nodes, `nopreempt`, a health check on the ingress controller) moves the VIP between them.
 * They carry INGRESS_LABEL and INGRESS_TAINT, so the ingress controller runs there and nothing else does.
 *
 * Like every agent they register through the API VIP, which the servers hold: the ingress VIP serves
 * ingress (80/443) only.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { IngressNodes as IngressNodesSpec, ServerGroupPolicy } from "../spec/types";
import { INGRESS_LABEL, INGRESS_TAINT, ResourceIdentity, typeToken } from "./conventions";
import { renderKeepalivedNode } from "./keepalived/render";
import { availabilityZoneFor, createNodeInstance } from "./rke2/node-instance";
import { keepalivedPriority } from "./vip";
import { agentUserDataRenderer, type AgentJoin } from "./rke2/agent-join";

export interface IngressNodesArgs extends AgentJoin {
  /** Cluster and environment stamped onto every resource. */
  readonly identity: ResourceIdentity;
  /** Flavor, image and availability zones (round-robin) of the ingress nodes. */
  readonly nodes: IngressNodesSpec;
  /** One fixed address per ingress node (see rke2/fixed-addresses.ts); their count is the node count. */
  readonly fixedAddresses: readonly string[];
  /** keepalived settings; `vip` must equal the Vip component's address. */
  readonly keepalived: {
    readonly vip: string;
    /** keepalived `virtual_router_id`, unique per cluster in an environment. */
    readonly virtualRouterId: number;
    /** keepalived `advert_int`. */
    readonly advertIntervalSeconds: number;
    /**
     * The NIC keepalived binds to: an override for images whose interface name is known.
     * @default detected at boot (the interface holding the node's fixed address, else the default route's)
     */
    readonly interfaceName?: string;
  };
  /** The Vip component's `allowedAddressPair` (the VIP /32 only). */
  readonly vipAllowedAddressPair: { readonly ipAddress: string };
  readonly networkId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
  /** Groups on every ingress port (the ingress group, which allows VRRP inside the subnet). */
  readonly securityGroupIds: pulumi.Input<string>[];
  /**
   * Server group policy for the ingress nodes.
   * @default "anti-affinity"
   */
  readonly serverGroupPolicy?: ServerGroupPolicy;
  /**
   * Nova key pair for the image's login user.
   * @default no key pair
   */
  readonly keyPair?: pulumi.Input<string>;
}

export class IngressNodes extends pulumi.ComponentResource {
  readonly serverGroupId: pulumi.Output<string>;
  /** Node names (`<name>-ingress-<i>`), in index order. */
  readonly nodeNames: readonly string[];
  /** Fixed addresses, in index order. */
  readonly nodeAddresses: pulumi.Output<string[]>;
  /** The Nova instance per node name (what a node's drain depends on, components/node-drain.ts). */
  readonly instances: Readonly<Record<string, openstack.compute.Instance>>;

  constructor(name: string, args: IngressNodesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("rke2", "IngressNodes"), name, {}, opts);
    const addresses = args.fixedAddresses;
    const problems: string[] = [];
    if (addresses.length < 2)
      problems.push(`fixedAddresses: keepalived needs two nodes or more (got ${addresses.length})`);
    if (args.vipAllowedAddressPair.ipAddress !== args.keepalived.vip) {
      problems.push(
        `vipAllowedAddressPair: must be the VIP alone (got ${args.vipAllowedAddressPair.ipAddress}; allowed ${args.keepalived.vip})`,
      );
    }
    if (args.securityGroupIds.length === 0)
      problems.push("securityGroupIds: empty (ports would get the default group)");
    if (problems.length > 0) throw new Error(`invalid ingress node arguments:\n  ${problems.join("\n  ")}`);

    const group = new openstack.compute.ServerGroup(
      `${name}-ingress`,
      { name: `${args.identity.cluster}-ingress`, policies: [args.serverGroupPolicy ?? "anti-affinity"] },
      { parent: this },
    );

    const userDataFor = agentUserDataRenderer(args);
    const names: string[] = [];
    const instances: Record<string, openstack.compute.Instance> = {};
    addresses.forEach((nodeIp, i) => {
      const nodeName = `${name}-ingress-${i}`;
      const keepalived = renderKeepalivedNode({
        group: "ingress",
        routerId: nodeName,
        ...(args.keepalived.interfaceName !== undefined
          ? { interfaceName: args.keepalived.interfaceName }
          : {}),
        virtualRouterId: args.keepalived.virtualRouterId,
        priority: keepalivedPriority(i),
        unicastSourceIp: nodeIp,
        unicastPeers: addresses.filter((a) => a !== nodeIp),
        vip: args.keepalived.vip,
        vipPrefixLength: 32,
        advertIntervalSeconds: args.keepalived.advertIntervalSeconds,
      });
      // Like every agent it registers through the API VIP (registrationAddress), which the servers hold.
      const userData = userDataFor({
        nodeName,
        nodeIp,
        labels: { [INGRESS_LABEL.key]: INGRESS_LABEL.value },
        taints: [INGRESS_TAINT],
        extra: { files: keepalived.files, packages: keepalived.packages, extraServices: keepalived.services },
      });
      const node = createNodeInstance(
        nodeName,
        {
          identity: args.identity,
          role: "ingress",
          flavorName: args.nodes.flavor,
          imageId: args.nodes.imageId,
          availabilityZone: availabilityZoneFor(args.nodes.availabilityZones, i),
          rootVolumeGb: 0,
          keyPair: args.keyPair,
          serverGroupId: group.id,
          networkId: args.networkId,
          subnetId: args.subnetId,
          securityGroupIds: args.securityGroupIds,
          fixedIp: nodeIp,
          allowedAddressPairs: [args.vipAllowedAddressPair],
          userData,
        },
        this,
      );
      names.push(nodeName);
      instances[nodeName] = node.instance;
    });

    this.serverGroupId = group.id;
    this.nodeNames = names;
    this.nodeAddresses = pulumi.output([...addresses]);
    this.instances = instances;
    this.registerOutputs({ serverGroupId: this.serverGroupId, nodeAddresses: this.nodeAddresses });
  }
}
