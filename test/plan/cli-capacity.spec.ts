/**
 * Tier: the CLI in this process, each cluster program rendered under Pulumi's mock runtime (no engine,
 * no cloud: quotas are what the environment declares). Capacity, cost and quota refusals of `xcluster plan`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";
import type { PlanReport } from "../../plan/report";

const ROOT = path.join(__dirname, "..", "..");

describe("xcluster plan: capacity and quotas", function () {
  this.timeout(240_000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-capacity-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the dev environment and its sandbox cluster, both edited. */
  function devFleet(
    name: string,
    env: (yaml: string) => string,
    sandbox: (yaml: string) => string = (s) => s,
  ) {
    const dir = path.join(tmp, name, "dev");
    fs.mkdirSync(dir, { recursive: true });
    const read = (f: string) => fs.readFileSync(path.join(ROOT, "stacks", "dev", f), "utf8");
    fs.writeFileSync(path.join(dir, "environment.yaml"), env(read("environment.yaml")));
    fs.writeFileSync(path.join(dir, "sandbox.yaml"), sandbox(read("sandbox.yaml")));
    return dir;
  }

  async function plan(args: string[]) {
    const io = captureIo();
    const code = await main(["plan", "--serial", ...args], io, ROOT);
    return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
  }

  it("prints the capacity table and the monthly estimate for the example dev fleet, and puts them in the JSON", async () => {
    const json = path.join(tmp, "dev.json");
    const run = await plan(["--env", "dev", "--json", json]);
    assert.equal(run.code, EXIT.ok, `${run.stdout}\n${run.stderr}`);
    // sandbox: 1 server, 2 workers and 2 keepalived ingress nodes, all m1.large (4 vCPUs, 0.12 EUR/h).
    assert.match(run.stdout, /capacity of environment dev:/);
    assert.match(run.stdout, /│ cores\s+│ 20\s+│\s+│ 40\s+│ 20\s+│/);
    assert.match(run.stdout, /│ sandbox │ 5\s+│ 20\s+│ 40\s+│ 0\s+│\s+│ 438\.00 EUR │/);
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as PlanReport;
    const dev = report.capacity?.environments[0];
    assert.equal(dev?.used.instances, 5);
    // keepalived: one floating IP on the API VIP, one on the ingress VIP.
    assert.equal(dev?.used.floatingIps, 2);
    assert.equal(dev?.monthlyCost, 438);
    assert.deepEqual(report.clusters[0]?.usage?.instancesByFlavor, { "m1.large": 5 });
  });

  it("rejects a fleet over the cores quota with exit 5, naming the quota, the need and the headroom", async () => {
    const dir = devFleet("over", (env) => env.replace("cores: 40", "cores: 16"));
    const md = path.join(tmp, "over.md");
    const run = await plan([dir, "--markdown", md]);
    assert.equal(run.code, EXIT.quota, `${run.stdout}\n${run.stderr}`);
    assert.match(
      run.stderr,
      /dev\/environment\.yaml: spec\.capacity\.quota\.cores: environment dev is over quota: the planned fleet needs 20 vCPUs, but the quota is 16 \(4 short;/,
    );
    assert.match(run.stderr, /1 quota\(s\) exceeded/);
    // The report still says why, for the merge-request comment.
    assert.match(fs.readFileSync(md, "utf8"), /\| cores \| 20 \|  \| 16 \| \*\*-4 OVER\*\* \|/);
  });

  it("with --baseline, shows what two more workers add and refuses them when the headroom is too small", async () => {
    const baseline = path.join(tmp, "baseline.json");
    const before = await plan([devFleet("before", (e) => e), "--json", baseline]);
    assert.equal(before.code, EXIT.ok, before.stderr);
    const more = (s: string) => s.replace("numberOfWorkers: 2", "numberOfWorkers: 4");
    const fits = await plan([devFleet("fits", (e) => e, more), "--baseline", baseline]);
    assert.equal(fits.code, EXIT.ok, fits.stderr);
    assert.match(fits.stdout, /│ cores\s+│ 28\s+│ \+8\s+│ 40\s+│ 12\s+│/);
    assert.match(fits.stdout, /│ sandbox │ 7\s+│ 28\s+│ 56\s+│ 0\s+│ \+8\s+│ 613\.20 EUR │/);
    const tight = await plan([
      devFleet("tight", (e) => e.replace("cores: 40", "cores: 24"), more),
      "--baseline",
      baseline,
    ]);
    assert.equal(tight.code, EXIT.quota, tight.stderr);
    assert.match(
      tight.stderr,
      /spec\.capacity\.quota\.cores: environment dev is over quota: this change adds 8 vCPUs, but the headroom under the quota of 24 is 4 \(4 short;/,
    );
  });

  it("rejects a baseline that is not a plan report with exit 2 before planning", async () => {
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, "{}");
    const run = await plan(["--env", "dev", "--baseline", bad]);
    assert.equal(run.code, EXIT.invalid);
    assert.match(run.stderr, /--baseline .*bad\.json: no "clusters" list/);
    assert.equal(run.stdout, "");
  });
});
