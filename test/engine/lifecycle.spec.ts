import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { MASK, stackOutputs } from "../../fleet/outputs";
import { layout } from "../../fleet/layout";
import { listBackendStacks, reconcile } from "../../fleet/reconcile";
import { renderJson, renderMarkdown, renderTable } from "../../fleet/report";
import { runFleet, type FleetOptions, type FleetReport } from "../../fleet/run-fleet";
import { openStack } from "../../fleet/workspace";
import type { Operation } from "../../fleet/operation";
import { REPO_ROOT } from "../support/spec-files";
import { realEngine } from "./engine";
import { JOIN_TOKEN_KEY, testProgram } from "./fixtures/programs";
import { EngineProject, filesUnder } from "./project";

const POLICY_DIR = path.join(REPO_ROOT, "policy");
const TOKEN_VAR = "XCLUSTER_TEST_JOIN_TOKEN";

describe("a cluster's stack through its life on the real engine (file backend)", function () {
  this.timeout(180_000);
  // Each step works on the state the previous one left.
  this.bail(true);
  const token = `join-${crypto.randomBytes(12).toString("hex")}`;
  const reports: FleetReport[] = [];
  /** A line from the middle of the admin key, once the engine returned it. */
  let adminKeyLine = "";
  let pulumi: PulumiCommand;
  let p: EngineProject;

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["a"] });
  });
  after(() => p?.dispose());

  const options = (extra: Partial<FleetOptions> = {}): FleetOptions =>
    p.options(pulumi, {
      program: testProgram({ pki: {} }),
      env: p.env({ [TOKEN_VAR]: token }),
      extraConfig: { secretFromEnv: { [JOIN_TOKEN_KEY]: TOKEN_VAR } },
      ...extra,
    });
  const run = async (op: Operation, extra: Partial<FleetOptions> = {}) => {
    const report = await runFleet(op, [p.cluster("a")], options(extra));
    reports.push(report);
    assert.equal(
      report.exitCode,
      0,
      `${op}: ${report.clusters[0]?.message}\n${report.clusters[0]?.error?.detail}`,
    );
    return report.clusters[0]!;
  };

  it("creates the stack, stores the secret config encrypted and creates every resource on the first up", async () => {
    const r = await run("up", { policyPack: POLICY_DIR });
    assert.equal(r.result, "succeeded");
    // The stack, the TestCluster component and its ClusterPki; providers are not counted.
    assert.deepEqual(r.changes, { create: 3, update: 0, delete: 0, replace: 0, same: 0 });
    assert.deepEqual(r.policyViolations, [], "the xcluster pack ran on the up and found nothing");
    const settings = fs.readFileSync(path.join(p.workDir("dev.a"), "Pulumi.dev.a.yaml"), "utf8");
    assert.match(settings, /xcluster:joinToken:\n\s+secure: \S+/);
    assert.match(settings, /xcluster:spec: stacks\/dev\/a\.yaml/);
    assert.ok(!settings.includes(token), "the secret config value is stored encrypted");
  });

  it("reports no changes on a second up", async () => {
    const r = await run("up", { policyPack: POLICY_DIR });
    assert.equal(r.result, "succeeded");
    assert.deepEqual(r.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 3 });
  });

  it("keeps secret outputs secret: flagged by the engine, masked by the driver, encrypted in the state", async () => {
    const spec = p.cluster("a");
    const stack = await openStack(spec, { layout: layout(p.root), pulumi, env: p.env() }, "select", false);
    const raw = await stack.outputs();
    assert.deepEqual(raw["joinToken"], { value: token, secret: true });
    assert.equal(raw["adminKey"]?.secret, true);
    assert.match(String(raw["adminKey"]?.value), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    adminKeyLine = String(raw["adminKey"]?.value).split("\n")[5] ?? "";
    assert.equal(raw["caHash"]?.secret, false);
    assert.deepEqual(raw["environment"], { value: "dev", secret: false });

    const shown = await stackOutputs(spec, { root: p.root, pulumi, env: p.env() });
    assert.deepEqual(shown, {
      adminKey: MASK,
      caHash: raw["caHash"]?.value,
      environment: "dev",
      joinToken: MASK,
    });
    assert.match(String(shown["caHash"]), /^[0-9a-f]{64}$/);

    const state = filesUnder(p.stateDir).filter((f) => f.endsWith(path.join("xcluster", "dev.a.json")));
    assert.equal(state.length, 1, filesUnder(p.stateDir).join("\n"));
    const checkpoint = fs.readFileSync(state[0]!, "utf8");
    assert.ok(checkpoint.includes(String(raw["caHash"]?.value)), "the state is the stack's own");
    assert.ok(
      !checkpoint.includes(token) && !checkpoint.includes(adminKeyLine),
      "secrets are encrypted at rest",
    );
  });

  it("destroys every resource after exporting the state", async () => {
    const r = await run("destroy", { yes: true });
    assert.equal(r.result, "succeeded");
    assert.deepEqual(r.changes, { create: 0, update: 0, delete: 3, replace: 0, same: 0 });
    assert.ok(r.backup !== undefined && r.backup.startsWith(layout(p.root).backupsDir), r.backup);
    const exported = JSON.parse(fs.readFileSync(r.backup, "utf8")) as {
      deployment: { resources?: { type: string }[] };
    };
    const types = (exported.deployment.resources ?? []).map((x) => x.type);
    assert.ok(types.includes("pulumi-nodejs:dynamic/rke2:ClusterPki"), types.join(", "));
    const url = `file://${p.stateDir}`;
    assert.deepEqual(await listBackendStacks(url, layout(p.root), options()), ["dev.a"]);
  });

  it("removes the stack once no spec names it (reconcile --prune --yes)", async () => {
    fs.rmSync(path.join(p.root, "stacks", "dev", "a.yaml"));
    const report = await reconcile([], { ...options(), environments: ["dev"], prune: true, yes: true });
    reports.push(report);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(
      report.orphans?.map((o) => [o.stack, o.action]),
      [["dev.a", "destroyed"]],
    );
    assert.deepEqual(await listBackendStacks(`file://${p.stateDir}`, layout(p.root), options()), []);
  });

  it("leaves no secret in plain text in reports, progress lines, state, workspaces or backups", async () => {
    const texts = [
      ...reports.flatMap((r) => [renderJson(r), renderTable(r), renderMarkdown(r)]),
      p.progress.join("\n"),
      ...filesUnder(path.join(p.root, ".xcluster")).map((f) => fs.readFileSync(f, "utf8")),
    ];
    assert.ok(texts.length > 10, `${texts.length} texts`);
    assert.ok(adminKeyLine.length >= 60, adminKeyLine);
    for (const text of texts) {
      assert.ok(!text.includes(token), text.slice(0, 400));
      assert.ok(!text.includes(adminKeyLine), text.slice(0, 400));
    }
  });
});
