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
 *   `<tier>.` (projectcalico/calico libcalico-go/lib/names/policy.go, TierFromPolicyName, v3.29-v3.31
 *   line). `Tier.spec.defaultAction: Pass` (tiers CRD, same chart) passes what no rule matched.
 * - **The tier field.** From Calico v3.32.0 the policy's tier is `spec.tier`, and an empty one is the
 *   default tier, whatever the name (v3.32.0 libcalico-go/lib/backend/syncersv1/updateprocessors/
 *   globalnetworkpolicyprocessor.go line 74, `tierOrDefault(spec.Tier)`; up to v3.31.2 the same file
 *   reads the name's prefix). In the default tier the trailing `Pass` would skip the namespaces'
 *   NetworkPolicies, so the policy sets `spec.tier` wherever the CRD has the field: rke2-canal charts
 *   from v3.30.3-build2025101500 on (rancher/rke2-charts commit 81786c18 added it), which RKE2 ships
 *   from v1.32.10, v1.33.6 and v1.34.2, and in every release of later minors (charts/chart_versions.yaml
 *   at each tag). Calico v3.32.0 arrives with v1.33.12, v1.34.8, v1.35.5 and v1.36.0. On an older CRD
 *   the field would be pruned (pulumi-kubernetes creates with `fieldValidation=Warn`,
 *   provider/pkg/await/await.go, snapshot 94977969d of the 4.3x line), so it is left out there, and the
 *   name prefix (kept in both cases) decides. The version that chooses is the one the cluster runs: the
 *   RKE2 version of the last successful `up` (programs/applied-state.ts), so that an upgrade across the
 *   boundary adds the field on the `up` after the one that started the upgrade, when the new CRD is in
 *   place; `xcluster preview` shows the change. A move to Calico v3.32 is refused until the policy in the
 *   stack's state carries the field (`calicoTierUpgradeProblem`).
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
import { parseRke2Version } from "../spec/upgrade";
import { typeToken } from "./conventions";

/** The OpenStack (and EC2-style) metadata service address. */
export const METADATA_SERVICE_CIDR = "169.254.169.254/32";

/** The Calico tier xcluster's platform policies live in: before every other tier. */
export const CALICO_TIER = "xcluster";
const CALICO_TIER_ORDER = 100;
const POLICY_NAME = "deny-cloud-metadata";
/** The Calico GlobalNetworkPolicy's name (its tier as the prefix, which Calico up to v3.31 reads). */
export const CALICO_POLICY_NAME = `${CALICO_TIER}.${POLICY_NAME}`;
/** The policy's resource type in a stack's state (pulumi-kubernetes names custom resources so). */
export const CALICO_POLICY_TYPE = "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy";

/**
 * The first RKE2 patch release, per minor, whose rke2-canal GlobalNetworkPolicy CRD has `spec.tier`
 * (rancher/rke2 charts/chart_versions.yaml at each tag; see above). Minors before 1.32 never have it,
 * minors after 1.34 always do.
 */
const TIER_FIELD_SINCE_PATCH: Readonly<Record<string, number>> = { "1.32": 10, "1.33": 6, "1.34": 2 };

/**
 * Whether RKE2 `version` is at or after the release a per-minor table names (`since`: minor → first patch);
 * minors after `lastListed` always are, minors before the table never are.
 */
function releasedSince(
  version: string,
  since: Readonly<Record<string, number>>,
  lastListed: number,
): boolean {
  const v = parseRke2Version(version);
  if (v === undefined) throw new Error(`malformed RKE2 version ${JSON.stringify(version)}`);
  const [major, minor, patch] = v;
  const first = since[`${major}.${minor}`];
  if (first !== undefined) return patch >= first;
  return major > 1 || minor > lastListed;
}

/** Whether the Calico CRDs RKE2 `version` ships have `GlobalNetworkPolicy.spec.tier`. */
export function calicoCrdHasTierField(version: string): boolean {
  return releasedSince(version, TIER_FIELD_SINCE_PATCH, 34);
}

/**
 * The first RKE2 patch release, per minor, that ships Calico v3.32 or later (rke2-canal
 * v3.32.0-build2026051100; rancher/rke2 charts/chart_versions.yaml at each tag), which places a policy by
 * `spec.tier` alone. Minors before 1.33 never do, minors after 1.35 always do.
 */
const TIER_BY_FIELD_SINCE_PATCH: Readonly<Record<string, number>> = { "1.33": 12, "1.34": 8, "1.35": 5 };

/** Whether the Calico of RKE2 `version` takes a policy's tier from `spec.tier` only (Calico ≥ v3.32). */
export function calicoPlacesPolicyByTierField(version: string): boolean {
  return releasedSince(version, TIER_BY_FIELD_SINCE_PATCH, 35);
}

/**
 * Why a canal/calico cluster running `from` cannot be taken to `to` now, or undefined.
 *
 * `to` ships Calico v3.32, which places the policy by `spec.tier` only, while `from` does not: the move
 * is safe only if the policy stored in the cluster already carries `spec.tier: xcluster`.
 * `storedTier` is what the stack's state recorded for it, which is what the API server returned at the
 * last apply (pulumi-kubernetes keeps the live object as the resource's outputs), so a field the older
 * CRD dropped is missing there: `undefined` when the state holds no such policy, `null` when it holds one
 * without a tier. Reading the applied RKE2 version alone would not do: an upgrade rolls out after `up`
 * returns, so the version a stack recorded may not be running yet when the next `up` comes.
 */
export function calicoTierUpgradeProblem(
  cni: Cni,
  from: string,
  to: string,
  storedTier: string | null | undefined,
): string | undefined {
  if (cni === "cilium") return undefined;
  if (calicoPlacesPolicyByTierField(from) || !calicoPlacesPolicyByTierField(to)) return undefined;
  if (storedTier === CALICO_TIER) return undefined;
  const stored =
    storedTier === undefined
      ? `the stack's state holds no ${CALICO_POLICY_NAME} policy`
      : `the ${CALICO_POLICY_NAME} policy in the stack's state has ${storedTier === null ? "no spec.tier" : `spec.tier ${JSON.stringify(storedTier)}`}`;
  const stop = calicoCrdHasTierField(from)
    ? `run up again at ${from} once it has rolled out to every node (kubectl get plans -n system-upgrade), so the policy is stored with its tier`
    : `first upgrade to a release whose CRD has the field but whose Calico still reads the name (v1.32.10 and later v1.32, v1.33.6–v1.33.11, v1.34.2–v1.34.7, v1.35.0–v1.35.4), and run up again once it has rolled out`;
  return (
    `upgrade from ${from} to ${to} moves the cluster to Calico v3.32, which places network policies by ` +
    `spec.tier only, and ${stored} (it would fall into the default tier, where its Pass skips ` +
    `NetworkPolicies) (allowed: ${stop}; then upgrade to ${to})`
  );
}

/**
 * The objects that block pod egress to the metadata service under `cni`, for a cluster that runs RKE2
 * `runningVersion` (the CRDs of that version decide whether the Calico policy names its tier in a field).
 */
export function metadataEgressPolicyObjects(cni: Cni, runningVersion: string): Record<string, unknown>[] {
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
      metadata: { name: CALICO_POLICY_NAME },
      spec: {
        ...(calicoCrdHasTierField(runningVersion) ? { tier: CALICO_TIER } : {}),
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
  /** The RKE2 version the cluster runs: the last applied one, else the spec's (a new cluster). */
  readonly runningVersion: string;
}

/** Applies `metadataEgressPolicyObjects` to the cluster (through the cluster's Kubernetes provider). */
export class MetadataEgressPolicy extends pulumi.ComponentResource {
  constructor(name: string, args: MetadataEgressPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("cluster", "MetadataEgressPolicy"), name, {}, opts);
    new k8s.yaml.v2.ConfigGroup(
      `${name}-objects`,
      { objs: metadataEgressPolicyObjects(args.cni, args.runningVersion) },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
