import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runFleet, type FleetOptions } from "../../fleet/run-fleet";
import type { Operation } from "../../fleet/operation";
import { planPolicyArgs } from "../../plan/policy-config";
import { policyPackConfig } from "../../policy/config";
import { FakeProject, PASSPHRASE_ENV, POLICY_DIR, events, type Scenario } from "./harness";

async function run(p: FakeProject, op: Operation, only: string[], extra: Partial<FleetOptions> = {}) {
  const clusters = p.clusters().filter((c) => only.includes(c.name));
  return runFleet(op, clusters, await p.options(extra));
}

describe("fleet operations through the automation API (fake CLI)", function () {
  this.timeout(120_000);
  let p: FakeProject;
  const project = (s: Scenario) => (p = new FakeProject(s));
  afterEach(() => p?.dispose());

  it("creates a missing stack, sets its config from the spec and previews it with the policy pack", async () => {
    project({});
    const report = await run(p, "preview", ["a"]);
    assert.equal(report.exitCode, 0);
    const workDir = p.workDir("dev.a");
    const config = path.join(workDir, "policy-config.json");
    assert.deepEqual(p.lines("dev.a"), [
      "stack select --stack dev.a --non-interactive",
      "stack init dev.a --secrets-provider passphrase --non-interactive",
      "config set-all --stack dev.a --plaintext xcluster:spec=stacks/dev/a.yaml --plaintext xcluster:environment=dev " +
        "--plaintext openstack:region=RegionOne --plaintext openstack:cloud=c --non-interactive",
      // The stack records the spec file that created it. `protect: false` is recorded only once an up has
      // applied it: a preview changes nothing in the cloud.
      "stack tag set xcluster:spec stacks/dev/a.yaml --stack dev.a --non-interactive",
      `preview --policy-pack ${POLICY_DIR} --policy-pack-config ${config} --color never --exec-kind auto.inline ` +
        "--event-log <log> --stack dev.a --non-interactive",
    ]);
    for (const call of p.calls().filter((c) => c.argv.includes("dev.a"))) {
      assert.equal(call.cwd, workDir, "every CLI call on the stack runs in its own workspace directory");
      assert.equal(call.env["PULUMI_CONFIG_PASSPHRASE"], "test-passphrase");
    }
    assert.ok(path.isAbsolute(POLICY_DIR));
    const settings = fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8");
    assert.match(settings, /name: xcluster/);
    assert.ok(settings.includes(`url: file://${path.join(p.root, ".xcluster", "state")}`), settings);
    assert.ok(
      fs.existsSync(path.join(p.root, ".xcluster", "state")),
      "the file backend directory is created",
    );
    const policy = JSON.parse(fs.readFileSync(config, "utf8")) as Record<
      string,
      { enforcementLevel?: string }
    >;
    assert.ok(Object.keys(policy).length > 1, "one entry per policy");
    const spec = p.clusters().find((c) => c.name === "a");
    assert.ok(spec);
    assert.deepEqual(
      policy,
      JSON.parse(JSON.stringify(policyPackConfig(planPolicyArgs(spec)))),
      "the preview checks the cluster against the same config as the offline plan",
    );
    assert.deepEqual(report.clusters[0]?.changes, { create: 2, update: 0, delete: 0, replace: 0, same: 1 });
  });

  it("selects an existing stack without creating it", async () => {
    project({ stacks: { "dev.a": { exists: true } } });
    await run(p, "preview", ["a"]);
    assert.ok(!p.lines("dev.a").some((l) => l.startsWith("stack init")));
  });

  it("flags secret config as secret and keeps the spec's config in plain text", async () => {
    project({});
    await run(p, "preview", ["a"], {
      env: { ...PASSPHRASE_ENV, RANCHER_TOKEN: "t0ken" },
      extraConfig: {
        plain: { "openstack:insecure": "false" },
        secretFromEnv: { "rancher2:tokenKey": "RANCHER_TOKEN" },
      },
    });
    const setAll = p.lines("dev.a").find((l) => l.startsWith("config set-all"));
    assert.match(setAll ?? "", /--plaintext openstack:insecure=false --secret rancher2:tokenKey=t0ken /);
    assert.match(setAll ?? "", /--plaintext xcluster:spec=stacks\/dev\/a\.yaml/);
  });

  it("runs up with the policy pack, then reads outputs and history for the result", async () => {
    project({ default: { up: { summary: { create: 5, same: 2 } } } });
    const report = await run(p, "up", ["a"]);
    const lines = p.lines("dev.a");
    const up = lines.findIndex((l) => l.startsWith("up --yes --skip-preview --policy-pack "));
    assert.ok(up > 0, lines.join("\n"));
    assert.deepEqual(lines.slice(up + 1), [
      "stack output --json --stack dev.a --non-interactive",
      "stack output --json --show-secrets --stack dev.a --non-interactive",
      "stack history --json --show-secrets --page-size 1 --page 1 --stack dev.a --non-interactive",
      // Only now that the up succeeded does the stack say it may be destroyed as an orphan.
      "stack tag set xcluster:protect false --stack dev.a --non-interactive",
    ]);
    assert.equal(report.clusters[0]?.result, "succeeded");
    assert.equal(report.clusters[0]?.changes.create, 5);
  });

  it("keeps a protected stack's protect=true tag through a preview and a failed up of a spec that unprotects it", async () => {
    const tagged = { "xcluster:spec": "stacks/dev/a.yaml", "xcluster:protect": "true" };
    project({
      stacks: {
        "dev.a": { exists: true, tags: tagged, up: { exitCode: 255, stderr: "error: quota exceeded\n" } },
      },
    });
    assert.equal((await run(p, "preview", ["a"])).exitCode, 0);
    const up = await run(p, "up", ["a"]);
    assert.equal(up.clusters[0]?.result, "failed");
    const tagWrites = p.lines("dev.a").filter((l) => l.startsWith("stack tag set"));
    assert.deepEqual(tagWrites, [], "an orphan of this stack must still be judged protected");
  });

  it("records protect=true before the preview of a protected spec, so that no failure leaves it unprotected", async () => {
    project({ stacks: { "dev.a": { exists: true, tags: { "xcluster:spec": "stacks/dev/a.yaml" } } } });
    const clusters = p
      .clusters()
      .filter((c) => c.name === "a")
      .map((c) => ({ ...c, protect: true }));
    assert.equal((await runFleet("preview", clusters, await p.options())).exitCode, 0);
    const lines = p.lines("dev.a");
    const tag = lines.indexOf("stack tag set xcluster:protect true --stack dev.a --non-interactive");
    const preview = lines.findIndex((l) => l.startsWith("preview "));
    assert.ok(tag >= 0 && tag < preview, lines.join("\n"));
  });

  it("refreshes an existing stack without the policy pack and never creates one", async () => {
    project({ stacks: { "dev.a": { exists: true } } });
    const report = await run(p, "refresh", ["a", "b"]);
    assert.ok(
      p.lines("dev.a").some((l) => /^refresh --skip-preview --yes --color never .*--stack dev\.a/.test(l)),
    );
    assert.ok(!p.lines("dev.a").some((l) => l.includes("--policy-pack")));
    const b = report.clusters.find((c) => c.cluster === "b");
    assert.equal(b?.result, "skipped", "a cluster never deployed has nothing to refresh");
    assert.match(b?.message ?? "", /stack dev\.b does not exist in file:\/\/.*; nothing to refresh/);
    assert.ok(!p.lines("dev.b").some((l) => l.startsWith("stack init")));
    assert.equal(report.exitCode, 0);
  });

  it("exports the state to a backup before destroy", async () => {
    project({ stacks: { "dev.a": { exists: true } } });
    const report = await run(p, "destroy", ["a"], { yes: true });
    const lines = p.lines("dev.a");
    const exp = lines.indexOf("stack export --stack dev.a --non-interactive");
    const destroy = lines.findIndex((l) => l.startsWith("destroy "));
    assert.ok(exp >= 0 && destroy > exp, lines.join("\n"));
    const backup = report.clusters[0]?.backup ?? "";
    assert.match(path.basename(backup), /^dev\.a-\d{8}T\d{6}Z\.json$/);
    assert.equal(path.dirname(backup), path.join(p.root, ".xcluster", "backups"));
    const state = JSON.parse(fs.readFileSync(backup, "utf8")) as { version: number; deployment: unknown };
    assert.equal(state.version, 3);
    assert.equal(fs.statSync(backup).mode & 0o777, 0o600, "the backup is readable by its owner only");
    assert.equal(report.clusters[0]?.changes.delete, 3);
  });

  it("does not destroy when the state export fails", async () => {
    project({
      stacks: {
        "dev.a": { exists: true, export: { exitCode: 255, stderr: "error: could not read state\n" } },
      },
    });
    const report = await run(p, "destroy", ["a"], { yes: true });
    assert.equal(report.clusters[0]?.result, "failed");
    assert.ok(!p.lines("dev.a").some((l) => l.startsWith("destroy ")));
  });

  it("reports drift with exit 4: refresh in preview mode expecting no changes", async () => {
    const type = "openstack:networking/secGroupRule:SecGroupRule";
    project({
      stacks: {
        "dev.a": {
          exists: true,
          refresh: {
            exitCode: 255,
            stderr: "error: no changes were expected but changes were proposed\n",
            events: [
              events.pre("refresh", type, "a-api"),
              events.outputs("refresh", type, "a-api", { diffs: ["remoteIpPrefix"] }),
              events.summary({ update: 1, same: 20 }),
            ],
          },
        },
      },
    });
    const report = await run(p, "drift", ["a"]);
    assert.ok(
      p
        .lines("dev.a")
        .some((l) => /^refresh --preview-only --expect-no-changes --color never .*--stack dev\.a/.test(l)),
      p.lines("dev.a").join("\n"),
    );
    assert.equal(report.exitCode, 4);
    const a = report.clusters[0];
    assert.equal(a?.result, "drifted");
    assert.deepEqual(a?.drift, [
      {
        urn: `urn:pulumi:dev.a::xcluster::${type}::a-api`,
        type,
        change: "update",
        properties: ["remoteIpPrefix"],
      },
    ]);
    assert.match(a?.message ?? "", /stack dev\.a: 1 resource\(s\) changed outside Pulumi/);
  });

  it("finds no drift when the refresh preview proposes no changes", async () => {
    project({ stacks: { "dev.a": { exists: true } } });
    const report = await run(p, "drift", ["a"]);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.clusters[0]?.drift, []);
  });
});
