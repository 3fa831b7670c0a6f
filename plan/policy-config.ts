/**
 * The policy-pack facts of one cluster, from its resolved spec: what `policy/config.ts` turns into the
 * config the rules read. The one mapping for both paths: the offline plan and the fleet driver's
 * `--policy-pack-config` file, so a plan checks a cluster against exactly what its previews will.
 */
import type { PolicyPackConfigArgs } from "../policy/config";
import type { ClusterSpec } from "../spec/types";
import { apiDnsName } from "../programs/cluster";

/** Every Glance image the spec names (servers, pools, ingress nodes), sorted, without duplicates. */
export function specImageIds(spec: ClusterSpec): string[] {
  const ids = [spec.controlPlane.imageId, spec.ingress.imageId, ...spec.pools.map((p) => p.imageId)];
  return [...new Set(ids.filter((id) => id !== ""))].sort();
}

export function planPolicyArgs(spec: ClusterSpec): PolicyPackConfigArgs {
  const dnsName = apiDnsName(spec);
  return {
    enforcement: spec.policyEnforcement,
    production: spec.production,
    clusterName: spec.name,
    environment: spec.environment,
    adminCidrs: spec.adminCidrs,
    // The images the environment resolved for this cluster are its approved set: a program that boots
    // anything else (a hard-coded or mistyped ID) is caught.
    approvedImageIds: specImageIds(spec),
    vaultPathPrefix: spec.vault.enabled ? spec.vault.clusterPathPrefix : "",
    ...(spec.vault.enabled ? { vaultMount: spec.vault.kvMount } : {}),
    subnetCidr: spec.network.subnetCidr,
    ...(spec.topology.mode === "keepalived"
      ? { vipAddresses: [spec.topology.apiVip, spec.topology.vip] }
      : {}),
    // The floating IP is unknown offline; the DNS name is not.
    ...(dnsName !== undefined ? { requiredTlsSans: [dnsName] } : {}),
    gpuFlavors: spec.openstack.gpuFlavors,
  };
}
