/**
 * The conftest example of docs/plan-report.md, run for real (issue 14, item 8). Tier: the real conftest
 * (v0.71.1, built from Go modules by scripts/setup-conftest.sh; OPA v1.21.1 inside) over the real plan
 * JSON of the example fleet (spec loader, programs under Pulumi mocks, the pack through the offline
 * evaluator). Skipped with a message when conftest is not built, except where XCLUSTER_REAL_ENGINE=required
 * (CI), where that fails.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadFleet } from "../../spec";
import { planFleet } from "../../plan/fleet";
import { reportJson, type PlanReport } from "../../plan/report";
import { EXAMPLE_FLEET, REPO_ROOT } from "../support/spec-files";
import { skipTier } from "../support/tiers";

const CONFTEST_VERSION = "v0.71.1";
const POLICY = path.join(REPO_ROOT, "docs", "examples", "conftest", "policy");

function conftestBin(): string | undefined {
  const dir =
    process.env["XCLUSTER_CONFTEST_TOOLS"] ??
    path.join(REPO_ROOT, ".conftest-tools", CONFTEST_VERSION, "bin");
  const bin = path.join(dir, "conftest");
  return fs.existsSync(bin) ? bin : undefined;
}

interface ConftestResult {
  readonly filename: string;
  readonly successes: number;
  readonly failures?: { readonly msg: string }[];
  readonly warnings?: { readonly msg: string }[];
}

/** `conftest test --output json` over one report, as the docs show it. */
function conftest(bin: string, report: unknown): { status: number | null; results: ConftestResult[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-conftest-"));
  try {
    const file = path.join(dir, "plan.json");
    fs.writeFileSync(file, typeof report === "string" ? report : JSON.stringify(report));
    const run = spawnSync(bin, ["test", "--no-color", "--output", "json", "--policy", POLICY, file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(run.error, undefined);
    return { status: run.status, results: JSON.parse(run.stdout) as ConftestResult[] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const failures = (r: { results: ConftestResult[] }) =>
  r.results.flatMap((x) => (x.failures ?? []).map((f) => f.msg));

describe("the conftest example over the example fleet's plan JSON (real conftest; Pulumi mocks)", function () {
  this.timeout(300000);
  let bin: string;
  let report: PlanReport;
  let json: string;

  before(async function () {
    const found = conftestBin();
    if (found === undefined)
      skipTier(this, "conftest", "no cached conftest build in .conftest-tools", "real-engine-required");
    bin = found;
    const fleet = loadFleet([EXAMPLE_FLEET], { cwd: EXAMPLE_FLEET });
    assert.deepEqual(fleet.issues, []);
    report = await planFleet(fleet.clusters, { workers: 2 });
    json = reportJson(report);
  });

  it("passes the committed fleet: every check succeeds, nothing fails", () => {
    const run = conftest(bin, json);
    assert.deepEqual(failures(run), []);
    assert.equal(run.status, 0);
    assert.ok(run.results[0]!.successes >= 4, JSON.stringify(run.results));
  });

  it("rejects a plan where a node would be replaced by a user-data change and a provider got a credential in clear", () => {
    const planted = JSON.parse(json) as PlanReport;
    const c = planted.clusters[0]!;
    const node = c.resources.find((r) => r.type === "openstack:compute/instance:Instance")!;
    (node.options!.ignoreChanges as string[]).splice(node.options!.ignoreChanges.indexOf("userData"), 1);
    const provider = c.resources.find((r) => r.type === "pulumi:providers:openstack")!;
    (provider.inputs as Record<string, unknown>)["applicationCredentialSecret"] = "oops";
    const run = conftest(bin, planted);
    assert.equal(run.status, 1);
    assert.deepEqual(failures(run).sort(), [
      `${c.name}: instance ${node.name} would be replaced when its userData changes (add it to ignoreChanges)`,
      `${c.name}: provider ${provider.name} has applicationCredentialSecret in clear text`,
    ]);
  });

  it("rejects a plan with a mandatory finding of the pack", () => {
    const planted = JSON.parse(json) as PlanReport;
    const c = planted.clusters[0]!;
    c.violations.push({
      policy: "k8s-tol-001-privileged-tolerations",
      enforcement: "mandatory",
      severity: "high",
      resource: "x",
      message: "tolerates every taint",
    });
    const run = conftest(bin, planted);
    assert.equal(run.status, 1);
    assert.deepEqual(failures(run), [
      `${c.name}: k8s-tol-001-privileged-tolerations on x: tolerates every taint`,
    ]);
  });
});
