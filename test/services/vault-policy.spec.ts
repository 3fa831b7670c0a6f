/**
 * The Vault policy the xcluster runner needs (docs/vault/xcluster-runner-<environment>.hcl).
 * Tiers: the program under Pulumi mocks (every Vault resource and read a cluster's plan records), and a
 * real parser: Vault's own HCL v1 library (github.com/hashicorp/hcl v1.0.1-vault-7, built from Go modules
 * by the small program in vault-hcl/ through test/support/go-tool.ts, like the other checkers) with
 * the structural rules of Vault's policy parser. No Vault server runs here, so whether Vault grants a
 * request is not exercised; the policies are exact paths, so "allowed" is path equality plus capability
 * inclusion, which the tests check without a glob evaluator.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { loadFleet } from "../../spec";
import { goTool, hasGo, runGoTool } from "../support/go-tool";
import { clusterVaultAccesses, runnerPolicy, runnerPolicyFile } from "../../plan/vault-runner-policy";
import { mergeAccesses, vaultAccesses, type VaultAccess } from "../../plan/vault-access";
import { addonDefinition } from "../../components/addons/catalogue";
import { skipTier } from "../support/tiers";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SOURCE_DIR = path.join(__dirname, "vault-hcl");
const fleet = loadFleet([path.join(REPO_ROOT, "stacks")], { cwd: REPO_ROOT });
const environments = [...new Set(fleet.clusters.filter((c) => c.vault.enabled).map((c) => c.environment))];

interface Parsed {
  readonly name: string;
  readonly rules?: { path: string; capabilities: string[] }[];
  readonly error?: string;
}

function parseWithVaultHcl(policies: { name: string; hcl: string }[]): Parsed[] {
  const run = runGoTool(goTool(SOURCE_DIR, "vault-hcl"), JSON.stringify(policies));
  if (run.status !== 0) throw new Error(`the Vault HCL checker failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Parsed[];
}

function shipped(env: string): string {
  return readFileSync(path.join(REPO_ROOT, runnerPolicyFile(env)), "utf8");
}

describe("the xcluster runner's Vault policy", function () {
  this.timeout(180_000);
  const accessesByCluster = new Map<string, VaultAccess[]>();
  before(async () => {
    for (const spec of fleet.clusters.filter((c) => c.vault.enabled)) {
      accessesByCluster.set(spec.name, await clusterVaultAccesses(spec));
    }
  });

  it("is shipped for every Vault-backed environment, as its clusters' plans derive it (not stale)", async () => {
    assert.deepEqual(environments.sort(), ["dev", "prod"]);
    for (const env of environments) {
      assert.equal(
        shipped(env),
        await runnerPolicy(env, fleet.clusters),
        `${runnerPolicyFile(env)} is stale: run npx ts-node -T scripts/vault-runner-policy.ts`,
      );
    }
  });

  it("derives the reference cluster's accesses from its plan: reads, write-back, auth mount, roles, AWS role", () => {
    const merged = new Map(
      mergeAccesses(accessesByCluster.get("ecmwf-ai-platform")!).map((a) => [a.path, a.capabilities]),
    );
    const expected: [string, string[]][] = [
      ["auth/token/create", ["update"]],
      ["auth/token/lookup-self", ["read"]],
      ["secret/data/platform/prod/openstack", ["read"]],
      ["secret/data/platform/rancher/api-token", ["read"]],
      // Production keeps history: the data path is deleted (soft), the metadata only read.
      ["secret/data/clusters/prod/ecmwf-ai-platform/rke2/kubeconfig", ["create", "read", "update", "delete"]],
      ["secret/metadata/clusters/prod/ecmwf-ai-platform/rke2/kubeconfig", ["read"]],
      ["sys/auth/kubernetes-ecmwf-ai-platform", ["create", "update", "delete", "sudo"]],
      ["sys/mounts/auth/kubernetes-ecmwf-ai-platform", ["read"]],
      ["auth/kubernetes-ecmwf-ai-platform/config", ["create", "read", "update"]],
      ["auth/kubernetes-ecmwf-ai-platform/role/external-dns", ["create", "read", "update", "delete"]],
      ["sys/policies/acl/xcluster-ecmwf-ai-platform-external-dns", ["create", "read", "update", "delete"]],
      ["aws/roles/ecmwf-ai-platform-external-dns", ["create", "read", "update", "delete"]],
    ];
    for (const [p, caps] of expected) assert.deepEqual(merged.get(p), caps, p);
    // The runner never reads the credentials it has Vault issue to the cluster.
    assert.ok(![...merged.keys()].some((p) => p.startsWith("aws/creds/")));
  });

  it("allows every path each cluster's plan touches with the capabilities it needs, and nothing else", function () {
    if (!hasGo())
      skipTier(this, "go", "go is not on PATH: the Vault policy checker cannot be built", "nowhere");
    const parsed = parseWithVaultHcl(environments.map((env) => ({ name: env, hcl: shipped(env) })));
    for (const p of parsed) {
      assert.equal(p.error, undefined, `${p.name}: ${p.error}`);
      const rules = new Map(p.rules!.map((r) => [r.path, r.capabilities]));
      const needed = mergeAccesses(
        fleet.clusters
          .filter((c) => c.environment === p.name && c.vault.enabled)
          .flatMap((c) => accessesByCluster.get(c.name)!),
      );
      for (const a of needed) {
        const caps = rules.get(a.path);
        assert.ok(caps !== undefined, `${p.name}: ${a.path} (${a.why}) is not allowed`);
        for (const c of a.capabilities) assert.ok(caps.includes(c), `${p.name}: ${a.path} lacks ${c}`);
      }
      // Nothing broader: no globs, no rule nobody needs, no capability beyond the need, sudo only on mounts.
      assert.equal(rules.size, needed.length, `${p.name}: a rule no plan needs`);
      for (const [rulePath, caps] of rules) {
        assert.doesNotMatch(rulePath, /[*+]/, `${p.name}: ${rulePath} is a glob`);
        assert.deepEqual(caps, needed.find((a) => a.path === rulePath)!.capabilities, rulePath);
        if (caps.includes("sudo")) assert.match(rulePath, /^sys\/auth\/kubernetes-[a-z0-9-]+$/);
        assert.ok(!caps.includes("list") && !caps.includes("deny"), rulePath);
      }
    }
  });

  it("parses the namespace policies the clusters give their Vault roles", function () {
    if (!hasGo())
      skipTier(this, "go", "go is not on PATH: the Vault policy checker cannot be built", "nowhere");
    const spec = fleet.clusters.find((c) => c.name === "ecmwf-ai-platform")!;
    const [p] = parseWithVaultHcl([
      { name: "external-dns", hcl: addonDefinition("external-dns").vaultPolicy!(spec) },
    ]);
    assert.deepEqual(p?.rules, [
      { path: "aws/creds/ecmwf-ai-platform-external-dns", capabilities: ["read"] },
    ]);
  });

  it("rejects, with Vault's rules, an unknown key, an unknown capability, a +* wildcard and a broken file", function () {
    if (!hasGo())
      skipTier(this, "go", "go is not on PATH: the Vault policy checker cannot be built", "nowhere");
    const results = parseWithVaultHcl([
      { name: "key", hcl: 'path "a" {\n  capabilities = ["read"]\n  ttl = "1h"\n}\n' },
      { name: "capability", hcl: 'path "a" {\n  capabilities = ["root"]\n}\n' },
      { name: "wildcard", hcl: 'path "a/+*" {\n  capabilities = ["read"]\n}\n' },
      { name: "syntax", hcl: 'path "a" {\n  capabilities = ["read"\n' },
      { name: "top", hcl: 'paths "a" {\n  capabilities = ["read"]\n}\n' },
    ]);
    assert.match(results[0]!.error ?? "", /invalid key "ttl"/);
    assert.match(results[1]!.error ?? "", /invalid capability "root"/);
    assert.match(results[2]!.error ?? "", /'\+\*' is forbidden/);
    assert.match(results[3]!.error ?? "", /failed to parse policy/);
    assert.match(results[4]!.error ?? "", /invalid key "paths"/);
  });

  it("rejects a Vault resource type it has no access mapping for", () => {
    assert.throws(
      () => vaultAccesses([{ type: "vault:index/mount:Mount", name: "m", inputs: {} } as never], []),
      /no Vault access mapping for vault:index\/mount:Mount/,
    );
  });
});
