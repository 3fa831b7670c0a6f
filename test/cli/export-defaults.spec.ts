/**
 * Tier: the real CLI in-process (`main`) and the real `git`, on a copy of the example fleet in a throwaway
 * directory: what `export operator` takes for `--branch` and `--repo` when they are not given.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { isLocalRepo } from "../../cli/commands/export";
import { EXAMPLE_FLEET } from "../support/spec-files";

/** The example fleet's environments use the local file backend: the operator needs one it can reach. */
const BACKEND = ["--backend", "s3://platform-state/xcluster"];

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-export-"));
  fs.cpSync(EXAMPLE_FLEET, path.join(dir, "stacks"), { recursive: true });
  return dir;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

async function exportOperator(cwd: string, args: string[]) {
  const io = captureIo();
  const code = await main(["export", "operator", ...BACKEND, ...args], io, cwd);
  const stacks = parseAllDocuments(io.stdout.join("\n")).map(
    (d) => d.toJS() as { spec: { branch: string; projectRepo: string } },
  );
  return { code, stacks, stderr: io.stderr.join("\n") };
}

describe("export operator defaults (real git)", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const dir = () => {
    const d = project();
    dirs.push(d);
    return d;
  };

  it("tracks the checkout's current branch and its origin remote, with nothing on stderr", async () => {
    const d = dir();
    git(d, "init", "--quiet", "--initial-branch", "feature/ingress-vip");
    git(d, "remote", "add", "origin", "https://git.example.org/platform/fleet.git");
    const r = await exportOperator(d, []);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.ok(r.stacks.length > 0);
    for (const s of r.stacks) {
      assert.equal(s.spec.branch, "feature/ingress-vip");
      assert.equal(s.spec.projectRepo, "https://git.example.org/platform/fleet.git");
    }
  });

  it("takes an origin remote that is a local path, and warns that the operator needs a reachable URL", async () => {
    const d = dir();
    git(d, "init", "--quiet", "--initial-branch", "main");
    git(d, "remote", "add", "origin", "/srv/git/fleet");
    const r = await exportOperator(d, []);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stacks[0]?.spec.projectRepo, "/srv/git/fleet");
    assert.match(
      r.stderr,
      /^export operator: warning: --repo \/srv\/git\/fleet is a path on this machine \(this checkout's origin remote\); the operator .* needs a URL it can reach/,
    );
  });

  it("falls back to main outside git, and says so on stderr", async () => {
    const d = dir();
    // Outside any checkout: git stops looking at the temporary directory's parent.
    const r = await exportOperator(d, ["--repo", "ssh://git@git.example.org/platform/fleet.git"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stacks[0]?.spec.branch, "main");
    assert.match(r.stderr, /--branch: .* is not on a git branch .*; using main$/);
  });

  it("uses --branch and --repo as given over the checkout's", async () => {
    const d = dir();
    git(d, "init", "--quiet", "--initial-branch", "feature/x");
    const r = await exportOperator(d, [
      "--branch",
      "release",
      "--repo",
      "git@git.example.org:platform/fleet.git",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(r.stacks[0]?.spec.branch, "release");
    assert.equal(r.stacks[0]?.spec.projectRepo, "git@git.example.org:platform/fleet.git");
  });

  it("tells local paths from addresses a server answers", () => {
    for (const local of ["/srv/git/fleet", "../fleet", "fleet", "file:///srv/git/fleet"])
      assert.equal(isLocalRepo(local), true, local);
    for (const remote of [
      "https://git.example.org/fleet.git",
      "ssh://git@git.example.org/fleet.git",
      "git@git.example.org:platform/fleet.git",
      "git://git.example.org/fleet.git",
    ])
      assert.equal(isLocalRepo(remote), false, remote);
  });
});
