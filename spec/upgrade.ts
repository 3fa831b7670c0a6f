/**
 * Which RKE2 version changes a running cluster may take. RKE2 follows the Kubernetes version skew
 * policy: "Ensure that your plan does not skip intermediate minor versions when upgrading"
 * (docs.rke2.io, Upgrades → Manual Upgrades / Automated Upgrades), and neither RKE2 nor etcd supports
 * going back (a newer apiserver may already have written objects at a newer storage version).
 */

/** `v1.33.3+rke2r1` → [1, 33, 3, 1]; undefined when not an RKE2 release. */
export function parseRke2Version(v: string): readonly [number, number, number, number] | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)\+rke2r(\d+)$/.exec(v);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Why a running cluster at `from` cannot be taken to `to`, or undefined when it can (same version,
 * a newer patch or RKE2 release, or the next minor version).
 */
export function upgradeProblem(from: string, to: string): string | undefined {
  const a = parseRke2Version(from);
  const b = parseRke2Version(to);
  if (a === undefined || b === undefined) {
    return `not an RKE2 release (got ${a === undefined ? from : to}; allowed vX.Y.Z+rke2rN)`;
  }
  if (compareVersions(b, a) < 0) {
    return `downgrade from ${from} to ${to} (allowed: ${from} or newer; RKE2 and etcd cannot go back)`;
  }
  if (b[0] !== a[0] || b[1] - a[1] > 1) {
    return (
      `upgrade from ${from} to ${to} skips a minor version (allowed: up to v${a[0]}.${a[1] + 1}.x; ` +
      `upgrade one minor version at a time, as the Kubernetes version skew policy requires)`
    );
  }
  return undefined;
}
