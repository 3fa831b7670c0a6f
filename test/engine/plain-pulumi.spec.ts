/**
 * The first way in: plain `pulumi preview` of the root project (`Pulumi.yaml`, `main: programs/stack.ts`),
 * the stack config naming the spec, with the policy pack — the commands docs/fleet.md shows. It must build
 * the same program as the driver's inline one. Provider plugins are the stand-ins of cluster-preview.spec.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { REPO_ROOT } from "../support/spec-files";
import { realEngine } from "./engine";
import { offlinePlan } from "./offline-plan";
import { standInPlugins } from "./stand-in/plugins";

/** What a checkout holds that the root project needs, linked into a scratch copy (stack files land there). */
const PROJECT_ENTRIES = [
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "node_modules",
  "programs",
  "components",
  "spec",
  "plan",
  "policy",
  "stacks",
];

describe("plain `pulumi preview` of the root project (stand-in providers)", function () {
  this.timeout(300_000);
  let pulumi: PulumiCommand;
  let plugins: string;
  let project: string;
  let state: string;

  before(async function () {
    pulumi = await realEngine(this);
    plugins = standInPlugins();
    project = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-root-"));
    state = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-root-state-"));
    for (const entry of PROJECT_ENTRIES)
      fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(project, entry));
  });
  after(() => {
    for (const dir of [plugins, project, state]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function cli(...args: string[]) {
    const run = spawnSync(pulumi.command, [...args, "--non-interactive"], {
      cwd: project,
      encoding: "utf8",
      timeout: 240_000,
      env: {
        ...process.env,
        PATH: `${plugins}${path.delimiter}${path.dirname(pulumi.command)}${path.delimiter}${process.env["PATH"] ?? ""}`,
        PULUMI_HOME: path.join(state, "home"),
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: "plain-pulumi-test",
        PULUMI_SKIP_UPDATE_CHECK: "1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      },
    });
    assert.equal(run.status, 0, `pulumi ${args.join(" ")}:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  }

  it("previews dev/sandbox with the policy pack, creating what the offline plan records plus the stack", () => {
    cli("stack", "init", "dev.sandbox");
    cli("config", "set", "xcluster:spec", "stacks/dev/sandbox.yaml", "--stack", "dev.sandbox");
    cli("config", "set", "xcluster:environment", "dev", "--stack", "dev.sandbox");
    const preview = JSON.parse(
      cli("preview", "--stack", "dev.sandbox", "--policy-pack", "policy", "--json"),
    ) as { changeSummary: Record<string, number>; steps: { op: string; urn: string }[] };

    const resources = offlinePlan("stacks/dev/sandbox.yaml", REPO_ROOT).clusters[0]?.resources;
    assert.ok(resources);
    assert.equal(preview.changeSummary["create"], resources.length + 1);
    const created = preview.steps
      .filter((s) => s.op === "create")
      .map((s) => s.urn.split("::").slice(2).join("::").split("$").pop())
      .sort();
    assert.deepEqual(
      created,
      [...resources.map((r) => `${r.type}::${r.name}`), "pulumi:pulumi:Stack::xcluster-dev.sandbox"].sort(),
    );
  });
});
