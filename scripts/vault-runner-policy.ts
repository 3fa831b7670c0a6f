/**
 * Writes docs/vault/xcluster-runner-<environment>.hcl for every environment under stacks/: the Vault
 * policy the xcluster runner needs, derived from the offline plans (plan/vault-runner-policy.ts).
 * Usage: npx ts-node -T scripts/vault-runner-policy.ts
 */
import * as fs from "fs";
import * as path from "path";
import { loadFleet } from "../spec";
import { runnerPolicy, runnerPolicyFile } from "../plan/vault-runner-policy";

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..");
  const fleet = loadFleet([path.join(root, "stacks")], { cwd: root });
  if (fleet.issues.length > 0) throw new Error(`the fleet does not validate: ${fleet.issues.length} issues`);
  const environments = [...new Set(fleet.clusters.filter((c) => c.vault.enabled).map((c) => c.environment))];
  for (const env of environments.sort()) {
    const file = path.join(root, runnerPolicyFile(env));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await runnerPolicy(env, fleet.clusters));
    console.log(`wrote ${path.relative(root, file)}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
