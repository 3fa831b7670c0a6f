/**
 * Tier: real bash and the real shellcheck — the setup scripts' shared library (scripts/lib/setup-common.sh):
 * the heartbeat of long steps, run on a short sleeping command with a one-second interval.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../support/spec-files";
import { skipTier } from "../support/tiers";

const LIB = path.join(REPO_ROOT, "scripts", "lib", "setup-common.sh");

/** Runs `script` in bash after sourcing the library, with a heartbeat every second. */
function withLibrary(script: string) {
  const r = spawnSync("bash", ["-c", `set -euo pipefail; SETUP_NAME=test; source '${LIB}'; ${script}`], {
    encoding: "utf8",
    env: { ...process.env, XCLUSTER_HEARTBEAT_SECONDS: "1" },
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, lines: r.stderr.trim().split("\n") };
}

describe("the setup scripts' shared library (real bash)", function () {
  this.timeout(60_000);

  it("says when a long step starts, that it is still running every interval, and when it ended", () => {
    const r = withLibrary(`heartbeat "a short sleep" bash -c 'sleep 3; echo result'`);
    assert.equal(r.status, 0, r.lines.join("\n"));
    assert.equal(r.stdout, "result\n", "the command's own output passes through");
    assert.equal(r.lines[0], "test: a short sleep …");
    const beats = r.lines.filter((l) => /^test: a short sleep: still running \(\d+ s\)$/.test(l));
    assert.ok(beats.length >= 2, r.lines.join("\n"));
    const seconds = beats.map((l) => Number(/\((\d+) s\)/.exec(l)![1]));
    assert.deepEqual(
      seconds,
      [...seconds].sort((a, b) => a - b),
      "elapsed time grows",
    );
    assert.match(r.lines.at(-1)!, /^test: a short sleep: done in [3-5] s$/);
  });

  it("returns the step's exit status and says it failed", () => {
    const r = withLibrary(`heartbeat "a failing step" bash -c 'exit 7' || echo "status $?"`);
    assert.equal(r.stdout, "status 7\n");
    assert.match(r.lines.at(-1)!, /^test: a failing step: failed after \d+ s \(exit 7\)$/);
  });

  it("says nothing between start and end of a step shorter than the interval", () => {
    const r = withLibrary(`heartbeat "a quick step" true`);
    assert.equal(r.lines.length, 2, r.lines.join("\n"));
    assert.equal(r.lines[0], "test: a quick step …");
    // The library looks once a second.
    assert.match(r.lines[1]!, /^test: a quick step: done in [01] s$/);
  });

  it("passes shellcheck, with every setup script that sources it", function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0)
      skipTier(this, "shellcheck", "shellcheck is not installed", "ci");
    // setup-kube-apiserver.sh keeps its own helpers: its cache stamp hashes the script itself, so any
    // edit would rebuild kube-apiserver (15 minutes) on every machine.
    const scripts = ["scripts/setup-pulumi.sh", "scripts/setup-openstack-plugin.sh"];
    for (const script of scripts)
      assert.match(
        fs.readFileSync(path.join(REPO_ROOT, script), "utf8"),
        /source .*lib\/setup-common\.sh/,
        script,
      );
    // -x follows `source`; `source=` paths are relative to the repository root.
    const r = spawnSync(
      "shellcheck",
      ["--severity=warning", "-x", "scripts/lib/setup-common.sh", ...scripts],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stdout);
  });
});
