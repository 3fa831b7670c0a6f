/**
 * `xcluster plan --baseline`: pure comparison of two reports, then the command itself on the reference
 * cluster (tier: Pulumi mocks through the CLI, in-process): a version bump and 6 → 8 workers.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";
import { baselineLines, sinceBaseline, upgradeProblems } from "../../plan/baseline";
import type { ClusterReport, PlanReport } from "../../plan/report";

const ROOT = path.join(__dirname, "..", "..");
const CLUSTER = "ecmwf-ai-platform";

function cluster(version: string, nodes: Record<string, string>): ClusterReport {
  return {
    name: "c1",
    environment: "dev",
    topology: "keepalived",
    resources: [],
    violations: [],
    lifecycle: {
      rke2Version: version,
      nodes: Object.entries(nodes).map(([name, bootConfigSha256]) => ({ name, bootConfigSha256 })),
    },
  };
}

describe("plan --baseline: comparing two plans", () => {
  const before = cluster("v1.33.3+rke2r1", { "c1-server-0": "a", "c1-workers-0": "b", "c1-workers-1": "c" });

  it("lists running nodes whose boot config changed, nodes added and removed, and the upgrade", () => {
    const now = cluster("v1.33.5+rke2r1", { "c1-server-0": "A", "c1-workers-0": "b", "c1-workers-2": "d" });
    assert.deepEqual(sinceBaseline(now, { clusters: [before] }), {
      upgrade: { from: "v1.33.3+rke2r1", to: "v1.33.5+rke2r1" },
      bootConfigOutOfDate: ["c1-server-0"],
      added: ["c1-workers-2"],
      removed: ["c1-workers-1"],
    });
  });

  it("says nothing about a cluster the baseline does not have", () => {
    assert.equal(sinceBaseline({ ...before, name: "other" }, { clusters: [before] }), undefined);
  });

  it("rejects a downgrade against the baseline", () => {
    const now = cluster("v1.33.1+rke2r1", {});
    const report: PlanReport = {
      clusters: [{ ...now, sinceBaseline: sinceBaseline(now, { clusters: [before] }) }],
    };
    assert.deepEqual(upgradeProblems(report), [
      "dev/c1: rke2Version: downgrade from v1.33.3+rke2r1 to v1.33.1+rke2r1 (allowed: v1.33.3+rke2r1 or newer; RKE2 and etcd cannot go back)",
    ]);
  });
});

describe("server scale-down against the baseline (pure)", () => {
  const servers = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`c1-server-${i}`, "x"]));
  const problems = (from: number, to: number) => {
    const now = cluster("v1.33.3+rke2r1", servers(to));
    const since = sinceBaseline(now, { clusters: [cluster("v1.33.3+rke2r1", servers(from))] });
    return { since, problems: upgradeProblems({ clusters: [{ ...now, sinceBaseline: since }] }) };
  };

  it("allows removing up to etcd's failure tolerance at once: 5 → 3 and 7 → 5", () => {
    assert.deepEqual(problems(5, 3), {
      since: {
        servers: { from: 5, to: 3 },
        bootConfigOutOfDate: [],
        added: [],
        removed: ["c1-server-3", "c1-server-4"],
      },
      problems: [],
    });
    assert.deepEqual(baselineLines(problems(5, 3).since!), [
      "  servers 5 → 3: each removed server is drained and its Node deleted (k3s removes its etcd member) before its instance goes",
      "  nodes removed: c1-server-3, c1-server-4",
    ]);
    assert.deepEqual(problems(7, 5).problems, []);
    assert.deepEqual(problems(3, 5).problems, []);
  });

  it("rejects removing more servers at once than etcd tolerates: 7 → 3 and 3 → 1", () => {
    assert.deepEqual(problems(7, 3).problems, [
      "dev/c1: servers: removes 4 of 7 servers in one change; etcd keeps quorum only if at most 3 go at once (got 3; allowed: 4 or more servers in this change, then the next step after it is applied)",
    ]);
    assert.match(
      problems(3, 1).problems[0] ?? "",
      /removes 2 of 3 servers in one change; etcd keeps quorum only if at most 1 go at once/,
    );
  });
});

describe("xcluster plan --baseline on the reference cluster (mocks, in-process CLI)", function () {
  this.timeout(240_000);
  const temps: string[] = [];
  after(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** A copy of stacks/prod with the reference cluster edited; returns the folder. */
  function prod(edit: (y: string) => string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-baseline-"));
    temps.push(dir);
    fs.copyFileSync(
      path.join(ROOT, "stacks", "prod", "environment.yaml"),
      path.join(dir, "environment.yaml"),
    );
    const y = fs.readFileSync(path.join(ROOT, "stacks", "prod", `${CLUSTER}.yaml`), "utf8");
    fs.writeFileSync(path.join(dir, `${CLUSTER}.yaml`), edit(y));
    return dir;
  }

  async function plan(args: string[]) {
    const io = captureIo();
    const code = await main(["plan", "--serial", ...args], io, ROOT);
    return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
  }

  let baseline = "";
  before(async () => {
    const dir = prod((y) => y);
    baseline = path.join(dir, "baseline.json");
    const run = await plan([dir, "--json", baseline]);
    assert.ok(run.code === EXIT.ok || run.code === EXIT.policy, run.stderr);
  });

  it("shows the upgrade via system-upgrade-controller, two added workers and every node's boot config out of date", async () => {
    const dir = prod((y) =>
      y
        .replace("rke2Version: v1.33.3+rke2r1", "rke2Version: v1.33.5+rke2r1")
        .replace("numberOfWorkers: 6", "numberOfWorkers: 8"),
    );
    const out = path.join(dir, "plan.json");
    const run = await plan([dir, "--baseline", baseline, "--json", out]);
    assert.ok(run.code === EXIT.ok || run.code === EXIT.policy, run.stderr);
    assert.match(run.stdout, /upgrade v1\.33\.3\+rke2r1 → v1\.33\.5\+rke2r1 via system-upgrade-controller/);
    assert.match(run.stdout, new RegExp(`nodes added: ${CLUSTER}-workers-6, ${CLUSTER}-workers-7`));
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as PlanReport;
    const since = report.clusters[0]?.sinceBaseline;
    assert.deepEqual(since?.removed, []);
    // Every running node's user data pins the version it installs: all 13 are out of date, none replaced.
    assert.equal(since?.bootConfigOutOfDate.length, 3 + 6 + 2 + 2);
  });

  it("reports no change against a plan of the same spec", async () => {
    const run = await plan([prod((y) => y), "--baseline", baseline]);
    assert.match(run.stdout, /no change to nodes or RKE2 version since the baseline/);
  });

  it("rejects skipping a minor version against the baseline (exit 2)", async () => {
    const run = await plan([
      prod((y) => y.replace("rke2Version: v1.33.3+rke2r1", "rke2Version: v1.35.0+rke2r1")),
      "--baseline",
      baseline,
    ]);
    assert.equal(run.code, EXIT.invalid);
    assert.match(
      run.stderr,
      /prod\/ecmwf-ai-platform: rke2Version: upgrade from v1\.33\.3\+rke2r1 to v1\.35\.0\+rke2r1 skips a minor version/,
    );
  });

  it("rejects a baseline that is not a plan report (exit 2)", async () => {
    const bad = path.join(
      prod((y) => y),
      "bad.json",
    );
    fs.writeFileSync(bad, "{}");
    const run = await plan([path.dirname(bad), "--baseline", bad]);
    assert.equal(run.code, EXIT.invalid);
    assert.match(run.stderr, /--baseline .*bad\.json: no "clusters" list/);
  });
});
