import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv from "ajv";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";
import type { PlanReport } from "../../plan/report";
import { EXAMPLE_FLEET } from "../support/spec-files";

const ROOT = path.join(__dirname, "..", "..");
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, "plan", "report.schema.json"), "utf8")) as object;

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-plan-"));
  temps.push(dir);
  return dir;
}

/** A copy of the dev environment and its sandbox cluster, with the environment edited. */
function devFleet(editEnvironment: (yaml: string) => string): string {
  const dir = path.join(tempDir(), "dev");
  fs.mkdirSync(dir, { recursive: true });
  const env = fs.readFileSync(path.join(ROOT, "stacks", "dev", "environment.yaml"), "utf8");
  fs.writeFileSync(path.join(dir, "environment.yaml"), editEnvironment(env));
  fs.copyFileSync(path.join(ROOT, "stacks", "dev", "sandbox.yaml"), path.join(dir, "sandbox.yaml"));
  return dir;
}

async function plan(args: string[]) {
  const io = captureIo();
  const code = await main(["plan", ...args], io, ROOT);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

describe("xcluster plan", function () {
  this.timeout(240_000);
  after(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("plans the example fleet and writes a JSON report that validates against its schema", async () => {
    const out = path.join(tempDir(), "plan.json");
    const run = await plan([EXAMPLE_FLEET, "--serial", "--json", out]);
    assert.ok(run.code === EXIT.ok || run.code === EXIT.policy, `${run.code}\n${run.stdout}\n${run.stderr}`);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as PlanReport;
    const ajv = new Ajv({ allErrors: true });
    assert.ok(ajv.validate(SCHEMA, report), ajv.errorsText());
    assert.deepEqual(
      report.clusters.map((c) => `${c.environment}/${c.name}`),
      ["dev/sandbox", "prod/ecmwf-ai-platform", "prod/eo-data-services"],
    );
    for (const c of report.clusters) {
      assert.equal(c.error, undefined, `${c.name}: ${c.error}`);
      assert.ok(c.resources.length > 0);
    }
    const reference = report.clusters.find((c) => c.name === "ecmwf-ai-platform");
    const instances = reference?.resources.filter((r) => r.type === "openstack:compute/instance:Instance");
    // 3 servers + 6 agents + 2 GPU agents, plus the keepalived ingress nodes when the topology has them.
    const ingress = reference?.topology === "keepalived" ? 2 : 0;
    assert.equal(instances?.length, 11 + ingress);
    assert.match(run.stdout, /cluster\(s\) planned/);
  });

  it("gives the same report from worker processes as in this process", async () => {
    const dir = tempDir();
    const serial = await plan(["--serial", "--json", path.join(dir, "serial.json")]);
    const parallel = await plan(["--workers", "2", "--json", path.join(dir, "parallel.json")]);
    assert.equal(parallel.code, serial.code, parallel.stderr);
    assert.equal(
      fs.readFileSync(path.join(dir, "parallel.json"), "utf8"),
      fs.readFileSync(path.join(dir, "serial.json"), "utf8"),
    );
  });

  /** Turns secrets encryption off for every cluster of the environment: rke2-002 flags each server. */
  const withoutSecretsEncryption = (env: string) =>
    env.replace(/^  policy:/m, "  defaults:\n    rke2:\n      secretsEncryption: false\n  policy:");

  it("exits 3 and names the rule when a spec violates a mandatory policy", async () => {
    const dir = devFleet((env) =>
      withoutSecretsEncryption(env).replace(/enforcement: advisory/, "enforcement: mandatory"),
    );
    const out = path.join(path.dirname(dir), "plan.json");
    const run = await plan([dir, "--serial", "--json", out]);
    assert.equal(run.code, EXIT.policy, `${run.stdout}\n${run.stderr}`);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as PlanReport;
    const mandatory = report.clusters
      .flatMap((c) => c.violations)
      .filter((v) => v.enforcement === "mandatory");
    assert.deepEqual(
      mandatory.map((v) => `${v.policy} ${v.resource}`),
      ["rke2-002-secrets-encryption sandbox-server-0"],
    );
    assert.match(run.stdout, /✗ rke2-002-secrets-encryption \[mandatory/);
  });

  it("reports the same violations as advisory, exiting 0, where the environment only warns", async () => {
    const dir = devFleet(withoutSecretsEncryption);
    const run = await plan([dir, "--serial"]);
    assert.equal(run.code, EXIT.ok, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /! rke2-002-secrets-encryption \[advisory/);
  });

  it("rejects an admin range of the whole internet with exit 2, naming the field", async () => {
    const dir = devFleet((env) => env.replace(/adminCidrs: \[[^\]]*\]/, "adminCidrs: [0.0.0.0/0]"));
    const run = await plan([dir, "--serial"]);
    assert.equal(run.code, EXIT.invalid, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /environment\.yaml:\d+:\d+: spec\.adminCidrs\[0\]: would open SSH/);
  });

  it("rejects an invalid spec with exit 2 before anything is planned", async () => {
    const dir = devFleet((env) => env);
    fs.writeFileSync(
      path.join(dir, "sandbox.yaml"),
      fs
        .readFileSync(path.join(dir, "sandbox.yaml"), "utf8")
        .replace("numberOfMasters: 1", "numberOfMasters: two"),
    );
    const out = path.join(path.dirname(dir), "plan.json");
    const run = await plan([dir, "--json", out]);
    assert.equal(run.code, EXIT.invalid);
    assert.match(run.stderr, /sandbox\.yaml:\d+:\d+: .*numberOfMasters/);
    assert.match(run.stderr, /nothing was planned/);
    assert.equal(run.stdout, "");
    assert.equal(fs.existsSync(out), false);
  });

  it("rejects a worker count that is not a positive whole number", async () => {
    const run = await plan(["--workers", "0"]);
    assert.equal(run.code, EXIT.invalid);
    assert.match(run.stderr, /--workers: not a positive whole number \(got "0"\)/);
  });

  it("writes a Markdown report with a Mermaid diagram per cluster", async () => {
    const out = path.join(tempDir(), "plan.md");
    const run = await plan([EXAMPLE_FLEET, "--serial", "--env", "prod", "--markdown", out]);
    assert.ok(run.code === EXIT.ok || run.code === EXIT.policy, run.stderr);
    const md = fs.readFileSync(out, "utf8");
    assert.equal(md.match(/```mermaid/g)?.length, 2);
    assert.match(md, /## prod\/ecmwf-ai-platform/);
    assert.match(md, /RKE2 servers ecmwf-ai-platform<br\/>3 node\(s\)/);
    assert.match(md, /\| `openstack:compute\/instance:Instance` \| \d+ \|/);
  });
});
