/**
 * The Rancher management cluster: an RKE2 cluster built from the same infrastructure components as every
 * other cluster, with cert-manager and the Rancher server chart on top (selected through the same add-on
 * catalogue, by labels this program adds), the Rancher hostname in Route53 when it lies in the cluster's
 * zone, and its kubeconfig and token in Vault. It is not registered with Rancher: it runs it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../spec/types";
import { addonLabel, ADDON_ENABLED } from "../spec/addons";
import { rancherHostname } from "../components/addons/rancher";
import { buildClusterInfra, clusterOutputs, type ClusterInfra } from "./cluster";
import { cloudProviders } from "./providers";
import { platformInfra, platformServices, type PlatformServices } from "./platform";

/** Labels that make a cluster the management cluster: they select cert-manager and Rancher. */
export const MANAGEMENT_LABELS: Readonly<Record<string, string>> = {
  [addonLabel("cert-manager")]: ADDON_ENABLED,
  [addonLabel("rancher")]: ADDON_ENABLED,
  "xcluster.dev/role": "management",
};

export interface ManagementCluster {
  readonly infra: ClusterInfra;
  readonly platform: PlatformServices;
  /** Stack outputs (kubeconfig and token secret). */
  readonly outputs: Record<string, pulumi.Output<unknown> | unknown>;
}

/** Builds the management cluster for `spec` (whose `rancher.url` is the URL Rancher will serve). */
export function managementCluster(spec: ClusterSpec): ManagementCluster {
  const hostname = rancherHostname(spec);
  const cloud = cloudProviders(spec);
  const infra = buildClusterInfra(spec, {
    sshPublicKey: cloud.credentials?.sshPublicKey,
    providers: [cloud.openstack],
  });
  const out = clusterOutputs(infra);
  // Route53 can only hold the Rancher name if it is inside the cluster's zone; otherwise it is managed
  // wherever that zone is.
  const inZone = spec.dns.enabled && hostname.endsWith(`.${spec.dns.zone}`);
  const platform = platformServices(spec, platformInfra(infra, out), {
    cloud,
    registerWithRancher: false,
    extraLabels: MANAGEMENT_LABELS,
    extraIngressNames: inZone ? { rancher: hostname } : {},
  });
  return {
    infra,
    platform,
    outputs: {
      apiEndpoint: out.apiEndpoint.url,
      ingressAddress: out.ingressAddress,
      rancherUrl: spec.rancher.url,
      kubeconfig: platform.outputs.kubeconfig,
      dnsNames: platform.outputs.dnsNames,
      vaultPaths: platform.outputs.vaultPaths,
      addons: platform.outputs.addons,
    },
  };
}
