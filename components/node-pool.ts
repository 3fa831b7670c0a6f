/**
 * One named pool of RKE2 agents (ordinary workers or GPU workers): a server group with the pool's policy
 * (soft anti-affinity by default from the spec) and `count` nodes named `<name>-<i>`, on DHCP addresses.
 * The component is named after the pool, so adding or removing a pool renames no other node.
 * GPU pools always carry GPU_NODE_LABEL, and the spec's taints (DEFAULT_GPU_TAINT unless configured).
 */
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { NodePool as NodePoolSpec } from "../spec/types";
import { GPU_NODE_LABEL, ResourceIdentity, typeToken } from "./conventions";
import { availabilityZoneFor, createNodeInstance } from "./rke2/node-instance";
import { agentUserDataRenderer, type AgentJoin } from "./rke2/agent-join";

export interface NodePoolArgs extends AgentJoin {
  /** Cluster and environment stamped onto every resource. */
  readonly identity: ResourceIdentity;
  /** The pool: name, role (agent|gpu), count, flavor, image, zones (round-robin), labels, taints, policy. */
  readonly pool: NodePoolSpec;
  readonly networkId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
  /** Groups on every node port (`SecurityGroups.groupIdsFor(pool.role)`: the agent group). */
  readonly securityGroupIds: pulumi.Input<string>[];
  /**
   * Nova key pair for the image's login user.
   * @default no key pair
   */
  readonly keyPair?: pulumi.Input<string>;
}

/** Labels a node of this pool gets: the spec's, plus GPU_NODE_LABEL on GPU pools. */
export function poolLabels(pool: NodePoolSpec): Record<string, string> {
  return pool.role === "gpu"
    ? { ...pool.labels, [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value }
    : { ...pool.labels };
}

export class NodePool extends pulumi.ComponentResource {
  readonly serverGroupId: pulumi.Output<string>;
  /** Node names (`<name>-<i>`), in index order. */
  readonly nodeNames: readonly string[];
  /** DHCP addresses, in index order. */
  readonly nodeAddresses: pulumi.Output<string[]>;
  /** Address per node name, for load balancer members. */
  readonly addressesByNode: Readonly<Record<string, pulumi.Output<string>>>;
  /** The Nova instance per node name (what a node's drain depends on, components/node-drain.ts). */
  readonly instances: Readonly<Record<string, openstack.compute.Instance>>;

  constructor(name: string, args: NodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("rke2", "NodePool"), name, {}, opts);
    const pool = args.pool;
    const problems: string[] = [];
    if (!Number.isInteger(pool.count) || pool.count < 0) {
      problems.push(`pools.${pool.name}.count: not a count (got ${pool.count}; allowed 0, 1, 2, …)`);
    }
    if (args.securityGroupIds.length === 0)
      problems.push("securityGroupIds: empty (ports would get the default group)");
    if (problems.length > 0) throw new Error(`invalid node pool arguments:\n  ${problems.join("\n  ")}`);

    const group = new openstack.compute.ServerGroup(
      `${name}-group`,
      { name: `${name}-group`, policies: [pool.serverGroupPolicy] },
      { parent: this },
    );

    const labels = poolLabels(pool);
    const userDataFor = agentUserDataRenderer(args);
    const names: string[] = [];
    const addresses: Record<string, pulumi.Output<string>> = {};
    const instances: Record<string, openstack.compute.Instance> = {};
    for (let i = 0; i < pool.count; i++) {
      const nodeName = `${name}-${i}`;
      const userData = userDataFor({ nodeName, labels, taints: pool.taints });
      const node = createNodeInstance(
        nodeName,
        {
          identity: args.identity,
          role: pool.role,
          flavorName: pool.flavor,
          imageId: pool.imageId,
          availabilityZone: availabilityZoneFor(pool.availabilityZones, i),
          rootVolumeGb: pool.rootVolumeGb,
          keyPair: args.keyPair,
          serverGroupId: group.id,
          networkId: args.networkId,
          subnetId: args.subnetId,
          securityGroupIds: args.securityGroupIds,
          fixedIp: undefined,
          allowedAddressPairs: [],
          userData,
        },
        this,
      );
      names.push(nodeName);
      addresses[nodeName] = node.address;
      instances[nodeName] = node.instance;
    }

    this.serverGroupId = group.id;
    this.nodeNames = names;
    this.nodeAddresses = pulumi.all(names.map((n) => addresses[n] as pulumi.Output<string>));
    this.addressesByNode = addresses;
    this.instances = instances;
    this.registerOutputs({ serverGroupId: this.serverGroupId, nodeAddresses: this.nodeAddresses });
  }
}
