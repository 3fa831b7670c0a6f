/**
 * The Pulumi program of one cluster: providers (from Vault when the environment enables it), the
 * infrastructure from the spec, then the platform services on top. Used inline by the automation API,
 * by `xcluster plan` under mocks, and by `programs/stack.ts` for plain `pulumi up`. It reads nothing but
 * the spec it is given.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../spec/types";
import { buildClusterInfra, clusterOutputs } from "./cluster";
import { platformInfra, platformServices } from "./platform";
import { cloudProviders } from "./providers";

/** Stack outputs of a cluster, by name (the kubeconfig and tokens are secrets). */
export type StackOutputs = Record<string, pulumi.Output<unknown>>;

export function clusterProgram(spec: ClusterSpec): StackOutputs {
  const cloud = cloudProviders(spec);
  const infra = buildClusterInfra(spec, {
    sshPublicKey: cloud.credentials?.sshPublicKey,
    providers: [cloud.openstack],
  });
  const out = clusterOutputs(infra);
  const platform = platformServices(spec, platformInfra(infra, out), { cloud }).outputs;
  const outputs: StackOutputs = {
    apiEndpoint: out.apiEndpoint.url,
    apiAddress: out.apiEndpoint.address,
    ingressAddress: out.ingressAddress,
    floatingIp: out.floatingIp,
    nodeAddresses: out.nodeAddresses,
    kubeconfig: platform.kubeconfig,
    addons: pulumi.output([...platform.addons]),
  };
  // Optional services export only what exists, so a lab without Rancher has no empty Rancher outputs.
  if (platform.dnsNames !== undefined) outputs["dnsNames"] = pulumi.output({ ...platform.dnsNames });
  if (platform.rancherClusterId !== undefined) outputs["rancherClusterId"] = platform.rancherClusterId;
  if (platform.rancherRegistrationToken !== undefined) {
    outputs["rancherRegistrationToken"] = pulumi.secret(platform.rancherRegistrationToken);
  }
  if (platform.vaultPaths !== undefined) outputs["vaultPaths"] = pulumi.output({ ...platform.vaultPaths });
  return outputs;
}
