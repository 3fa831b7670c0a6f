/** Tier: pure functions — the CLI surface in-process (`main` with a capturing Io): version, help, typos. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { didYouMean } from "../../cli/did-you-mean";
import { REPO_ROOT } from "../support/spec-files";

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
    assert.doesNotMatch(r.stdout, /default: "/);
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

  it("suggests a name only when it is close", () => {
    assert.equal(didYouMean("prd", ["dev", "prod"]), ' (did you mean "prod"?)');
    assert.equal(didYouMean("porduction", ["production"]), ' (did you mean "production"?)');
    assert.equal(didYouMean("staging", ["dev", "prod"]), "");
  });
});
