/**
 * The Pulumi program of one cluster: infrastructure from the spec, then the platform services on top.
 * Used inline by the automation API, by `xcluster plan` under mocks, and by `programs/stack.ts` for
 * plain `pulumi up`. It reads nothing but the spec it is given.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../spec/types";
import { buildClusterInfra, clusterOutputs } from "./cluster";

/** Stack outputs of a cluster, by name (the kubeconfig is a secret). */
export type StackOutputs = Record<string, pulumi.Output<unknown>>;

export function clusterProgram(spec: ClusterSpec): StackOutputs {
  const infra = buildClusterInfra(spec);
  const out = clusterOutputs(infra);
  return {
    apiEndpoint: out.apiEndpoint.url,
    apiAddress: out.apiEndpoint.address,
    ingressAddress: out.ingressAddress,
    floatingIp: out.floatingIp,
    nodeAddresses: out.nodeAddresses,
    kubeconfig: out.kubeconfig,
  };
}
