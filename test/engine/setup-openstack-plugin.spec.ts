/**
 * Tier: real tools. `scripts/setup-openstack-plugin.sh` run for real, against a throwaway cache directory
 * and PULUMI_HOME, with the real pulumi CLI and the real plugin binary from `npm run setup:pulumi`. The
 * build way is not repeated here (minutes of CPU); setup runs it once per machine and ADR 0005 records it.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../support/spec-files";
import { PULUMI_VERSION, realEngine } from "./engine";
import { OPENSTACK_PLUGIN_VERSION as VERSION, realOpenStackPlugin } from "./real-openstack-plugin";

const SCRIPT = path.join(REPO_ROOT, "scripts", "setup-openstack-plugin.sh");
const TOOLS = process.env["PULUMI_TOOLS_DIR"] || path.join(REPO_ROOT, ".pulumi-tools");

describe("scripts/setup-openstack-plugin.sh (real tools)", function () {
  this.timeout(120_000);
  let plugin: string;
  let dir: string;
  let tools: string;
  let home: string;

  before(async function () {
    await realEngine(this);
    plugin = realOpenStackPlugin(this);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-setup-plugin-"));
    tools = path.join(dir, "tools");
    home = path.join(dir, "home");
    fs.mkdirSync(tools);
    // The CLI the script asks for the schema, where setup-pulumi.sh leaves it.
    fs.symlinkSync(path.join(TOOLS, PULUMI_VERSION), path.join(tools, PULUMI_VERSION));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function setup(extra: Record<string, string> = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env["XCLUSTER_REAL_ENGINE"];
    Object.assign(env, { PULUMI_TOOLS_DIR: tools, PULUMI_HOME: home }, extra);
    // No pulumi on PATH: the script must find the cached CLI itself.
    env["PATH"] = (env["PATH"] ?? "")
      .split(path.delimiter)
      .filter((d) => !fs.existsSync(path.join(d, "pulumi")))
      .join(path.delimiter);
    const run = spawnSync("bash", [SCRIPT], {
      env,
      encoding: "utf8",
      timeout: 90_000,
    });
    return { status: run.status, stdout: run.stdout, lines: run.stderr.trim().split("\n") };
  }

  const cacheDir = () => path.join(tools, `openstack-${VERSION}`);
  /** Offline and quickly: `pulumi plugin install` gets one second and no source to build from. */
  const offline = { OPENSTACK_PLUGIN_INSTALL_TIMEOUT: "1", OPENSTACK_PLUGIN_SOURCE: "/nonexistent" };

  it("uses a plugin installed in PULUMI_HOME, writes its schema, and says so in one line", () => {
    const installed = path.join(home, "plugins", `resource-openstack-v${VERSION}`);
    fs.mkdirSync(installed, { recursive: true });
    fs.symlinkSync(plugin, path.join(installed, "pulumi-resource-openstack"));
    const r = setup();
    assert.equal(r.status, 0, r.lines.join("\n"));
    assert.equal(r.stdout, "", "stdout stays free for setup-pulumi.sh's bin directory");
    assert.deepEqual(r.lines, [
      `setup-openstack-plugin: openstack plugin ${VERSION}: using the installed plugin ` +
        `${path.join(installed, "pulumi-resource-openstack")}`,
    ]);
    const schema = JSON.parse(fs.readFileSync(path.join(cacheDir(), "schema.json"), "utf8")) as {
      name: string;
      version: string;
      resources: Record<string, unknown>;
    };
    assert.equal(schema.name, "openstack");
    assert.equal(schema.version, VERSION);
    assert.ok("openstack:compute/instance:Instance" in schema.resources);

    const again = setup();
    assert.deepEqual(again.lines, [
      `setup-openstack-plugin: openstack plugin ${VERSION}: cached in ${cacheDir()}`,
    ]);
  });

  it("says why each way failed and lets the tests skip when no way is available", () => {
    const r = setup(offline);
    assert.equal(r.status, 0, r.lines.join("\n"));
    assert.equal(r.lines.length, 3, r.lines.join("\n"));
    assert.match(r.lines[0] ?? "", /^setup-openstack-plugin: no installed openstack plugin /);
    assert.match(r.lines[1] ?? "", /`pulumi plugin install resource openstack .*` failed after \d+ s: /);
    assert.equal(
      r.lines[2],
      `setup-openstack-plugin: openstack plugin ${VERSION}: unavailable (no upstream source at /nonexistent); ` +
        `the engine tests that need it will skip`,
    );
    assert.equal(fs.existsSync(path.join(cacheDir(), "pulumi-resource-openstack")), false);
  });

  it("rejects a missing plugin when the real engine is required (CI)", () => {
    const r = setup({ ...offline, XCLUSTER_REAL_ENGINE: "required" });
    assert.equal(r.status, 1);
    assert.match(
      r.lines[r.lines.length - 1] ?? "",
      /error: openstack plugin .* unavailable \(no upstream source at \/nonexistent\) and XCLUSTER_REAL_ENGINE=required$/,
    );
  });
});
