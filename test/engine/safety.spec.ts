/**
 * Fleet safety on the real engine (file backend): the three accidents of issue 18, reproduced through the
 * command line's own runner, are refused and leave everything as it was — the backend's stack list, each
 * stack's resources (its state file, byte for byte, and `stack export`), its tags, each stack's config
 * in its workspace, and the backups directory. One fleet is deployed once (provider-free test programs;
 * the cluster program is never run, so no provider plugin is needed except where its absence is the
 * point) and every refusal is checked against it.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { captureIo } from "../../cli/io";
import type { CommandContext } from "../../cli/context";
import { runFleetCommand, type FleetFlags } from "../../fleet/command";
import { backendStacks, backendWorkspace, stackTags, stateResourceTypes } from "../../fleet/backend";
import { layout } from "../../fleet/layout";
import { runFleet } from "../../fleet/run-fleet";
import { baseCluster } from "../support/spec-files";
import { realEngine } from "./engine";
import { testProgram } from "./fixtures/programs";
import { EngineProject, filesUnder } from "./project";

const PROGRAM = testProgram({});

describe("fleet safety on the real engine: what the user did not name is never touched (file backend)", function () {
  this.timeout(300_000);
  let pulumi: PulumiCommand;
  let p: EngineProject;
  const specFile = (name: string) => path.join(p.root, "stacks", "dev", `${name}.yaml`);

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["sandbox", "ml-lab", "retired"] });
    const report = await runFleet("up", p.clusters(), p.options(pulumi, { program: PROGRAM }));
    assert.equal(report.exitCode, 0, report.clusters.map((c) => c.message).join("\n"));
    // `retired` loses its spec: its stack is a real orphan (recorded unprotected by its last up).
    fs.rmSync(specFile("retired"));
  });
  after(() => p?.dispose());

  /** Everything a command could change, read from the backend and the project's files. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const l = layout(p.root);
    const url = `file://${p.stateDir}`;
    const access = { pulumi, env: p.env() };
    const ws = await backendWorkspace(url, l, access);
    const stacks = (await backendStacks(ws)).map((s) => s.name).sort();
    const perStack: Record<string, unknown> = {};
    // Tags are files beside the state (`<stack>.pulumi-tags`): the hashes below cover them.
    for (const s of stacks) perStack[s] = { resources: await stateResourceTypes(ws, s) };
    const hash = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
    const rel = (f: string) => path.relative(p.root, f);
    return {
      stacks,
      perStack,
      stateFiles: Object.fromEntries(filesUnder(p.stateDir).map((f) => [rel(f), hash(f)])),
      stackConfigs: Object.fromEntries(
        filesUnder(l.workspacesDir)
          .filter((f) => /\/Pulumi\.[^/]+\.yaml$/.test(f) && !rel(f).includes("_backend-"))
          .map((f) => [rel(f), fs.readFileSync(f, "utf8")]),
      ),
      backups: filesUnder(l.backupsDir).map(rel).sort(),
      // The clusters' workspaces (the backend's own `_backend-*` workspace belongs to no stack).
      workspaces: fs
        .readdirSync(l.workspacesDir)
        .filter((d) => !d.startsWith("_backend-"))
        .sort(),
    };
  }

  async function cli(
    operation: Parameters<typeof runFleetCommand>[0],
    paths: string[],
    flags: FleetFlags,
    deps: Parameters<typeof runFleetCommand>[4] = {},
  ) {
    const io = captureIo();
    const ctx: CommandContext = { io, cwd: p.root, exitCode: 0 };
    const code = await runFleetCommand(operation, paths, { policy: false, ...flags }, ctx, {
      pulumi,
      env: p.env(),
      program: PROGRAM,
      policyGate: false,
      progressIntervalMs: 0,
      ...deps,
    });
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
  }

  async function refusedWithNothingChanged(run: () => Promise<{ code: number; out: string; err: string }>) {
    const before = await snapshot();
    const r = await run();
    assert.equal(r.code, 2, `${r.out}\n${r.err}`);
    assert.deepEqual(await snapshot(), before);
    return r.err;
  }

  it("has a deployed fleet to protect: three stacks with resources, tagged with their spec files", async () => {
    const s = await snapshot();
    assert.deepEqual(s["stacks"], ["dev.ml-lab", "dev.retired", "dev.sandbox"]);
    const perStack = s["perStack"] as Record<string, { resources: string[] }>;
    assert.deepEqual(perStack["dev.ml-lab"]?.resources, ["pulumi:pulumi:Stack", "xcluster:test:Cluster"]);
    const access = { pulumi, env: p.env() };
    const ws = await backendWorkspace(`file://${p.stateDir}`, layout(p.root), access);
    const tags = (stack: string) => stackTags(ws, stack);
    assert.equal((await tags("dev.ml-lab"))["xcluster:spec"], "stacks/dev/ml-lab.yaml");
    assert.equal((await tags("dev.retired"))["xcluster:protect"], "false");
  });

  it("rejects reconcile --prune on one cluster instead of destroying the others as orphans (accident 1)", async () => {
    const err = await refusedWithNothingChanged(() =>
      cli("reconcile", [], { env: "dev", cluster: ["sandbox"], prune: true, yes: true }),
    );
    assert.match(err, /--prune needs every spec of environment dev/);
    assert.match(err, /dev\/ml-lab \(stacks\/dev\/ml-lab\.yaml\)/);
  });

  it("judges orphans against every spec of the environment: only the stack without a spec would be pruned", async () => {
    const before = await snapshot();
    const r = await cli("reconcile", [], { env: "dev", prune: true, dryRun: true });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\[sandbox\] dry run: would up the existing stack dev\.sandbox/);
    assert.match(r.out, /\[ml-lab\] dry run: would up the existing stack dev\.ml-lab/);
    assert.match(r.out, /orphan stack dev\.retired \(no spec\): dry run: would destroy/);
    assert.doesNotMatch(r.out, /orphan stack dev\.(sandbox|ml-lab)/);
    assert.deepEqual(await snapshot(), before, "a dry run touches nothing");
  });

  it("rejects reconcile --prune without --yes after listing what it would destroy", async () => {
    const err = await refusedWithNothingChanged(() => cli("reconcile", [], { env: "dev", prune: true }));
    assert.match(err, /--prune would destroy 1 orphan stack\(s\) .*: dev\.retired \(\d+ resource\(s\)\)/);
    assert.match(err, /Pass --yes to confirm/);
  });

  it("rejects a copied spec that keeps its original's name, naming both files (accident 2)", async () => {
    fs.copyFileSync(specFile("ml-lab"), specFile("copy-of-ml-lab"));
    try {
      const err = await refusedWithNothingChanged(() =>
        cli("preview", ["stacks/dev/copy-of-ml-lab.yaml"], { env: "dev" }),
      );
      assert.match(err, /duplicate cluster name in environment "dev"/);
      assert.match(err, /stacks\/dev\/ml-lab\.yaml/);
      assert.match(err, /stacks\/dev\/copy-of-ml-lab\.yaml/);
    } finally {
      fs.rmSync(specFile("copy-of-ml-lab"));
    }
  });

  it("rejects pointing a stack at another spec file (the original renamed) unless --move-spec, naming both files", async () => {
    fs.renameSync(specFile("ml-lab"), specFile("ml-lab-v2"));
    try {
      const err = await refusedWithNothingChanged(() =>
        cli("up", ["stacks/dev/ml-lab-v2.yaml"], { env: "dev" }),
      );
      assert.match(
        err,
        /stack dev\.ml-lab belongs to stacks\/dev\/ml-lab\.yaml, but stacks\/dev\/ml-lab-v2\.yaml names the same cluster .*--move-spec/,
      );
    } finally {
      fs.renameSync(specFile("ml-lab-v2"), specFile("ml-lab"));
    }
  });

  it("rejects destroy without an explicit scope, and --all without the environment typed back (accident 3)", async () => {
    const refusals: [FleetFlags, RegExp][] = [
      [{ yes: true }, /destroy needs --env <environment> and --cluster <name> or spec paths/],
      [{ env: "dev", yes: true }, /destroy needs --cluster <name> or spec paths .* --all --confirm-env dev/],
      [{ env: "dev", all: true, yes: true }, /type the environment name back with --confirm-env dev/],
      [{ env: "dev", all: true, confirmEnv: "prod", yes: true }, /\(got --confirm-env prod\)/],
    ];
    const before = await snapshot();
    for (const [flags, why] of refusals) {
      const r = await cli("destroy", [], flags);
      assert.equal(r.code, 2, r.out);
      assert.match(r.err, why);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it("prints what destroy --all would do, in the real run's format, and touches nothing", async () => {
    const before = await snapshot();
    const r = await cli("destroy", [], { env: "dev", all: true, confirmEnv: "dev", dryRun: true });
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /\[sandbox\] dry run: step 1: export the state to \.xcluster\/backups\/dev\.sandbox-\d{8}T\d{6}Z\.json/,
    );
    assert.match(
      r.out,
      /\[ml-lab\] dry run: would destroy: 0 to create, 0 to update, 0 to replace, 2 to delete/,
    );
    assert.match(r.out, /│ dev\/sandbox │ destroy .* dry run │/);
    assert.deepEqual(await snapshot(), before);
  });

  it("rejects preview before creating any stack or workspace when plugins and the passphrase are missing, all in one message", async () => {
    // A new cluster too: its stack and workspace must not appear.
    const fresh = {
      ...baseCluster({ numberOfMasters: 1, subnetCidr: "10.0.9.0/24" }),
      metadata: { name: "fresh" },
    };
    fs.writeFileSync(specFile("fresh"), stringify(fresh));
    try {
      const before = await snapshot();
      const r = await cli(
        "preview",
        [],
        { env: "dev" },
        // The real cluster program (no stand-in plugins on PATH, an empty plugin cache) and no passphrase.
        { program: undefined, env: { PULUMI_HOME: p.home } },
      );
      assert.equal(r.code, 2, r.out);
      assert.match(r.err, /thing\(s\) this run needs are missing; no workspace or stack was touched/);
      assert.match(r.err, /provider plugin openstack 3\.15\.2: npm run setup:pulumi/);
      assert.match(
        r.err,
        /provider plugin kubernetes \d+\.\d+\.\d+: pulumi plugin install resource kubernetes/,
      );
      assert.match(
        r.err,
        /the passphrase .*\(used by dev\.fresh, dev\.ml-lab, dev\.sandbox\): PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/,
      );
      const after = await snapshot();
      assert.deepEqual(after, before);
      assert.ok(!(after["workspaces"] as string[]).includes("dev.fresh"));
    } finally {
      fs.rmSync(specFile("fresh"));
    }
  });

  it("keeps a protected orphan on a real reconcile --prune --yes and updates the clusters that have specs", async () => {
    const l = layout(p.root);
    const ws = await backendWorkspace(`file://${p.stateDir}`, l, {
      pulumi,
      env: p.env(),
    });
    await ws.setTag("dev.retired", "xcluster:protect", "true");
    const backups = filesUnder(l.backupsDir);
    const r = await cli("reconcile", [], { env: "dev", prune: true, yes: true });
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /orphan stack dev\.retired \(no spec\): kept \(protected\)/);
    const s = await snapshot();
    assert.deepEqual(s["stacks"], ["dev.ml-lab", "dev.retired", "dev.sandbox"]);
    const perStack = s["perStack"] as Record<string, { resources: string[] }>;
    assert.deepEqual(perStack["dev.retired"]?.resources, ["pulumi:pulumi:Stack", "xcluster:test:Cluster"]);
    assert.deepEqual(filesUnder(l.backupsDir), backups, "nothing was destroyed, so nothing was exported");
  });
});
