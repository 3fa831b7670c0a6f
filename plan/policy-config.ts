/**
 * The policy-pack facts of one cluster, from its resolved spec: what `policy/config.ts` turns into the
 * config the rules read. The one mapping for both paths: the offline plan and the fleet driver's
 * `--policy-pack-config` file, so a plan checks a cluster against exactly what its previews will.
 *
 * The approved lists (images, flavors, chart repositories, registries) come only from the environment
 * (`spec.policy.approved`, spec/policy-section.ts), never from the cluster under check: a cluster that
 * overrides an image with an arbitrary ID must not approve itself.
 */
import type { PolicyPackConfigArgs } from "../policy/config";
import type { ClusterSpec } from "../spec/types";
import { apiDnsName } from "../programs/cluster";

/** Today's date, UTC, as exceptions are written (YYYY-MM-DD). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The policy facts of `spec`. `today` is the date its exceptions are judged against: read here, at the
 * edge, so that the rules stay pure.
 */
export function planPolicyArgs(spec: ClusterSpec, today: string = todayUtc()): PolicyPackConfigArgs {
  const dnsName = apiDnsName(spec);
  const approved = spec.policy.approved;
  return {
    enforcement: spec.policyEnforcement,
    production: spec.production,
    clusterName: spec.name,
    environment: spec.environment,
    adminCidrs: spec.adminCidrs,
    adminAddressCeiling: spec.policy.adminAddressCeiling,
    approvedImageIds: approved.images,
    approvedFlavors: approved.flavors,
    approvedRegistries: approved.registries,
    ...(approved.chartRepositories !== undefined
      ? { approvedChartRepositories: approved.chartRepositories }
      : {}),
    vaultPathPrefix: spec.vault.enabled ? spec.vault.clusterPathPrefix : "",
    ...(spec.vault.enabled ? { vaultMount: spec.vault.kvMount } : {}),
    subnetCidr: spec.network.subnetCidr,
    ...(spec.topology.mode === "keepalived"
      ? { vipAddresses: [spec.topology.apiVip, spec.topology.vip] }
      : {}),
    // The floating IP is unknown offline; the DNS name is not.
    ...(dnsName !== undefined ? { requiredTlsSans: [dnsName] } : {}),
    gpuFlavors: spec.openstack.gpuFlavors,
    exceptions: spec.policy.exceptions,
    today,
  };
}
