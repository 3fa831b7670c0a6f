/**
 * Tier: the real engine (the pulumi CLI built by `npm run setup:pulumi`) driven by the real CLI in-process
 * (`main`), with `--local`: the stand-in provider plugins the command writes itself (fleet/local/), the
 * real cluster program, ClusterPki and ReadinessGate dynamic providers, the policy pack, and a file backend
 * in the project's `.xcluster/local-backend`. One small cluster goes through up → outputs → drift →
 * (a scale-down) → destroy, by the README's own `--local` commands, run as written (the project's
 * environment is `dev` and its cluster `sandbox`, as in the example fleet). The readiness gate and the
 * node drains talk to the loopback API the simulation serves; no other address is contacted.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { REPO_ROOT } from "../support/spec-files";
import { readmeCommands } from "../support/readme-commands";
import { realEngine } from "./engine";
import { EngineProject } from "./project";

interface StackFile {
  checkpoint: { latest?: { resources?: { type: string; outputs?: Record<string, unknown> }[] } };
}

describe("--local: the lifecycle simulated on the real engine with stand-in providers (up → outputs → drift → destroy)", function () {
  this.timeout(900_000);
  this.bail(true);
  let p: EngineProject;
  const saved = { root: process.env["XCLUSTER_PULUMI_ROOT"], backend: process.env["PULUMI_BACKEND_URL"] };

  before(async function () {
    const pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["sandbox"] }, "xcluster-local-");
    // As in a checkout: the policy pack at policy/ (the engine runs it, the offline gate runs before).
    fs.symlinkSync(path.join(REPO_ROOT, "policy"), path.join(p.root, "policy"), "dir");
    process.env["XCLUSTER_PULUMI_ROOT"] = path.dirname(path.dirname(pulumi.command));
    delete process.env["PULUMI_BACKEND_URL"];
  });
  after(() => {
    for (const [k, v] of [
      ["XCLUSTER_PULUMI_ROOT", saved.root],
      ["PULUMI_BACKEND_URL", saved.backend],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    p?.dispose();
  });

  /** The README's `--local` commands, by command: up, outputs, drift, destroy. */
  const readme = new Map(
    readmeCommands(fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"))
      .filter((c) => c.text.startsWith("npx xcluster ") && c.text.split(/\s+/).includes("--local"))
      .map((c) => [c.text.split(/\s+/)[2]!, c.text.split(/\s+/).slice(2)]),
  );
  const asInReadme = (command: string): string[] => {
    const args = readme.get(command);
    assert.ok(args, `the README shows \`npx xcluster ${command} … --local\``);
    return args;
  };

  it("runs the README's --local commands: up, outputs, drift and destroy", () => {
    assert.deepEqual([...readme.keys()], ["up", "outputs", "drift", "destroy"]);
  });

  async function xcluster(...args: string[]): Promise<{ code: number; lines: string[]; out: string }> {
    const io = captureIo();
    const code = await main(args, io, p.root);
    const lines = [...io.stdout, ...io.stderr].flatMap((t) => t.split("\n"));
    return { code, lines, out: lines.join("\n") };
  }

  function assertSimulation(lines: readonly string[]): void {
    assert.match(
      lines[0] ?? "",
      /^SIMULATION stand-in providers on the local backend .* nothing was created in any cloud$/,
    );
    for (const line of lines) assert.match(line, /^SIMULATION /, "every line says it is a simulation");
  }

  function stackFile(): StackFile {
    const dir = path.join(p.root, ".xcluster", "local-backend", ".pulumi", "stacks");
    const file = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .find((f) => path.basename(f) === "dev.sandbox.json");
    assert.ok(file, `the stack's state is in ${dir}`);
    return JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as StackFile;
  }

  it("up creates the cluster's resources in the local backend, the readiness gate answered on loopback", async () => {
    const json = path.join(p.root, "up.json");
    const r = await xcluster(...asInReadme("up"), "--json", json);
    assert.equal(r.code, 0, r.out);
    assertSimulation(r.lines);
    assert.match(r.out, /^SIMULATION up: 1 done, 0 failed, 0 skipped, 0 not started; 1 cluster\(s\) in/m);
    const resources = stackFile().checkpoint.latest?.resources ?? [];
    assert.ok(resources.length > 40, `${resources.length} resources`);
    const gate = resources.find((x) => x.type.endsWith(":ReadinessGate"));
    assert.match(String(gate?.outputs?.["apiUrl"]), /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(!fs.existsSync(path.join(p.root, ".xcluster", "state")), "nothing in the real default backend");
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as {
      simulation?: string;
    };
    assert.match(report.simulation ?? "", /nothing was created in any cloud/);
  });

  it("outputs prints the simulated cluster's outputs, secrets masked", async () => {
    const r = await xcluster(...asInReadme("outputs"));
    assert.equal(r.code, 0, r.out);
    assertSimulation(r.lines);
    assert.match(r.out, /^SIMULATION apiEndpoint: https:\/\/203\.0\.113\.\d+:6443$/m);
    assert.match(r.out, /^SIMULATION kubeconfig: \[secret\]$/m);
  });

  it("drift finds none", async () => {
    const r = await xcluster(...asInReadme("drift"));
    assert.equal(r.code, 0, r.out);
    assertSimulation(r.lines);
    assert.match(r.out, /\[sandbox\] drift found no drift/);
  });

  it("a scale-down drains the removed worker through the simulated API (loopback) and deletes its instance", async () => {
    const instances = () =>
      (stackFile().checkpoint.latest?.resources ?? []).filter(
        (x) => x.type === "openstack:compute/instance:Instance",
      ).length;
    const before = instances();
    const spec = path.join(p.root, "stacks", "dev", "sandbox.yaml");
    const yaml = fs.readFileSync(spec, "utf8");
    assert.match(yaml, /numberOfWorkers: 2/);
    fs.writeFileSync(spec, yaml.replace("numberOfWorkers: 2", "numberOfWorkers: 1"));
    // The drain of a node at the stand-ins' invented address (203.0.113.x) would fail the run.
    const r = await xcluster(...asInReadme("up"));
    assert.equal(r.code, 0, r.out);
    assertSimulation(r.lines);
    assert.match(r.out, /\[sandbox\] up done: 0 to create, \d+ to update, 0 to replace, [1-9]\d* to delete/);
    assert.equal(instances(), before - 1);
    const asked = fs.readFileSync(path.join(p.root, ".xcluster", "local-api", "requests.log"), "utf8");
    assert.match(
      asked,
      /PATCH \/api\/v1\/nodes\/\S+ xcluster-admin \(simulation\)/,
      "the drain cordoned on loopback",
    );
  });

  it("destroy leaves the stack empty", async () => {
    const r = await xcluster(...asInReadme("destroy"));
    assert.equal(r.code, 0, r.out);
    assertSimulation(r.lines);
    assert.deepEqual(stackFile().checkpoint.latest?.resources ?? [], []);
  });
});
