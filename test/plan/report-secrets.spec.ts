/**
 * The plan's JSON report carries every resource's inputs and review options, and no secret (issue 14,
 * item 8). Tier: the real spec loader and one cluster planned as `xcluster plan` does (the program under
 * Pulumi mocks, the pack through the offline evaluator); secrets are planted in the spec's add-on values
 * and in what Vault answers (the mocks' invoke for `vault:kv/getSecretV2`), and the report's text is
 * searched for them. The report is checked against the published schema.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { defaultInvokes, type InvokeHandler } from "../../plan/mocks";
import { planCluster } from "../../plan/plan-cluster";
import { canonicalReport, reportJson, type PlanReport } from "../../plan/report";
import { loadFiles, REFERENCE_XCLUSTER, REPO_ROOT } from "../support/spec-files";

const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, "plan", "report.schema.json"), "utf8"),
) as object;
const PROD_ENV = fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/environment.yaml"), "utf8");

/** Planted values: each must never appear in the report. */
const PLANTED = {
  addonSecretByName: "planted-oauth-client-secret-7Qx2",
  addonSecretInEnv: "planted-env-password-Zr81",
  addonAwsKey: "AKIAPLANTEDEXAMPLE12",
  vaultAppCredential: "planted-vault-app-credential-secret-Hk3",
  vaultAwsSecret: "planted-vault-aws-secret-access-key-Pq9",
  vaultOauthSecret: "planted-vault-oauth-client-secret-Lm4",
};

const CLUSTER = `${REFERENCE_XCLUSTER.replace("    - gpu-operator\n", "    - gpu-operator\n    - jupyterhub\n")}  addonValues:
    jupyterhub:
      hub:
        config:
          GenericOAuthenticator:
            client_secret: ${PLANTED.addonSecretByName}
      singleuser:
        extraEnv:
          - name: DB_PASSWORD
            value: ${PLANTED.addonSecretInEnv}
        lifecycleHooks:
          postStart:
            exec:
              command: [sh, -c, "echo ${PLANTED.addonAwsKey}"]
`;

/** Vault answers as the defaults do, with planted credentials. */
const plantedVault: InvokeHandler = (token, inputs) => {
  const answer = defaultInvokes(token, inputs);
  if (token !== "vault:kv/getSecretV2:getSecretV2" || answer === undefined) return answer;
  const data = {
    ...(answer["data"] as Record<string, string>),
    application_credential_secret: PLANTED.vaultAppCredential,
    secret_access_key: PLANTED.vaultAwsSecret,
    client_secret: PLANTED.vaultOauthSecret,
  };
  return { ...answer, data, dataJson: JSON.stringify(data) };
};

describe("plan report inputs and options (spec loader; Pulumi mocks + offline evaluator)", function () {
  this.timeout(180000);
  let report: PlanReport;
  let json: string;

  before(async () => {
    const fleet = loadFiles({ "environment.yaml": PROD_ENV, "c.yaml": CLUSTER });
    assert.deepEqual(fleet.messages, []);
    report = canonicalReport([await planCluster(fleet.clusters[0]!, { invokes: plantedVault })]);
    json = reportJson(report);
  });

  it("plans the cluster and validates against the published schema", () => {
    assert.equal(report.clusters[0]!.error, undefined);
    const ajv = new Ajv({ allErrors: true });
    assert.ok(ajv.validate(SCHEMA, JSON.parse(json)), ajv.errorsText());
  });

  for (const [where, value] of Object.entries(PLANTED)) {
    it(`never writes a secret planted in ${where}`, () => {
      assert.ok(!json.includes(value), `${value} leaked into the report`);
    });
  }

  it("still reports the planted literals as violations, by place and never by value", () => {
    const helm003 = report.clusters[0]!.violations.filter((v) => v.policy.startsWith("helm-003"));
    assert.ok(
      helm003.some((v) => v.message.includes("values.hub.config.GenericOAuthenticator.client_secret")),
    );
    assert.ok(helm003.some((v) => v.message.includes("values.singleuser.extraEnv[0].value")));
  });

  it("carries every resource's inputs and options, with the values a reviewer checks", () => {
    const c = report.clusters[0]!;
    for (const r of c.resources) {
      assert.ok(r.inputs !== undefined && r.options !== undefined && typeof r.urn === "string", r.name);
    }
    const server = c.resources.find((r) => r.name === "ecmwf-ai-platform-server-0")!;
    assert.equal(server.inputs!["userData"], "[secret]");
    assert.equal(server.inputs!["flavorName"], "m1.xlarge");
    assert.equal(server.options!.deleteBeforeReplace, true);
    assert.ok(server.options!.ignoreChanges.includes("userData"));
    const hub = c.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("jupyterhub"),
    )!;
    const values = hub.inputs!["values"] as { singleuser: { extraEnv: { name: string; value: string }[] } };
    assert.deepEqual(values.singleuser.extraEnv, [{ name: "DB_PASSWORD", value: "[secret]" }]);
  });

  it("names dependsOn and parents by URNs of resources in the same report", () => {
    const c = report.clusters[0]!;
    const urns = new Set(c.resources.map((r) => r.urn));
    let edges = 0;
    for (const r of c.resources) {
      for (const d of r.options!.dependsOn) {
        assert.ok(urns.has(d), `${r.name} depends on ${d}, which the report does not list`);
        edges++;
      }
      if (r.parent !== null && !r.parent.includes("pulumi:pulumi:Stack"))
        assert.ok(urns.has(r.parent), r.name);
    }
    // The add-ons wait for the readiness gate (programs/platform.ts): that edge must be visible.
    const release = c.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    assert.ok(
      release.options!.dependsOn.some((d) => d.endsWith("ReadinessGate::ecmwf-ai-platform-api-ready")),
    );
    assert.ok(edges > 10);
  });
});
