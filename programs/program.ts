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
import { registryAuthFromVault } from "./registry-auth";
import { APPLIED_OUTPUTS, NOT_APPLIED, type AppliedState } from "./applied-state";

/** Stack outputs of a cluster, by name (the kubeconfig and tokens are secrets). */
export type StackOutputs = Record<string, pulumi.Output<unknown>>;

/**
 * `applied` is what the stack recorded at its last `up` (the fleet driver reads it back; plain
 * `pulumi up` passes nothing, and server-0 then relies on its boot-time probe alone).
 */
export function clusterProgram(spec: ClusterSpec, applied: AppliedState = NOT_APPLIED): StackOutputs {
  const cloud = cloudProviders(spec);
  const registryAuth = registryAuthFromVault(spec, cloud.vault);
  const infra = buildClusterInfra(spec, {
    sshPublicKey: cloud.credentials?.sshPublicKey,
    providers: [cloud.openstack],
    clusterInitialised: applied.clusterInitialised,
    ...(registryAuth !== undefined ? { registryAuth } : {}),
  });
  const out = clusterOutputs(infra);
  const services = platformServices(spec, platformInfra(infra, out), {
    cloud,
    ...(applied.rke2Version !== undefined ? { appliedRke2Version: applied.rke2Version } : {}),
  });
  const platform = services.outputs;
  const outputs: StackOutputs = {
    apiEndpoint: out.apiEndpoint.url,
    apiAddress: out.apiEndpoint.address,
    ingressAddress: out.ingressAddress,
    floatingIp: out.floatingIp,
    nodeAddresses: out.nodeAddresses,
    kubeconfig: platform.kubeconfig,
    addons: pulumi.output([...platform.addons]),
    // Read back by the driver before the next preview/up (programs/applied-state.ts): the version this
    // up applies, and, once the readiness gate passed, that the cluster exists (never reset to false).
    [APPLIED_OUTPUTS.rke2Version]: pulumi.output(spec.rke2.version),
    [APPLIED_OUTPUTS.clusterInitialised]:
      applied.clusterInitialised || services.apiReady === undefined
        ? pulumi.output(applied.clusterInitialised)
        : services.apiReady.id.apply(() => true),
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
