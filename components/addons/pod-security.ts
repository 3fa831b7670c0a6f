/**
 * Pod Security Admission as a first-class setting. RKE2's CIS profile makes `restricted` the cluster-wide
 * default and exempts only kube-system, cis-operator-system and tigera-operator (rancher/rke2
 * pkg/rke2/psa.go, `restrictedPSAConfig`, v1.33.3+rke2r1). Every namespace xcluster creates therefore
 * carries its level explicitly: `restricted` wherever the software complies, and the narrowest level that
 * works elsewhere, with the reason next to it.
 */
import type { ClusterSpec } from "../../spec/types";

/** The three Pod Security Standards levels, loosest last. */
export const POD_SECURITY_LEVELS = ["restricted", "baseline", "privileged"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** The level a namespace is labelled with, and why that level (required unless it is `restricted`). */
export interface PodSecurity {
  readonly level: PodSecurityLevel;
  /** Why the namespace cannot be `restricted` (or why it can); shown in docs and tests. */
  readonly reason: string;
}

/** Label prefix of Pod Security Admission (kubernetes/pod-security-admission api/constants.go). */
const PSA = "pod-security.kubernetes.io";

/**
 * The Kubernetes minor the policy version is pinned to (`v1.33` for `v1.33.3+rke2r1`), so that a control
 * plane upgrade never tightens a running namespace's policy by surprise; `latest` when the version does
 * not parse (validation rejects such specs before this runs).
 */
export function podSecurityVersion(spec: ClusterSpec): string {
  const m = /^v(\d+)\.(\d+)\./.exec(spec.rke2.version);
  return m === null ? "latest" : `v${m[1]}.${m[2]}`;
}

/**
 * The namespace labels for a level: `enforce`, and `audit`/`warn` at the same level so that a violation
 * is visible in the audit log and to `kubectl` before an upgrade makes it fatal.
 */
export function podSecurityLabels(level: PodSecurityLevel, version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ["enforce", "audit", "warn"] as const) {
    labels[`${PSA}/${mode}`] = level;
    labels[`${PSA}/${mode}-version`] = version;
  }
  return labels;
}
