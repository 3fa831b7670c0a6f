/**
 * The RKE2 servers: an odd number of instances in one server group (hard anti-affinity unless the spec
 * says otherwise), each on a port with a fixed address. Server 0 initialises the cluster with the
 * Pulumi-generated CAs written to disk before RKE2 starts; the others join through the fixed
 * registration address (the API VIP the servers hold, or the Octavia API load balancer) with a
 * CA-pinned token.
 *
 * In the keepalived topology the servers hold the API VIP themselves: keepalived on every server (unicast
 * VRRP between their fixed addresses, RKE2's supervisor `/ping` as the check), and each server port allows
 * exactly that address. Server 0 has the highest priority and is the only server whose check can pass
 * before anyone has joined, so it holds the VIP first; `nopreempt` keeps the VIP where it is afterwards.
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { ControlPlane as ControlPlaneSpec, Rke2Settings } from "../spec/types";
import { ResourceIdentity, typeToken } from "./conventions";
import { renderKeepalivedNode } from "./keepalived/render";
import { keepalivedPriority } from "./vip";
import { ClusterPki } from "./cluster-pki";
import { WriteFile } from "./rke2/cloud-init";
import { availabilityZoneFor, createNodeInstance } from "./rke2/node-instance";
import { KeyPairPem, joinToken } from "./rke2/pki";
import { NodeExtras, ServerCaFiles, serverUserData } from "./rke2/user-data";
import { nodePassword } from "./rke2/node-password";
import type { RegistryAuth } from "./rke2/cloud-init";

/** The parts of the cluster PKI servers need; `ClusterPki` provides them. */
export type ServerPki = Pick<
  ClusterPki,
  | "serverCaCert"
  | "serverCaKey"
  | "clientCaCert"
  | "clientCaKey"
  | "requestHeaderCaCert"
  | "requestHeaderCaKey"
  | "etcdServerCaCert"
  | "etcdServerCaKey"
  | "etcdPeerCaCert"
  | "etcdPeerCaKey"
  | "serviceAccountKey"
  | "serverTokenSecret"
  | "agentTokenSecret"
  | "caHash"
>;

export interface ControlPlaneArgs {
  /** Cluster and environment stamped onto every resource. */
  readonly identity: ResourceIdentity;
  /** Count (odd), flavor, image, availability zones (round-robin), server group policy, root volume. */
  readonly servers: ControlPlaneSpec;
  /** RKE2 version and server settings (CNI, CIDRs, CIS profile, secrets encryption, etcd snapshots). */
  readonly rke2: Rke2Settings;
  readonly networkId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
  /** Groups on every server port (the server group). */
  readonly securityGroupIds: pulumi.Input<string>[];
  /** One fixed address per server, in index order (see rke2/fixed-addresses.ts). */
  readonly fixedAddresses: readonly string[];
  /** Where servers 1..n-1 join: the keepalived VIP or the Octavia API VIP. */
  readonly registrationAddress: string;
  /** RKE2 `tls-san`: endpoint address, floating IP, API DNS name. The registration address is always added. */
  readonly tlsSans: pulumi.Input<string>[];
  readonly pki: ServerPki;
  /**
   * Nova key pair for the image's login user.
   * @default no key pair
   */
  readonly keyPair?: pulumi.Input<string>;
  /**
   * Files only server 0 writes, e.g. RKE2 auto-deploy manifests (an Output when they name a resource's
   * address, such as the ingress floating IP).
   * @default []
   */
  readonly firstServerManifests?: pulumi.Input<readonly WriteFile[]>;
  /**
   * keepalived topology: the API VIP the servers hold; `address` must be the registration address.
   * @default none (octavia: the API load balancer is the registration address)
   */
  readonly apiVip?: ApiVipHolding;
  /**
   * The stack records that this cluster was initialised (`clusterInitialised`, a stack output set once
   * the readiness gate passed): server-0 is then rendered join-only, so a rebuilt server-0 can never
   * start a second etcd cluster, whatever it finds at boot.
   * @default false (server-0 may initialise when nothing answers and it has no etcd data)
   */
  readonly clusterInitialised?: boolean;
  /**
   * registries.yaml credentials per registry host, read from Vault by the program (a secret).
   * @default none
   */
  readonly registryAuth?: pulumi.Input<Readonly<Record<string, RegistryAuth>>>;
}

