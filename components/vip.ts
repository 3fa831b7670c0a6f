/**
 * A VIP of the keepalived topology: a Neutron port that reserves a fixed address on the cluster subnet
 * without being bound to any server, and a floating IP on that port. A cluster has two:
 * - `api`: held by the servers (Kubernetes API 6443, RKE2 registration 9345);
 * - `ingress`: held by the dedicated ingress nodes (80/443).
 * keepalived on the holders moves the address between them; Neutron lets their ports answer for it because
 * they carry `allowedAddressPair` (this VIP alone), and the floating IP follows because it targets the VIP
 * port.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ResourceIdentity, resourceTags, TAG_KEYS, typeToken, VIP_HOLDER_ROLE } from "./conventions";
import { parseIpv4 } from "../spec/ipv4";

/** What a VIP serves, and so who holds it. */
export type VipPurpose = keyof typeof VIP_HOLDER_ROLE;

const HOLDERS: Readonly<Record<VipPurpose, string>> = {
  api: "server",
  ingress: "ingress node",
};

/**
 * keepalived priority of the holder at `index`: descending, so that with every holder `state BACKUP` and
 * `nopreempt` the first one whose check passes (server 0, which initialises the cluster) wins the first
 * election, and a recovering holder never takes the VIP back.
 */
export function keepalivedPriority(index: number): number {
  return Math.max(1, 200 - 10 * index);
}

export interface VipArgs {
  /** Cluster and environment stamped onto the port and floating IP as tags. */
  readonly identity: ResourceIdentity;
  /** `api` (held by the servers) or `ingress` (held by the ingress nodes); names the port. */
  readonly purpose: VipPurpose;
  /** Network the VIP port lives on. */
  readonly networkId: pulumi.Input<string>;
  /** Subnet the VIP address belongs to. */
  readonly subnetId: pulumi.Input<string>;
  /** The VIP, a fixed address of the subnet outside its DHCP allocation pool. */
  readonly address: string;
  /** Pool the floating IP is allocated from. */
  readonly floatingIpPool: string;
  /** Groups on the VIP port (its holders' group); the port must never fall back to the project default. */
  readonly securityGroupIds: pulumi.Input<string>[];
}

export class Vip extends pulumi.ComponentResource {
  readonly portId: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly floatingIp: pulumi.Output<string>;
  /** The allowed-address-pair entry the holders' ports must carry: exactly the VIP /32, never wider. */
  readonly allowedAddressPair: { ipAddress: string };

  constructor(name: string, args: VipArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("network", "Vip"), name, {}, opts);
    const problems: string[] = [];
    if (parseIpv4(args.address) === undefined)
      problems.push(`address: not an IPv4 address (got ${JSON.stringify(args.address)})`);
    if (args.securityGroupIds.length === 0)
      problems.push("securityGroupIds: empty (the port would get the project's default group)");
    if (problems.length > 0) throw new Error(`invalid VIP arguments:\n  ${problems.join("\n  ")}`);

    const port = new openstack.networking.Port(
      `${name}-port`,
      {
        name: `${args.identity.cluster}-${args.purpose}-vip`,
        description: `keepalived ${args.purpose} VIP (reserved; held by whichever ${HOLDERS[args.purpose]} is master)`,
        networkId: args.networkId,
        fixedIps: [{ subnetId: args.subnetId, ipAddress: args.address }],
        securityGroupIds: args.securityGroupIds,
        portSecurityEnabled: true,
        adminStateUp: true,
        tags: [...resourceTags(args.identity, "vip"), `${TAG_KEYS.vip}=${args.purpose}`],
      },
      { parent: this },
    );
    const fip = new openstack.networking.FloatingIp(
      `${name}-fip`,
      {
        pool: args.floatingIpPool,
        portId: port.id,
        fixedIp: args.address,
        description: `public address of the ${args.purpose} VIP of ${args.identity.cluster}`,
        tags: resourceTags(args.identity, "vip"),
      },
      { parent: this },
    );

    this.portId = port.id;
    // Read back from the port so that dependents wait for the reservation to exist.
    this.address = port.allFixedIps.apply((ips) => ips[0] ?? args.address);
    this.floatingIp = fip.address;
    // A bare address is a /32 to Neutron and is the form its CLI documents for allowed address pairs.
    this.allowedAddressPair = { ipAddress: args.address };
    this.registerOutputs({ portId: this.portId, address: this.address, floatingIp: this.floatingIp });
  }
}
