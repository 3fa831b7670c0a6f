import * as assert from "assert";
import { policyPackConfig, PolicyPackConfigArgs } from "../../policy/config";
import { policies } from "../../policy/policies";
import { priorityOf } from "../../policy/lib/rule";

const base: PolicyPackConfigArgs = {
  enforcement: "mandatory",
  production: true,
  clusterName: "ecmwf-ai-platform",
  environment: "prod",
  adminCidrs: ["192.168.100.0/24"],
  approvedImageIds: ["6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b"],
  vaultPathPrefix: "clusters/prod/",
  vaultMount: "secret",
  subnetCidr: "10.0.50.0/24",
  vipAddresses: ["10.0.50.10"],
};

describe("policy pack config per environment", () => {
  it("keeps P0 rules mandatory and P1 rules advisory in a non-production mandatory environment, without an all entry", () => {
    const config = policyPackConfig({ ...base, production: false });
    assert.strictEqual(config["all"], undefined);
    for (const p of policies) {
      const expected = priorityOf(p) === "P0" ? "mandatory" : "advisory";
      assert.strictEqual(config[p.name]?.enforcementLevel, expected, p.name);
    }
  });

  it("makes every rule advisory in a non-production advisory environment", () => {
    const config = policyPackConfig({ ...base, production: false, enforcement: "advisory" });
    assert.deepStrictEqual(config["all"], { enforcementLevel: "advisory" });
    assert.ok(policies.every((p) => config[p.name]?.enforcementLevel === "advisory"));
  });

  it("gives each rule exactly the facts its schema declares", () => {
    const config = policyPackConfig(base);
    assert.deepStrictEqual(config["os-sg-001-sensitive-ports"], {
      enforcementLevel: "mandatory",
      clusterCidrs: ["10.0.50.0/24"],
      adminCidrs: ["192.168.100.0/24"],
    });
    assert.deepStrictEqual(config["vault-001-cluster-path-only"], {
      enforcementLevel: "mandatory",
      vaultMounts: ["secret"],
      vaultClusterPath: "clusters/prod/ecmwf-ai-platform",
    });
    assert.deepStrictEqual(config["os-ha-001-odd-server-count"], {
      enforcementLevel: "mandatory",
      production: true,
    });
    assert.deepStrictEqual(config["os-compute-001-no-admin-pass"], { enforcementLevel: "mandatory" });
    for (const p of policies) {
      const keys = Object.keys(config[p.name] ?? {}).filter((k) => k !== "enforcementLevel");
      const declared = Object.keys(p.configSchema?.properties ?? {});
      assert.ok(
        keys.every((k) => declared.includes(k)),
        `${p.name}: ${keys.join(", ")}`,
      );
    }
  });

  it("leaves facts the caller does not know to the schema defaults", () => {
    const config = policyPackConfig({ ...base, subnetCidr: undefined, vipAddresses: undefined });
    assert.deepStrictEqual(config["os-port-002-address-pairs-vip-only"], { enforcementLevel: "mandatory" });
    assert.deepStrictEqual(config["os-sg-003-no-open-protocol-ingress"], { enforcementLevel: "mandatory" });
  });

  it("applies per-rule overrides last", () => {
    const config = policyPackConfig({ ...base, overrides: { "os-ha-001-odd-server-count": "disabled" } });
    assert.strictEqual(config["os-ha-001-odd-server-count"]?.enforcementLevel, "disabled");
  });

  it("rejects an override for a rule the pack does not have", () => {
    assert.throws(
      () => policyPackConfig({ ...base, overrides: { "no-such-rule": "disabled" } }),
      /overrides: no policy named no-such-rule/,
    );
  });

  it("serialises to the JSON the CLI reads", () => {
    const json = JSON.parse(JSON.stringify(policyPackConfig(base))) as Record<string, unknown>;
    assert.strictEqual(Object.keys(json).length, policies.length);
  });
});

describe("policy metadata", () => {
  it("has at least 35 rules with unique kebab-case names", () => {
    assert.ok(policies.length >= 35);
    const names = policies.map((p) => p.name);
    assert.strictEqual(new Set(names).size, names.length);
    for (const n of names) assert.match(n, /^[a-z0-9]+(-[a-z0-9]+)+$/);
  });

  it("states description, severity, remediation, tags and the priority's enforcement for every rule", () => {
    for (const p of policies) {
      assert.ok(p.description.length > 20, p.name);
      assert.ok(p.severity, p.name);
      assert.ok((p.remediationSteps ?? "").length > 10, p.name);
      assert.ok((p.tags ?? []).includes(priorityOf(p).toLowerCase()), p.name);
      assert.strictEqual(p.enforcementLevel, priorityOf(p) === "P0" ? "mandatory" : "advisory", p.name);
    }
  });

  it("never declares enforcementLevel in a config schema (the engine would exit)", () => {
    for (const p of policies) {
      assert.ok(!("enforcementLevel" in (p.configSchema?.properties ?? {})), p.name);
      assert.ok(!(p.configSchema?.required ?? []).includes("enforcementLevel"), p.name);
    }
  });
});