/** How the servers hold the API VIP with keepalived. */
export interface ApiVipHolding {
  /** The API VIP (`virtual_ipaddress`). */
  readonly address: string;
  /** The API Vip component's `allowedAddressPair` (this VIP alone), put on every server port. */
  readonly allowedAddressPair: { readonly ipAddress: string };
  /** keepalived `virtual_router_id` of the API group; differs from the ingress group's. */
  readonly virtualRouterId: number;
  /** keepalived `advert_int`. */
  readonly advertIntervalSeconds: number;
  /**
   * The NIC keepalived binds to.
   * @default detected at boot (the interface holding the node's fixed address, else the default route's)
   */
  readonly interfaceName?: string;
}

export class ControlPlane extends pulumi.ComponentResource {
  readonly serverGroupId: pulumi.Output<string>;
  /** Server node names (`<name>-server-<i>`), in index order. */
  readonly serverNames: readonly string[];
  /** Fixed addresses, in index order. */
  readonly serverAddresses: pulumi.Output<string[]>;
  /** Address per node name, for load balancer members. */
  readonly addressesByNode: Readonly<Record<string, pulumi.Output<string>>>;
  /** The Nova instance per node name (what a node's drain depends on, components/node-drain.ts). */
  readonly instances: Readonly<Record<string, openstack.compute.Instance>>;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("rke2", "ControlPlane"), name, {}, opts);
    const count = args.servers.count;
    const problems: string[] = [];
    if (!Number.isInteger(count) || count < 1 || count % 2 === 0) {
      problems.push(`servers.count: etcd needs an odd number of servers (got ${count}; allowed 1, 3, 5, …)`);
    }
    if (args.fixedAddresses.length !== count) {
      problems.push(
        `fixedAddresses: one per server (got ${args.fixedAddresses.length} for ${count} servers)`,
      );
    }
    if (args.securityGroupIds.length === 0)
      problems.push("securityGroupIds: empty (ports would get the default group)");
    const vip = args.apiVip;
    if (vip !== undefined) {
      if (vip.allowedAddressPair.ipAddress !== vip.address)
        problems.push(
          `apiVip.allowedAddressPair: must be the API VIP alone (got ${vip.allowedAddressPair.ipAddress}; allowed ${vip.address})`,
        );
      if (args.registrationAddress !== vip.address)
        problems.push(
          `registrationAddress: servers and agents register through the API VIP (got ${args.registrationAddress}; allowed ${vip.address})`,
        );
    }
    if (problems.length > 0) throw new Error(`invalid control plane arguments:\n  ${problems.join("\n  ")}`);

    const group = new openstack.compute.ServerGroup(
      `${name}-servers`,
      { name: `${args.identity.cluster}-servers`, policies: [args.servers.serverGroupPolicy] },
      // `policies` is ForceNew (terraform-provider-openstack v1.54.1 resource_openstack_compute_servergroup_v2.go
      // line 41), and Nova cannot move running servers into a new group: a changed policy applies to a
      // cluster built anew, never by replacing the group (and with it, through the hints, every server).
      { parent: this, ignoreChanges: ["policies"] },
    );

    const pki = args.pki;
    const tlsSans = pulumi.all([args.registrationAddress, ...args.tlsSans]);
    const pair = (cert: pulumi.Output<string>, key: pulumi.Output<string>): pulumi.Output<KeyPairPem> =>
      pulumi.all([cert, key]).apply(([c, k]) => ({ cert: c, key: k }));
    const ca: pulumi.Output<ServerCaFiles> = pulumi.output({
      serverCa: pair(pki.serverCaCert, pki.serverCaKey),
      clientCa: pair(pki.clientCaCert, pki.clientCaKey),
      requestHeaderCa: pair(pki.requestHeaderCaCert, pki.requestHeaderCaKey),
      etcdServerCa: pair(pki.etcdServerCaCert, pki.etcdServerCaKey),
      etcdPeerCa: pair(pki.etcdPeerCaCert, pki.etcdPeerCaKey),
      serviceAccountKey: pki.serviceAccountKey,
    });

    // Server-0 looks for a running cluster at its peers' own addresses, and at the API VIP when the
    // servers hold it; not at an Octavia load balancer, which may accept and drop while no member is
    // healthy (see rke2/bootstrap-script.ts: any such answer keeps a server from initialising).
    const firstServerProbes = [
      ...(vip !== undefined ? [args.registrationAddress] : []),
      ...args.fixedAddresses.slice(1),
    ];
    const names: string[] = [];
    const addresses: Record<string, pulumi.Output<string>> = {};
    const instances: Record<string, openstack.compute.Instance> = {};
    for (let i = 0; i < count; i++) {
      const nodeName = `${name}-server-${i}`;
      const nodeIp = args.fixedAddresses[i] as string;
      const extra = vip === undefined ? undefined : holdApiVip(vip, nodeName, i, nodeIp, args.fixedAddresses);
      const userData =
        i === 0
          ? pulumi
              .all([
                tlsSans,
                ca,
                pki.serverTokenSecret,
                pki.agentTokenSecret,
                pulumi.output(args.firstServerManifests ?? []),
                pulumi.output(args.registryAuth ?? {}),
              ])
              .apply(([sans, caFiles, serverTokenSecret, agentTokenSecret, manifests, registryAuth]) =>
                serverUserData({
                  nodeName,
                  nodeIp,
                  tlsSans: sans,
                  rke2: args.rke2,
                  bootstrap: {
                    mode: "initialise",
                    serverTokenSecret,
                    ca: caFiles,
                    registrationAddress: args.registrationAddress,
                    probeAddresses: firstServerProbes,
                    clusterInitialised: args.clusterInitialised === true,
                  },
                  agentTokenSecret,
                  nodePassword: nodePassword(serverTokenSecret, nodeName),
                  registryAuth,
                  manifests: manifests as readonly WriteFile[],
                  ...(extra !== undefined ? { extra } : {}),
                }),
              )
          : pulumi
              .all([
                tlsSans,
                pki.caHash,
                pki.serverTokenSecret,
                pki.agentTokenSecret,
                pulumi.output(args.registryAuth ?? {}),
              ])
              .apply(([sans, hash, serverTokenSecret, agentTokenSecret, registryAuth]) =>
                serverUserData({
                  nodeName,
                  nodeIp,
                  tlsSans: sans,
                  rke2: args.rke2,
                  bootstrap: {
                    mode: "join",
                    registrationAddress: args.registrationAddress,
                    serverToken: joinToken(hash, "server", serverTokenSecret),
                  },
                  agentTokenSecret,
                  nodePassword: nodePassword(serverTokenSecret, nodeName),
                  registryAuth,
                  ...(extra !== undefined ? { extra } : {}),
                }),
              );
      const node = createNodeInstance(
        nodeName,
        {
          identity: args.identity,
          role: "server",
          flavorName: args.servers.flavor,
          imageId: args.servers.imageId,
          availabilityZone: availabilityZoneFor(args.servers.availabilityZones, i),
          rootVolumeGb: args.servers.rootVolumeGb,
          keyPair: args.keyPair,
          serverGroupId: group.id,
          networkId: args.networkId,
          subnetId: args.subnetId,
          securityGroupIds: args.securityGroupIds,
          fixedIp: nodeIp,
          allowedAddressPairs: vip === undefined ? [] : [vip.allowedAddressPair],
          userData,
        },
        this,
      );
      names.push(nodeName);
      addresses[nodeName] = node.address;
      instances[nodeName] = node.instance;
    }

    this.serverGroupId = group.id;
    this.serverNames = names;
    this.serverAddresses = pulumi.output([...args.fixedAddresses]);
    this.addressesByNode = addresses;
    this.instances = instances;
    this.registerOutputs({ serverGroupId: this.serverGroupId, serverAddresses: this.serverAddresses });
  }
}

/** keepalived for server `index` of the API group: its files, package and service. */
function holdApiVip(
  vip: ApiVipHolding,
  nodeName: string,
  index: number,
  nodeIp: string,
  servers: readonly string[],
): NodeExtras {
  const node = renderKeepalivedNode({
    group: "api",
    routerId: nodeName,
    ...(vip.interfaceName !== undefined ? { interfaceName: vip.interfaceName } : {}),
    virtualRouterId: vip.virtualRouterId,
    priority: keepalivedPriority(index),
    unicastSourceIp: nodeIp,
    unicastPeers: servers.filter((a) => a !== nodeIp),
    vip: vip.address,
    vipPrefixLength: 32,
    advertIntervalSeconds: vip.advertIntervalSeconds,
  });
  return { files: node.files, packages: node.packages, extraServices: node.services };
}
