/** Tier: pure functions — the CLI surface in-process (`main` with a capturing Io): version, help, typos. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { didYouMean } from "../../cli/did-you-mean";
import { EXAMPLE_FLEET, REPO_ROOT } from "../support/spec-files";

async function run(args: string[]) {
  const io = captureIo();
  const code = await main(args, io, REPO_ROOT);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

describe("xcluster command line", () => {
  it("prints the package version with --version and exits 0", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-V"]) {
      const r = await run([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, pkg.version);
    }
  });

  for (const args of [["--help"], ["validate", "--help"], ["up", "--help"]]) {
    it(`lists the exit codes and the environment variables in \`${args.join(" ")}\``, async () => {
      const r = await run(args);
      assert.equal(r.code, 0);
      for (const line of [
        /^ {2}2 {2}invalid input: a spec or a flag/m,
        /^ {2}3 {2}a mandatory policy was violated$/m,
        /^ {2}4 {2}drift found/m,
        /^ {2}PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE$/m,
        /PULUMI_ACCESS_TOKEN/,
        /XCLUSTER_PULUMI_ROOT/,
      ])
        assert.match(r.stdout, line);
    });
  }

  it("shows option defaults as they would be typed, unquoted", async () => {
    const r = await run(["export", "operator", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\(default:\s+pulumi-operator\)/);
    assert.match((await run(["up", "--help"])).stdout, /\(default:\s+3\)/);
    assert.doesNotMatch(r.stdout, /default: "/);
  });

  /** The long options a command's help lists (its "Options:" section). */
  function helpOptions(help: string): string[] {
    const section = help.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? "";
    return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).sort();
  }

  const COMMON = [
    "--cluster",
    "--env",
    "--fail-fast",
    "--help",
    "--json",
    "--markdown",
    "--parallel",
    "--pulumi-root",
  ];
  const WAVES = ["--canary", "--canary-selector"];
  const LOCK = ["--lock-retries"];
  const CONFIG = ["--config", "--secret-env"];
  const POLICY = ["--no-offline-policy", "--no-policy", "--policy-pack"];
  const LIFECYCLE = [...COMMON, "--local"];
  const MEANINGFUL: Record<string, string[]> = {
    preview: [...LIFECYCLE, ...WAVES, ...CONFIG, ...POLICY, "--move-spec"],
    up: [...LIFECYCLE, ...WAVES, ...LOCK, ...CONFIG, ...POLICY, "--move-spec"],
    refresh: [...LIFECYCLE, ...WAVES, ...LOCK, ...CONFIG],
    destroy: [
      ...LIFECYCLE,
      ...LOCK,
      "--all",
      "--confirm-env",
      "--dry-run",
      "--force-orphans",
      "--teardown-timeout",
      "--yes",
    ],
    drift: [...LIFECYCLE, ...CONFIG],
    reconcile: [
      ...COMMON,
      ...WAVES,
      ...LOCK,
      ...CONFIG,
      ...POLICY,
      "--dry-run",
      "--force-orphans",
      "--move-spec",
      "--prune",
      "--teardown-timeout",
      "--yes",
    ],
  };
  for (const [command, expected] of Object.entries(MEANINGFUL)) {
    it(`\`${command} --help\` lists exactly the options that mean something to ${command}`, async () => {
      const r = await run([command, "--help"]);
      assert.equal(r.code, 0);
      assert.deepEqual(helpOptions(r.stdout), [...expected].sort());
    });
  }

  it("rejects the options that mean nothing on destroy and drift (exit 2, nothing run)", async () => {
    for (const args of [
      ["destroy", "--env", "dev", "--cluster", "sandbox", "--yes", "--canary", "sandbox"],
      ["destroy", "--env", "dev", "--cluster", "sandbox", "--yes", "--config", "openstack:insecure=false"],
      ["drift", "--env", "dev", "--lock-retries", "2"],
      ["preview", "--env", "dev", "--lock-retries", "2"],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, /unknown option '--(canary|config|lock-retries)'/, args.join(" "));
    }
  });

  it("rejects a mistyped command with exit 2 and suggests the right one", async () => {
    const r = await run(["valdate"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'valdate'\n\(Did you mean validate\?\)/);
  });

  it("rejects a mistyped option with exit 2 and suggests the right one", async () => {
    const r = await run(["validate", "--evn", "prod"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--evn'\n\(Did you mean --env\?\)/);
  });

  for (const command of ["plan", "up", "drift"]) {
    it(`rejects \`${command} --env <typo>\` with exit 2, the environments there are and the closest one`, async () => {
      const io = captureIo();
      // The example fleet's paths, so that adding an environment under stacks/ changes nothing here.
      const code = await main([command, EXAMPLE_FLEET, "--env", "prd"], io, REPO_ROOT);
      assert.equal(code, 2);
      assert.match(
        io.stderr.join("\n"),
        /--env: no environment "prd" under .*example-fleet \(allowed: dev, prod\) \(did you mean "prod"\?\)/,
      );
      assert.deepEqual(io.stdout, []);
    });
  }

  it("suggests a name only when it is close", () => {
    assert.equal(didYouMean("prd", ["dev", "prod"]), ' (did you mean "prod"?)');
    assert.equal(didYouMean("porduction", ["production"]), ' (did you mean "production"?)');
    assert.equal(didYouMean("staging", ["dev", "prod"]), "");
  });
});
