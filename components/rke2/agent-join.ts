/**
 * What every RKE2 agent needs to join, and its user data: shared by node pools and the keepalived
 * topology's ingress nodes, so that both join the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Rke2Settings } from "../../spec/types";
import type { RegistryAuth } from "./cloud-init";
import { nodePassword } from "./node-password";
import { agentUserData, type AgentUserDataInput } from "./user-data";

export interface AgentJoin {
  /** RKE2 version and CIS profile. */
  readonly rke2: Pick<Rke2Settings, "version" | "cisProfile" | "install" | "cloudProviderName">;
  /** The fixed registration address agents join through (the API VIP or the load balancer). */
  readonly registrationAddress: string;
  /** The CA-pinned agent token (`K10…::node:…`); secret. */
  readonly agentToken: pulumi.Input<string>;
  /** Secret each node's stable node password is derived from (the server token secret; rke2/node-password.ts). */
  readonly nodePasswordKey: pulumi.Input<string>;
  /**
   * registries.yaml credentials per registry host, read from Vault by the program (a secret).
   * @default none
   */
  readonly registryAuth?: pulumi.Input<Readonly<Record<string, RegistryAuth>>>;
}

/** What differs from one agent to the next: its name, address, labels, taints and extra files. */
export type AgentNode = Omit<
  AgentUserDataInput,
  "nodePassword" | "registryAuth" | "registrationAddress" | "rke2" | "agentToken"
>;

/**
 * Each agent's user data, once its join secrets are known (secret, like them). The join secrets are
 * combined once for all the agents it renders (one Output, not one per node: a pool of 500 nodes would
 * otherwise build 500 identical combinations).
 */
export function agentUserDataRenderer(join: AgentJoin): (node: AgentNode) => pulumi.Output<string> {
  const secrets = pulumi.all([join.agentToken, join.nodePasswordKey, pulumi.output(join.registryAuth ?? {})]);
  return (node) =>
    secrets.apply(([agentToken, key, registryAuth]) =>
      agentUserData({
        ...node,
        nodePassword: nodePassword(key, node.nodeName),
        registryAuth,
        registrationAddress: join.registrationAddress,
        rke2: join.rke2,
        agentToken,
      }),
    );
}
