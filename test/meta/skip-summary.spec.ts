/**
 * Tier: real mocha, as `npm test` runs it (.mocharc.json, its root-hook plugin test/support/skip-summary.ts),
 * in a child process on a fixture suite whose tiers skip: the run ends with one line per skipped tier and
 * the command that enables it, and where a tier must run (CI=true) it fails instead.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../support/spec-files";
import { FIXTURE_VAR } from "./fixtures/skipping-tiers";

const FIXTURE = path.join("test", "meta", "fixtures", "skipping-tiers.ts");

function mocha(env: Record<string, string | undefined>) {
  const childEnv: NodeJS.ProcessEnv = {
    [FIXTURE_VAR]: "1",
    ...process.env,
    CI: undefined,
    XCLUSTER_REAL_ENGINE: undefined,
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules", "mocha", "bin", "mocha.js"), FIXTURE],
    {
      cwd: REPO_ROOT,
      env: childEnv,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout.trimEnd().split("\n") };
}

describe("skipped tiers are summed up at the end of the run (real mocha)", function () {
  this.timeout(120_000);

  it("ends with one line per skipped tier, its count, its reason and the command that enables it", () => {
    const r = mocha({});
    assert.equal(r.status, 0, r.out);
    const tail = r.stdout.slice(-2);
    assert.deepEqual(tail, [
      "skipped tier: cloud-init's schema check and shellify, 2 suite(s) or test(s): cloud-init is not installed (fixture); to run it: apt-get install cloud-init",
      "skipped tier: real kube-apiserver and etcd, 1 suite(s) or test(s): no kube-apiserver (fixture); to run it: bash scripts/setup-kube-apiserver.sh",
    ]);
    assert.match(r.out, /1 passing/);
  });

  it("fails, not skips, a tier that must run: cloud-init with CI=true", () => {
    const r = mocha({ CI: "true" });
    assert.notEqual(r.status, 0, r.out);
    assert.match(
      r.out,
      /CI=true, but a tier that must run here cannot \(cloud-init's schema check and shellify\): cloud-init is not installed \(fixture\)/,
    );
  });

  it("fails the kube-apiserver tier where the real engine is required", () => {
    assert.match(
      mocha({ XCLUSTER_REAL_ENGINE: "required" }).out,
      /XCLUSTER_REAL_ENGINE=required, but a tier that must run here cannot \(real kube-apiserver and etcd\)/,
    );
  });
});
