/**
 * The cluster's private network: a network, one IPv4 subnet whose DHCP allocation pool leaves room below
 * it for the VIP and other fixed addresses, and a router uplinked to the environment's external network.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ResourceIdentity, resourceTags, typeToken } from "./conventions";
import { cidrContains, isCidr, parseCidr, parseIpv4 } from "../spec/ipv4";

export interface NetworkArgs {
  /** Cluster and environment stamped onto every resource as tags. */
  readonly identity: ResourceIdentity;
  /** The subnet, e.g. `10.0.50.0/24`. */
  readonly subnetCidr: string;
  /** Gateway address inside the subnet and outside the allocation pool (the router's interface). */
  readonly gatewayIp: string;
  /** Resolvers handed out by DHCP. */
  readonly dnsServers: readonly string[];
  /** DHCP allocation pool; addresses of the subnet outside it are free for the VIP and fixed addresses. */
  readonly allocationPool: { readonly start: string; readonly end: string };
  /** Network MTU in bytes (overlay CNIs subtract their header from it). */
  readonly mtu: number;
  /** ID of the external network the router uplinks to */
  readonly externalNetworkId: pulumi.Input<string>;
}

export class Network extends pulumi.ComponentResource {
  readonly networkId: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  readonly routerId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("network", "Network"), name, {}, opts);
    checkNetworkArgs(args);
    const tags = resourceTags(args.identity, "network");

    const network = new openstack.networking.Network(
      `${name}-network`,
      {
        name: `${args.identity.cluster}-network`,
        adminStateUp: true,
        mtu: args.mtu,
        // Stated so that a cloud default can never turn anti-spoofing and security groups off.
        portSecurityEnabled: true,
        tags,
      },
      { parent: this },
    );
    const subnet = new openstack.networking.Subnet(
      `${name}-subnet`,
      {
        name: `${args.identity.cluster}-subnet`,
        networkId: network.id,
        ipVersion: 4,
        cidr: args.subnetCidr,
        gatewayIp: args.gatewayIp,
        enableDhcp: true,
        dnsNameservers: [...args.dnsServers],
        allocationPools: [{ start: args.allocationPool.start, end: args.allocationPool.end }],
        tags,
      },
      { parent: this },
    );
    const router = new openstack.networking.Router(
      `${name}-router`,
      {
        name: `${args.identity.cluster}-router`,
        adminStateUp: true,
        externalNetworkId: args.externalNetworkId,
        tags,
      },
      { parent: this },
    );
    new openstack.networking.RouterInterface(
      `${name}-router-interface`,
      { routerId: router.id, subnetId: subnet.id },
      { parent: this },
    );

    this.networkId = network.id;
    this.subnetId = subnet.id;
    this.routerId = router.id;
    this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId, routerId: this.routerId });
  }
}

/** Throws one error naming every inconsistency between the subnet, its gateway, pool, resolvers and MTU. */
export function checkNetworkArgs(args: Omit<NetworkArgs, "identity" | "externalNetworkId">): void {
  const problems: string[] = [];
  const parsedSubnet = parseCidr(args.subnetCidr);
  const subnet = isCidr(parsedSubnet) ? parsedSubnet : undefined;
  if (!isCidr(parsedSubnet))
    problems.push(`subnetCidr: ${parsedSubnet.error} (got ${JSON.stringify(args.subnetCidr)})`);
  const address = (field: string, value: string): number | undefined => {
    const ip = parseIpv4(value);
    if (ip === undefined) problems.push(`${field}: not an IPv4 address (got ${JSON.stringify(value)})`);
    else if (subnet !== undefined && !cidrContains(subnet, ip))
      problems.push(`${field}: outside the subnet (got ${value}; allowed: inside ${args.subnetCidr})`);
    return ip;
  };
  const gateway = address("gatewayIp", args.gatewayIp);
  const start = address("allocationPool.start", args.allocationPool.start);
  const end = address("allocationPool.end", args.allocationPool.end);
  if (start !== undefined && end !== undefined && start > end) {
    problems.push(
      `allocationPool: start after end (got ${args.allocationPool.start}–${args.allocationPool.end})`,
    );
  }
  if (
    gateway !== undefined &&
    start !== undefined &&
    end !== undefined &&
    gateway >= start &&
    gateway <= end
  ) {
    problems.push(`gatewayIp: inside the allocation pool (got ${args.gatewayIp}; DHCP would hand it out)`);
  }
  args.dnsServers.forEach((server, i) => {
    if (parseIpv4(server) === undefined)
      problems.push(`dnsServers[${i}]: not an IPv4 address (got ${JSON.stringify(server)})`);
  });
  if (!Number.isInteger(args.mtu) || args.mtu < 1280 || args.mtu > 9216) {
    problems.push(`mtu: out of range (got ${args.mtu}; allowed: an integer from 1280 to 9216)`);
  }
  if (problems.length > 0) throw new Error(`invalid network arguments:\n  ${problems.join("\n  ")}`);
}
