/**
 * Pods cannot reach the cloud's metadata service (169.254.169.254): the user data there holds the join
 * token and, on the first server, the cluster CA keys. One cluster-wide policy in the CNI's own API:
 *
 * - **canal / calico** (Calico's policy engine; RKE2 v1.33.3+rke2r1 ships rke2-canal v3.30.2 and
 *   rke2-calico v3.30.1, rancher/rke2 charts/chart_versions.yaml): a `Tier` ordered before every other
 *   tier, whose `GlobalNetworkPolicy` denies egress to the metadata address and passes everything else on
 *   to the next tier, so Kubernetes NetworkPolicies (default tier) decide as before. A policy in the
 *   default tier could not do this: its end-of-tier deny would cut every other egress of the pods it
 *   selects, an allow-all rule would override NetworkPolicies, and `Pass` would skip them. The CRD that
 *   rke2-canal v3.30.2 installs has no `spec.tier`; Calico takes the tier from the name prefix
 *   `<tier>.` (projectcalico/calico libcalico-go/lib/names/policy.go, TierFromPolicyName, v3.29-v3.30
 *   line). `Tier.spec.defaultAction: Pass` (tiers CRD, same chart) passes what no rule matched.
 * - **cilium** (rke2-cilium 1.17.600, Cilium v1.17.6): a `CiliumClusterwideNetworkPolicy` selecting every
 *   endpoint with an `egressDeny` rule and `enableDefaultDeny` off in both directions, so selecting a pod
 *   does not put it into default-deny (pkg/k8s/apis/cilium.io/client/crds/v2/
 *   ciliumclusterwidenetworkpolicies.yaml v1.17.6, lines 1824-1843).
 *
 * No exemptions are needed: the components that read the metadata service run on the host network,
 * which pod policies do not cover (Calico applies them to workload interfaces, host interfaces only
 * through HostEndpoints, which xcluster does not create: Calico docs, reference/host-endpoints/overview;
 * Cilium selects host-network pods only through host policies, `nodeSelector`, off by default). The
 * OpenStack CCM (charts/openstack-cloud-controller-manager/templates/daemonset.yaml line 109) and the
 * Cinder CSI node plugin (charts/cinder-csi-plugin/templates/nodeplugin-daemonset.yaml line 24) are both
 * `hostNetwork: true` at chart 2.33.1; the Cinder controller plugin talks to the OpenStack APIs only.
 * Their `[Metadata] search-order` stays the default `configDrive,metadataService`
 * (docs/cinder-csi-plugin/using-cinder-csi-plugin.md v1.33.1, line 165): the nodes have no config drive,
 * so `configDrive` alone would leave the node plugin without its instance id.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Cni } from "../spec/types";
import { typeToken } from "./conventions";

/** The OpenStack (and EC2-style) metadata service address. */
export const METADATA_SERVICE_CIDR = "169.254.169.254/32";

/** The Calico tier xcluster's platform policies live in: before every other tier. */
export const CALICO_TIER = "xcluster";
const CALICO_TIER_ORDER = 100;
const POLICY_NAME = "deny-cloud-metadata";

/** The objects that block pod egress to the metadata service under `cni`. */
export function metadataEgressPolicyObjects(cni: Cni): Record<string, unknown>[] {
  if (cni === "cilium") {
    return [
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumClusterwideNetworkPolicy",
        metadata: { name: `xcluster-${POLICY_NAME}` },
        spec: {
          description: "xcluster: pods never reach the cloud metadata service (node user data holds secrets)",
          endpointSelector: {},
          enableDefaultDeny: { egress: false, ingress: false },
          egressDeny: [{ toCIDR: [METADATA_SERVICE_CIDR] }],
        },
      },
    ];
  }
  return [
    {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "Tier",
      metadata: { name: CALICO_TIER },
      spec: { order: CALICO_TIER_ORDER, defaultAction: "Pass" },
    },
    {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "GlobalNetworkPolicy",
      metadata: { name: `${CALICO_TIER}.${POLICY_NAME}` },
      spec: {
        selector: "all()",
        types: ["Egress"],
        egress: [{ action: "Deny", destination: { nets: [METADATA_SERVICE_CIDR] } }, { action: "Pass" }],
      },
    },
  ];
}

export interface MetadataEgressPolicyArgs {
  /** The cluster's CNI (`rke2.cni`). */
  readonly cni: Cni;
}

/** Applies `metadataEgressPolicyObjects` to the cluster (through the cluster's Kubernetes provider). */
export class MetadataEgressPolicy extends pulumi.ComponentResource {
  constructor(name: string, args: MetadataEgressPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("cluster", "MetadataEgressPolicy"), name, {}, opts);
    new k8s.yaml.v2.ConfigGroup(
      `${name}-objects`,
      { objs: metadataEgressPolicyObjects(args.cni) },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
