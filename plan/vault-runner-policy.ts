/**
 * The least-privilege Vault policy of the xcluster runner for one environment: every cluster of the
 * environment is planned offline, and the policy allows exactly the Vault paths those plans touch
 * (plan/vault-access.ts). Shipped under docs/vault/ (scripts/vault-runner-policy.ts writes them).
 */
import type { ClusterSpec } from "../spec/types";
import { defaultInvokes } from "./mocks";
import { renderCluster } from "./render-cluster";
import { renderRunnerPolicy, vaultAccesses, type RecordedCall, type VaultAccess } from "./vault-access";

/** The Vault accesses of one cluster's plan. */
export async function clusterVaultAccesses(spec: ClusterSpec): Promise<VaultAccess[]> {
  const calls: RecordedCall[] = [];
  const resources = await renderCluster(spec, {
    invokes: (token, inputs) => {
      calls.push({ token, inputs });
      return defaultInvokes(token, inputs);
    },
  });
  return vaultAccesses(resources, calls);
}

/** The runner policy (HCL) for `environment`, from the plans of its clusters. */
export async function runnerPolicy(environment: string, clusters: readonly ClusterSpec[]): Promise<string> {
  const mine = clusters.filter((c) => c.environment === environment && c.vault.enabled);
  const accesses: VaultAccess[] = [];
  for (const spec of mine) accesses.push(...(await clusterVaultAccesses(spec)));
  const names = mine.map((c) => c.name).sort();
  return renderRunnerPolicy(
    `Vault policy of the xcluster runner for environment "${environment}" (clusters: ${names.join(", ")})`,
    accesses,
  );
}

/** Where the shipped policy of an environment lives. */
export function runnerPolicyFile(environment: string): string {
  return `docs/vault/xcluster-runner-${environment}.hcl`;
}
