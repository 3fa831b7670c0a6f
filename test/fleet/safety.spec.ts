/**
 * Fleet safety, fake-CLI tier: the refusals of issue 18 (whole-environment orphans, one spec file per
 * stack, scoped destroy, prerequisites before anything, dry runs) through the command line, checked by
 * the calls the driver makes. The real-engine proofs are test/engine/safety.spec.ts.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { missingPlugins, programPlugins, versionAtLeast } from "../../fleet/preflight";
import { baseEnvironment } from "../support/spec-files";
import { FAKE_ROOT, FakeProject, PASSPHRASE_ENV, defaultFiles, withEnv, type Call } from "./harness";

const MUTATING = /^(stack init|stack rm|stack tag set|config set|up|destroy|refresh|preview|stack import)\b/;

describe("fleet safety: refusals before anything is touched (fake CLI)", function () {
  this.timeout(120_000);
  let p: FakeProject;
  afterEach(() => p?.dispose());

  async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
    const io = captureIo();
    const code = await withEnv({ XCLUSTER_PULUMI_ROOT: FAKE_ROOT, ...PASSPHRASE_ENV, ...env }, () =>
      main(argv, io, p.root),
    );
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
  }
  const changing = (calls: Call[]) => calls.map((c) => c.argv.join(" ")).filter((l) => MUTATING.test(l));

  it("rejects reconcile --prune on part of an environment and names the specs it leaves out", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true }, "dev.b": { exists: true } } });
    const r = await cli(["reconcile", "--env", "dev", "--cluster", "a", "--prune", "--yes", "--no-policy"]);
    assert.equal(r.code, 2, r.out);
    assert.match(
      r.err,
      /--prune needs every spec of environment dev, but this run leaves out dev\/b \(stacks\/dev\/b\.yaml\), dev\/c/,
    );
    assert.deepEqual(p.calls(), []);
  });

  it("lists only stacks that no spec of the environment names as orphans, whatever the selection", async () => {
    p = new FakeProject({
      stacks: { "dev.a": { exists: true }, "dev.b": { exists: true }, "dev.gone": { exists: true } },
    });
    const r = await cli([
      "reconcile",
      "--env",
      "dev",
      "--cluster",
      "a",
      "--no-policy",
      "--no-offline-policy",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /orphan stack dev\.gone \(no spec\): listed/);
    assert.doesNotMatch(r.out, /orphan stack dev\.(b|c) /);
  });

  it("rejects a copy of a spec that keeps the name, even given alone, naming both files", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true } } });
    fs.copyFileSync(path.join(p.root, "stacks/dev/a.yaml"), path.join(p.root, "stacks/dev/copy-of-a.yaml"));
    const r = await cli(["preview", "stacks/dev/copy-of-a.yaml"]);
    assert.equal(r.code, 2, r.out);
    assert.match(
      r.err,
      /stacks\/dev\/copy-of-a\.yaml.*duplicate cluster name in environment "dev" \(got "a", also in stacks\/dev\/a\.yaml/,
    );
    assert.match(r.err, /judged against every spec of an environment/);
    assert.deepEqual(p.calls(), []);
  });

  it("rejects validate and plan of a copied spec given alone, naming both files", async () => {
    p = new FakeProject({});
    fs.copyFileSync(path.join(p.root, "stacks/dev/b.yaml"), path.join(p.root, "stacks/dev/a-copy-of-b.yaml"));
    for (const command of ["validate", "plan"]) {
      const r = await cli([command, "stacks/dev/a-copy-of-b.yaml"]);
      assert.equal(r.code, 2, `${command}: ${r.out}`);
      assert.match(
        r.err,
        /stacks\/dev\/b\.yaml:\d+:\d+: metadata\.name: duplicate cluster name in environment "dev" \(got "b", also in stacks\/dev\/a-copy-of-b\.yaml/,
        command,
      );
    }
    // Siblings' own problems are theirs: a valid file given alone still validates.
    const ok = await cli(["validate", "stacks/dev/c.yaml"]);
    assert.equal(ok.code, 0, ok.err);
  });

  it("rejects pointing a stack at another spec file, naming both, and moves it only with --move-spec", async () => {
    p = new FakeProject({
      stacks: { "dev.a": { exists: true, tags: { "xcluster:spec": "stacks/dev/old-a.yaml" } } },
    });
    const refused = await cli(["up", "--cluster", "a", "--no-policy"]);
    assert.equal(refused.code, 2, refused.out);
    assert.match(
      refused.err,
      /stack dev\.a belongs to stacks\/dev\/old-a\.yaml, but stacks\/dev\/a\.yaml names the same cluster \(dev\/a\); refusing .* --move-spec/,
    );
    assert.deepEqual(changing(p.calls()), []);

    const moved = await cli(["up", "--cluster", "a", "--no-policy", "--no-offline-policy", "--move-spec"]);
    assert.equal(moved.code, 0, moved.err);
    assert.ok(
      p
        .lines("dev.a")
        .includes("stack tag set xcluster:spec stacks/dev/a.yaml --stack dev.a --non-interactive"),
      p.lines("dev.a").join("\n"),
    );
  });

  it("rejects re-pointing a stack whose only record is the spec in its workspace's stack config", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true } } });
    fs.mkdirSync(p.workDir("dev.a"), { recursive: true });
    fs.writeFileSync(
      path.join(p.workDir("dev.a"), "Pulumi.dev.a.yaml"),
      stringify({ config: { "xcluster:spec": "stacks/dev/renamed.yaml" } }),
    );
    const r = await cli(["preview", "--cluster", "a", "--no-policy"]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.err, /stack dev\.a belongs to stacks\/dev\/renamed\.yaml, but stacks\/dev\/a\.yaml/);
    assert.deepEqual(changing(p.calls()), []);
  });

  it("rejects destroy without --env and a cluster or paths, and --all without --confirm-env matching", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true } } });
    const cases: [string[], RegExp][] = [
      [["destroy", "--yes"], /destroy needs --env <environment> and --cluster <name> or spec paths/],
      [["destroy", "--env", "dev", "--yes"], /destroy needs --cluster <name> or spec paths/],
      [["destroy", "--env", "dev", "--all", "--yes"], /--confirm-env dev/],
      [["destroy", "--env", "dev", "--all", "--confirm-env", "prod", "--yes"], /got --confirm-env prod/],
      [
        ["destroy", "--env", "dev", "--all", "--confirm-env", "dev", "--cluster", "a", "--yes"],
        /does not combine/,
      ],
    ];
    for (const [argv, why] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.err, why, argv.join(" "));
    }
    assert.deepEqual(p.calls(), []);
  });

  it("prints what destroy would do in the real run's format and touches nothing (--dry-run)", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true } } });
    const r = await cli(["destroy", "--env", "dev", "--all", "--confirm-env", "dev", "--dry-run"]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /\[a\] dry run: step 1: export the state to \.xcluster\/backups\/dev\.a-\d{8}T\d{6}Z\.json/,
    );
    assert.match(r.out, /\[a\] dry run: would destroy: 0 to create, 0 to update, 0 to replace, 1 to delete/);
    assert.match(r.out, /dev\/a .* destroy .* dry run/);
    assert.match(r.out, /dev\/b .* destroy .* skipped/);
    assert.deepEqual(changing(p.calls()), []);
    assert.ok(!fs.existsSync(path.join(p.root, ".xcluster", "backups")), "no backup written");
  });

  it("prints what reconcile --prune would do without --yes (--dry-run) and touches nothing", async () => {
    p = new FakeProject({
      stacks: {
        "dev.a": { exists: true },
        "dev.gone": { exists: true, tags: { "xcluster:protect": "false" } },
        "dev.kept": { exists: true, tags: { "xcluster:protect": "true" } },
        "dev.unknown": { exists: true },
      },
    });
    const r = await cli(["reconcile", "--env", "dev", "--prune", "--dry-run", "--no-policy"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\[a\] dry run: would up the existing stack dev\.a/);
    assert.match(r.out, /\[b\] dry run: would create the stack dev\.b, then up/);
    assert.match(r.out, /orphan stack dev\.gone \(no spec\): dry run: would destroy/);
    assert.match(r.out, /orphan stack dev\.kept \(no spec\): kept \(protected\)/);
    assert.match(r.out, /orphan stack dev\.unknown \(no spec\): kept \(protected\)/);
    assert.match(r.out, /\[unknown\] kept: it records no xcluster:protect tag/);
    assert.deepEqual(changing(p.calls()), []);
  });

  it("destroys an unprotected orphan on --prune --yes and keeps protected and unknown ones", async () => {
    p = new FakeProject({
      stacks: {
        "dev.gone": { exists: true, tags: { "xcluster:protect": "false" } },
        "dev.kept": { exists: true, tags: { "xcluster:protect": "true" } },
        "dev.unknown": { exists: true },
      },
    });
    const r = await cli([
      "reconcile",
      "--env",
      "dev",
      "--prune",
      "--yes",
      "--no-policy",
      "--no-offline-policy",
    ]);
    assert.equal(r.code, 0, r.err);
    const destroyed = p.calls().filter((c) => /^(destroy|stack rm)\b/.test(c.argv.join(" ")));
    assert.deepEqual(
      destroyed.map((c) => c.argv.filter((a) => a.startsWith("dev."))[0]),
      ["dev.gone", "dev.gone"],
    );
    assert.match(r.out, /orphan stack dev\.gone \(no spec\): destroyed/);
  });

  it("keeps an unprotected orphan whose spec this checkout's history never removed (a stale checkout or another branch)", async () => {
    p = new FakeProject({
      stacks: {
        "dev.gone": {
          exists: true,
          tags: { "xcluster:protect": "false", "xcluster:spec": "stacks/dev/gone.yaml" },
        },
        "dev.elsewhere": {
          exists: true,
          tags: { "xcluster:protect": "false", "xcluster:spec": "stacks/dev/elsewhere.yaml" },
        },
      },
    });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], { cwd: p.root });
    git("init", "-q");
    fs.writeFileSync(path.join(p.root, "stacks", "dev", "gone.yaml"), "# the spec of a retired cluster\n");
    git("add", "stacks");
    git("commit", "-qm", "clusters");
    git("rm", "-q", "stacks/dev/gone.yaml");
    git("commit", "-qm", "retire gone");
    const r = await cli([
      "reconcile",
      "--env",
      "dev",
      "--prune",
      "--yes",
      "--no-policy",
      "--no-offline-policy",
    ]);
    assert.equal(r.code, 0, r.err);
    const destroyed = p.calls().filter((c) => /^(destroy|stack rm)\b/.test(c.argv.join(" ")));
    assert.deepEqual(
      destroyed.map((c) => c.argv.filter((a) => a.startsWith("dev."))[0]),
      ["dev.gone", "dev.gone"],
      "only the orphan whose spec removal this history shows is destroyed",
    );
    assert.match(r.out, /orphan stack dev\.elsewhere \(no spec\): kept \(protected\)/);
    assert.match(
      r.out,
      /kept: its spec stacks\/dev\/elsewhere\.yaml was never removed in this checkout's history \(added on another branch, or this checkout is behind\)/,
    );
  });

  it("rejects preview before any stack when plugins, passphrase and backend are missing, in one message with the command for each", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-blocked-"));
    fs.writeFileSync(path.join(root, "not-a-dir"), "");
    const files = defaultFiles();
    files["dev/environment.yaml"] = {
      ...baseEnvironment({
        production: false,
        backend: { url: `file://${root}/not-a-dir/state`, secretsProvider: "passphrase" },
      }),
      metadata: { name: "dev" },
    };
    p = new FakeProject({ plugins: [{ name: "vault", kind: "resource", version: "7.8.0" }] }, files);
    try {
      const r = await cli(["preview", "--cluster", "a"], { PULUMI_CONFIG_PASSPHRASE: undefined });
      assert.equal(r.code, 2, r.out);
      const lines = r.err.split("\n");
      assert.match(
        lines[0] ?? "",
        /xcluster preview: 6 thing\(s\) this run needs are missing; no workspace or stack was touched:/,
      );
      assert.deepEqual(lines.slice(1, 5), [
        "  - provider plugin aws 7.48.0: pulumi plugin install resource aws 7.48.0",
        "  - provider plugin kubernetes 4.34.2: pulumi plugin install resource kubernetes 4.34.2",
        "  - provider plugin openstack 3.15.2: npm run setup:pulumi (builds the OpenStack provider plugin 3.15.2 from source)",
        "  - provider plugin rancher2 13.0.0: pulumi plugin install resource rancher2 13.0.0",
      ]);
      assert.match(lines[5] ?? "", /passphrase .* PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/);
      assert.match(
        lines[6] ?? "",
        /the file backend file:\/\/.*\/not-a-dir\/state \(.*not-a-dir is not a directory/,
      );
      assert.deepEqual(
        p.calls().map((c) => c.argv.join(" ")),
        ["plugin ls --json"],
      );
      assert.ok(!fs.existsSync(p.workDir("dev.a")), "no workspace was created");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("provider plugins the cluster program needs (pure)", () => {
  it("derives every provider package of package.json at the version its package declares", () => {
    assert.deepEqual(
      programPlugins().map((p) => `${p.name} ${p.version}`),
      ["aws 7.48.0", "kubernetes 4.34.2", "openstack 3.15.2", "rancher2 13.0.0", "vault 7.8.0"],
    );
  });

  it("accepts a cached plugin at the version or newer, and one on PATH at any version, as the engine does", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-path-"));
    try {
      fs.writeFileSync(path.join(dir, "pulumi-resource-aws"), "#!/bin/sh\n", { mode: 0o755 });
      const required = [
        { name: "aws", version: "7.48.0" },
        { name: "vault", version: "7.8.0" },
        { name: "kubernetes", version: "4.34.2" },
      ];
      const installed = [
        { name: "vault", kind: "resource", version: "7.9.1" },
        { name: "kubernetes", kind: "resource", version: "4.34.1" },
      ];
      assert.deepEqual(
        missingPlugins(required, installed, { PATH: dir }).map((p) => p.name),
        ["kubernetes"],
      );
      assert.deepEqual(
        missingPlugins(required, installed, { PATH: dir, PULUMI_IGNORE_AMBIENT_PLUGINS: "1" }).map(
          (p) => p.name,
        ),
        ["aws", "kubernetes"],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("compares versions numerically", () => {
    assert.ok(versionAtLeast("3.15.10", "3.15.2"));
    assert.ok(versionAtLeast("v3.15.2", "3.15.2"));
    assert.ok(!versionAtLeast("3.9.0", "3.15.2"));
  });
});
