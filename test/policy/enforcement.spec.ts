/**
 * Enforcement that follows the environment (issue 14, item 2). Tier: pure functions (the config builder
 * and the offline evaluator on a one-resource stack).
 */
import * as assert from "assert";
import { policyPackConfig, PolicyPackConfigArgs } from "../../policy/config";
import { evaluatePolicies } from "../../policy/evaluate";
import { policies } from "../../policy/policies";
import { priorityOf } from "../../policy/lib/rule";
import { T } from "../../policy/lib/types";
import { helmRelease } from "./fixtures";

const base: PolicyPackConfigArgs = {
  enforcement: "mandatory",
  production: true,
  clusterName: "c1",
  adminCidrs: ["192.168.100.0/24"],
  approvedImageIds: [],
  vaultPathPrefix: "",
  today: "2026-12-02",
};
const HIGH = policies.filter((p) => p.severity === "high" || p.severity === "critical");
const P1_HIGH = HIGH.filter((p) => priorityOf(p) === "P1").map((p) => p.name);
const EXCEPTION = {
  rule: "vso-001-vault-tls",
  reason: "Vault CA rollout tracked in PLAT-123",
  expires: "2026-12-31",
};

/** vault-secrets-operator told to skip TLS verification: what vso-001 refuses. */
const insecureVso = () => [
  {
    type: T.helmRelease,
    name: "c1-vault-secrets-operator",
    inputs: helmRelease("vault-secrets-operator", "0.10.0", "https://helm.releases.hashicorp.com", {
      defaultVaultConnection: {
        enabled: true,
        address: "https://vault.example.org:8200",
        skipTLSVerify: true,
      },
    }),
  },
];

describe("enforcement per environment (pure)", () => {
  it("has P1 rules of high severity, which production must enforce", () => {
    assert.ok(P1_HIGH.includes("vso-001-vault-tls"), P1_HIGH.join(", "));
    assert.ok(P1_HIGH.includes("extdns-001-scoped"));
    assert.ok(P1_HIGH.includes("helm-004-namespace-and-image-tags"));
  });

  it("makes every high and critical rule mandatory in production", () => {
    const config = policyPackConfig(base);
    for (const p of HIGH) assert.strictEqual(config[p.name]?.enforcementLevel, "mandatory", p.name);
  });

  it("keeps them mandatory in production even when the environment asks for advisory", () => {
    const config = policyPackConfig({ ...base, enforcement: "advisory" });
    for (const p of HIGH) assert.strictEqual(config[p.name]?.enforcementLevel, "mandatory", p.name);
    const low = policies.filter((p) => !HIGH.includes(p));
    assert.ok(low.length > 0 && low.every((p) => config[p.name]?.enforcementLevel === "advisory"));
  });

  it("leaves P1 high rules advisory outside production", () => {
    const config = policyPackConfig({ ...base, production: false });
    for (const name of P1_HIGH) assert.strictEqual(config[name]?.enforcementLevel, "advisory", name);
  });

  it("lowers a rule to advisory for a named exception that has not expired (its last day included)", () => {
    for (const today of ["2026-12-02", "2026-12-31"]) {
      const config = policyPackConfig({ ...base, today, exceptions: [EXCEPTION] });
      assert.strictEqual(config["vso-001-vault-tls"]?.enforcementLevel, "advisory", today);
      assert.strictEqual(config["extdns-001-scoped"]?.enforcementLevel, "mandatory");
    }
  });

  it("rejects an expired exception: the rule is mandatory again and policy-001 reports the exception", async () => {
    const config = policyPackConfig({ ...base, today: "2027-01-01", exceptions: [EXCEPTION] });
    assert.strictEqual(config["vso-001-vault-tls"]?.enforcementLevel, "mandatory");
    const found = await evaluatePolicies(insecureVso(), config, { stack: "c1" });
    const mandatory = found.filter((v) => v.enforcement === "mandatory").map((v) => v.policy);
    assert.deepStrictEqual(mandatory.sort(), ["policy-001-exceptions-current", "vso-001-vault-tls"]);
    const expired = found.find((v) => v.policy === "policy-001-exceptions-current");
    assert.strictEqual(
      expired?.message,
      'exception for vso-001-vault-tls expired on 2026-12-31 ("Vault CA rollout tracked in PLAT-123"); the rule is enforced again',
    );
  });

  it("reports a vault-secrets-operator that skips TLS verification as mandatory in production, advisory under a current exception", async () => {
    const strict = await evaluatePolicies(insecureVso(), policyPackConfig(base), { stack: "c1" });
    assert.ok(strict.some((v) => v.policy === "vso-001-vault-tls" && v.enforcement === "mandatory"));
    const excepted = await evaluatePolicies(
      insecureVso(),
      policyPackConfig({ ...base, exceptions: [EXCEPTION] }),
      { stack: "c1" },
    );
    assert.deepStrictEqual(
      excepted.filter((v) => v.enforcement === "mandatory"),
      [],
    );
    assert.ok(excepted.some((v) => v.policy === "vso-001-vault-tls" && v.enforcement === "advisory"));
  });

  it("rejects an exception for a rule the pack does not have, listing the rules", () => {
    assert.throws(
      () => policyPackConfig({ ...base, exceptions: [{ ...EXCEPTION, rule: "vso-001-vault-tsl" }] }),
      /policy\.exceptions: no policy named vso-001-vault-tsl \(allowed: .*vso-001-vault-tls/,
    );
  });
});
