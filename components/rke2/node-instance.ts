/**
 * One RKE2 node: a Neutron port (so that security groups are attached by ID and fixed addresses and
 * allowed address pairs can be set) and a Nova instance booted on it. Shared by the control plane, node
 * pools and ingress nodes so that every node is built the same way; callers pass `parent`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ResourceIdentity, instanceMetadata, resourceTags } from "../conventions";
import {
  BOOT_CONFIG_METADATA_KEY,
  NODE_BOOT_PROPERTIES,
  NODE_PLACEMENT_PROPERTIES,
  bootConfigDigest,
} from "./boot-config";

export type NodeRole = "server" | "agent" | "gpu" | "ingress";

export interface NodeInstanceArgs {
  readonly identity: ResourceIdentity;
  readonly role: NodeRole;
  readonly flavorName: string;
  /** Glance image ID. */
  readonly imageId: string;
  /** Nova availability zone; undefined lets the scheduler choose. */
  readonly availabilityZone: string | undefined;
  /** Root volume size; 0 boots from the flavor's ephemeral disk. */
  readonly rootVolumeGb: number;
  readonly keyPair: pulumi.Input<string> | undefined;
  readonly serverGroupId: pulumi.Input<string>;
  readonly networkId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  /** Fixed address on the subnet; undefined takes one from DHCP. */
  readonly fixedIp: string | undefined;
  /** Extra addresses the port may answer for (the keepalived VIP on ingress nodes). */
  readonly allowedAddressPairs: readonly { readonly ipAddress: string }[];
  /** Secret: it carries join tokens (and CA keys on the first server). */
  readonly userData: pulumi.Output<string>;
}

export interface NodeInstance {
  readonly port: openstack.networking.Port;
  readonly instance: openstack.compute.Instance;
  /** The node's address on the cluster subnet. */
  readonly address: pulumi.Output<string>;
}

/** Creates `<name>-port` and `<name>` (the instance, also named `<name>` in Nova and Kubernetes). */
export function createNodeInstance(
  name: string,
  args: NodeInstanceArgs,
  parent: pulumi.Resource,
): NodeInstance {
  const tags = resourceTags(args.identity, args.role);
  const port = new openstack.networking.Port(
    `${name}-port`,
    {
      name: `${name}-port`,
      networkId: args.networkId,
      fixedIps: [
        { subnetId: args.subnetId, ...(args.fixedIp !== undefined ? { ipAddress: args.fixedIp } : {}) },
      ],
      securityGroupIds: args.securityGroupIds,
      portSecurityEnabled: true,
      adminStateUp: true,
      ...(args.allowedAddressPairs.length > 0
        ? { allowedAddressPairs: args.allowedAddressPairs.map((p) => ({ ipAddress: p.ipAddress })) }
        : {}),
      tags,
    },
    { parent },
  );
  // A digest, not the user data: metadata is served to anything on the node and shown in previews.
  const bootConfig = pulumi.unsecret(
    args.userData.apply((userData) =>
      bootConfigDigest({
        userData,
        imageId: args.imageId,
        rootVolumeGb: args.rootVolumeGb,
        availabilityZone: args.availabilityZone,
      }),
    ),
  );
  const instance = new openstack.compute.Instance(
    name,
    {
      name,
      flavorName: args.flavorName,
      imageId: args.imageId,
      ...(args.keyPair !== undefined ? { keyPair: args.keyPair } : {}),
      ...(args.availabilityZone !== undefined ? { availabilityZone: args.availabilityZone } : {}),
      networks: [{ port: port.id }],
      schedulerHints: [{ group: args.serverGroupId }],
      // A map of known values with only the digest unknown on a first preview (it hashes the user data,
      // which embeds the PKI): the tag rules then decide on the known keys (ADR 0004).
      metadata: { ...instanceMetadata(args.identity, args.role), [BOOT_CONFIG_METADATA_KEY]: bootConfig },
      tags,
      userData: pulumi.secret(args.userData),
      ...(args.rootVolumeGb > 0
        ? {
            blockDevices: [
              {
                sourceType: "image",
                uuid: args.imageId,
                destinationType: "volume",
                volumeSize: args.rootVolumeGb,
                bootIndex: 0,
                deleteOnTermination: true,
              },
            ],
          }
        : {}),
    },
    {
      parent,
      additionalSecretOutputs: ["userData"],
      // Nodes are long-lived: a change of what a node boots with (user data, image, root disk, zone)
      // would replace or rebuild every node at once, splitting etcd or wiping its data. Running nodes keep
      // their boot config; the metadata digest shows which are out of date (see rke2/boot-config.ts).
      ignoreChanges: [...NODE_BOOT_PROPERTIES, ...NODE_PLACEMENT_PROPERTIES],
      // A replacement must release the fixed-address port before the new instance attaches it (Nova
      // refuses a port another instance holds), so the old instance goes first.
      deleteBeforeReplace: true,
    },
  );
  const address =
    args.fixedIp !== undefined
      ? pulumi.output(args.fixedIp)
      : port.allFixedIps.apply((ips) => {
          const first = ips[0];
          if (first === undefined) throw new Error(`${name}: port has no fixed IP`);
          return first;
        });
  return { port, instance, address };
}

/** Availability zone for node `index`: round-robin over the list, or none. */
export function availabilityZoneFor(zones: readonly string[], index: number): string | undefined {
  return zones.length === 0 ? undefined : zones[index % zones.length];
}
