/**
 * The corpus (issue 14): specs users might write, each with its verdict, planned exactly as
 * `xcluster plan` plans them. Tier: the real spec loader (every spec must be schema-valid), the cluster
 * programs under Pulumi mocks in one shared worker pool, and the whole pack through the offline evaluator
 * with the environment's enforcement (stacks/prod's: production, mandatory; stacks/dev's: advisory).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { formatIssue, loadFleet } from "../../spec";
import { planFleet } from "../../plan/fleet";
import type { ClusterReport, PlanReport } from "../../plan/report";
import { REPO_ROOT, writeFleet } from "../support/spec-files";
import { CORPUS, referenceDoc, UNAPPROVED_FLAVOR, type Class } from "./corpus";

const CLASSES: readonly Class[] = [
  "self-approval",
  "production rules that only advised",
  "secrets in forms the rule did not read",
  "notebook hardening",
  "tolerations matching every taint",
  "silent schedules",
  "admin ranges",
];

/** stacks/prod's environment, whose cloud also has a flavor the platform team did not approve. */
function prodEnvironment(): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/environment.yaml"), "utf8");
  const line = "      m1.2xlarge: { vcpus: 16, ramMiB: 32768, diskGiB: 160, pricePerHour: 0.48 }\n";
  assert.ok(text.includes(line));
  return text.replace(
    line,
    `${line}      ${UNAPPROVED_FLAVOR}: { vcpus: 32, ramMiB: 65536, diskGiB: 160, pricePerHour: 0.96 }\n`,
  );
}

const nameOf = (i: number) => `corpus-${String(i + 1).padStart(2, "0")}`;

function mandatoryRules(c: ClusterReport): string[] {
  return [...new Set(c.violations.filter((v) => v.enforcement === "mandatory").map((v) => v.policy))].sort();
}

describe("policy corpus: specs users write, planned as `xcluster plan` does (spec loader; Pulumi mocks; offline pack)", function () {
  this.timeout(600000);
  const byName = new Map<string, ClusterReport>();

  before(async () => {
    const files: Record<string, string> = {
      "prod/environment.yaml": prodEnvironment(),
      "dev/environment.yaml": fs.readFileSync(path.join(REPO_ROOT, "stacks/dev/environment.yaml"), "utf8"),
    };
    CORPUS.forEach((c, i) => {
      const doc = referenceDoc(nameOf(i), i);
      c.change(doc);
      files[`${c.env ?? "prod"}/${nameOf(i)}.yaml`] = stringify(doc);
    });
    const dir = writeFleet(files);
    const fleet = loadFleet([dir], { cwd: dir });
    assert.deepEqual(fleet.issues.map(formatIssue), [], "every corpus spec is schema-valid");
    const report: PlanReport = await planFleet(fleet.clusters, { workers: 2 });
    for (const c of report.clusters) byName.set(c.name, c);
  });

  it("has at least 40 specs, clean and violating", () => {
    assert.ok(CORPUS.length >= 40, `${CORPUS.length} specs`);
    assert.ok(CORPUS.filter((c) => c.mandatory.length === 0).length >= 15);
    assert.ok(CORPUS.filter((c) => c.mandatory.length > 0).length >= 25);
  });

  CORPUS.forEach((c, i) => {
    const verdict = c.mandatory.length === 0 ? "accepts" : `rejects (${c.mandatory.join(", ")})`;
    it(`${verdict}: ${c.what}${c.env === "dev" ? " [dev]" : ""}`, () => {
      const r = byName.get(nameOf(i));
      assert.ok(r !== undefined, `${nameOf(i)} was not planned`);
      assert.equal(r.error, undefined);
      assert.deepEqual(mandatoryRules(r), [...c.mandatory].sort(), JSON.stringify(r.violations, null, 1));
    });
  });

  describe("every class the issue found slipping through is refused in a production environment", () => {
    for (const k of CLASSES) {
      it(`refuses ${k}`, () => {
        const cases = CORPUS.map((c, i) => ({ c, i })).filter(({ c }) => c.class === k);
        assert.ok(cases.length > 0, `no corpus spec of class ${k}`);
        for (const { c, i } of cases) {
          assert.notEqual(c.env, "dev");
          const r = byName.get(nameOf(i))!;
          assert.ok(mandatoryRules(r).length > 0, `${c.what}: planned with no mandatory violation`);
          assert.equal(r.environment, "prod");
        }
      });
    }
  });
});
