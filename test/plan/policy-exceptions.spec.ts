/**
 * Policy exceptions in every plan report (issue 14, item 2). Tier: the real spec loader and one cluster
 * planned as `xcluster plan` does (the program under Pulumi mocks, the pack through the offline
 * evaluator), then the three renderings; the JSON is checked against the published schema.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { planCluster } from "../../plan/plan-cluster";
import { todayUtc } from "../../plan/policy-config";
import { canonicalReport, mandatoryViolations, reportJson } from "../../plan/report";
import { reportMarkdown } from "../../plan/markdown";
import { clusterText, summaryLine } from "../../plan/terminal";
import { loadFiles, REFERENCE_XCLUSTER, REPO_ROOT } from "../support/spec-files";

const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, "plan", "report.schema.json"), "utf8"),
) as object;
const PROD_ENV = fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/environment.yaml"), "utf8");
const REASON = "notebook mirror not yet on quay.io (PLAT-77)";

/** The reference cluster with JupyterHub pulling its notebook from Docker Hub (helm-005 refuses it). */
const CLUSTER = `${REFERENCE_XCLUSTER.replace("    - gpu-operator\n", "    - gpu-operator\n    - jupyterhub\n")}  addonValues:
    jupyterhub:
      singleuser:
        image:
          name: jupyter/scipy-notebook
          tag: "2026-08-03"
`;

function envWithException(expires: string): string {
  return PROD_ENV.replace(
    "    enforcement: mandatory\n",
    `    enforcement: mandatory\n    exceptions:\n      - rule: helm-005-approved-registries\n        reason: ${REASON}\n        expires: ${expires}\n`,
  );
}

async function plan(expires: string) {
  const fleet = loadFiles({ "environment.yaml": envWithException(expires), "c.yaml": CLUSTER });
  assert.deepEqual(fleet.messages, []);
  return canonicalReport([await planCluster(fleet.clusters[0]!)]);
}

describe("policy exceptions in the plan reports (spec loader; Pulumi mocks + offline evaluator)", function () {
  this.timeout(120000);

  it("lowers an excepted rule to advisory and shows the exception in the terminal, JSON and Markdown reports", async () => {
    const report = await plan("2999-12-31");
    const c = report.clusters[0]!;
    assert.equal(mandatoryViolations(report), 0);
    assert.ok(
      c.violations.some((v) => v.policy === "helm-005-approved-registries" && v.enforcement === "advisory"),
    );
    assert.deepEqual(c.policyExceptions, [
      { rule: "helm-005-approved-registries", reason: REASON, expires: "2999-12-31", expired: false },
    ]);

    const ajv = new Ajv({ allErrors: true });
    const json = JSON.parse(reportJson(report)) as unknown;
    assert.ok(ajv.validate(SCHEMA, json), ajv.errorsText());

    assert.ok(
      clusterText(c).includes(`  ~ exception helm-005-approved-registries until 2999-12-31: ${REASON}`),
    );
    assert.match(summaryLine(report, 1), /, 1 policy exception\(s\) in /);
    assert.ok(
      reportMarkdown(report).includes(`| \`helm-005-approved-registries\` | 2999-12-31 | ${REASON} |`),
    );
  });

  it("rejects a plan whose exception has expired: the rule is mandatory again, policy-001 reports it, and the reports say so", async () => {
    const report = await plan("2020-01-31");
    const c = report.clusters[0]!;
    assert.ok("2020-01-31" < todayUtc());
    assert.deepEqual(
      c.violations.filter((v) => v.enforcement === "mandatory").map((v) => v.policy),
      ["helm-005-approved-registries", "policy-001-exceptions-current"],
    );
    assert.deepEqual(c.policyExceptions?.[0]?.expired, true);
    assert.ok(clusterText(c).includes("until 2020-01-31 (EXPIRED, enforced again)"));
    assert.ok(reportMarkdown(report).includes("| 2020-01-31 **expired** |"));
  });

  it("adds no exceptions field to a cluster whose environment grants none (the committed fleet's reports are unchanged)", async () => {
    const fleet = loadFiles({ "environment.yaml": PROD_ENV, "c.yaml": REFERENCE_XCLUSTER });
    const report = canonicalReport([await planCluster(fleet.clusters[0]!)]);
    assert.equal(report.clusters[0]!.policyExceptions, undefined);
  });
});
