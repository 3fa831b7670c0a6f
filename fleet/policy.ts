/**
 * The policy pack on previews and ups: the pack directory (absolute) and one config file per stack,
 * written from the cluster's spec through `policy/config.ts` (the per-cluster facts rules read, and the
 * environment's enforcement level — `advisory` turns every mandatory rule into a warning).
 */
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import { planPolicyArgs } from "../plan/policy-config";

export const POLICY_CONFIG_FILE = "policy-config.json";

/** What `policyPacks` / `policyPackConfigs` receive: absolute paths, the same length (the engine requires it). */
export interface PolicyFiles {
  readonly policyPacks: string[];
  readonly policyPackConfigs: string[];
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
  fs.writeFileSync(file, `${JSON.stringify(policyPackConfig(planPolicyArgs(spec)), null, 2)}\n`);
  return { policyPacks: [path.resolve(packDir)], policyPackConfigs: [file] };
}
