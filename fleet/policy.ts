/**
 * The policy pack on previews and ups: the pack directory (absolute) and one config file per stack,
 * written from the cluster's spec through `policy/config.ts` (the per-cluster facts rules read, and the
 * environment's enforcement level — `advisory` turns every mandatory rule into a warning).
 */
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import type { PolicyPackConfigArgs } from "../policy/config";

export const POLICY_CONFIG_FILE = "policy-config.json";

/** What `policyPacks` / `policyPackConfigs` receive: absolute paths, the same length (the engine requires it). */
export interface PolicyFiles {
  readonly policyPacks: string[];
  readonly policyPackConfigs: string[];
}

/** The facts `policy/config.ts` needs, from the resolved spec. */
export function policyConfigArgs(spec: ClusterSpec): PolicyPackConfigArgs {
  return {
    enforcement: spec.policyEnforcement,
    production: spec.production,
    clusterName: spec.name,
    environment: spec.environment,
    adminCidrs: spec.adminCidrs,
    // The environment's approved image list is not part of the resolved spec; empty keeps "IDs, not names".
    approvedImageIds: [],
    vaultPathPrefix: spec.vault.enabled ? spec.vault.clusterPathPrefix : "",
    ...(spec.vault.enabled ? { vaultMount: spec.vault.kvMount } : {}),
    subnetCidr: spec.network.subnetCidr,
    ...(spec.topology.mode === "keepalived" ? { vipAddresses: [spec.topology.vip] } : {}),
    gpuFlavors: spec.openstack.gpuFlavors,
  };
}

/**
 * Writes the stack's policy config into its workspace directory and returns the paths to pass. The
 * config module is loaded here, not at the top, because it loads every rule (and @pulumi/policy).
 */
export function writePolicyFiles(spec: ClusterSpec, packDir: string, workDir: string): PolicyFiles {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { policyPackConfig } = require("../policy/config") as typeof import("../policy/config");
  const file = path.join(workDir, POLICY_CONFIG_FILE);
  fs.mkdirSync(workDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(policyPackConfig(policyConfigArgs(spec)), null, 2)}\n`);
  return { policyPacks: [path.resolve(packDir)], policyPackConfigs: [file] };
}
