import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { runFleet } from "../../fleet/run-fleet";
import type { Operation } from "../../fleet/operation";
import type { ProgramFactory } from "../../fleet/workspace";
import { realEngine } from "./engine";
import { EXTERNAL_FILE_TOKEN, ExternalFile } from "./fixtures/external-file";
import { EngineProject } from "./project";

describe("drift and refresh on the real engine (a file changed outside Pulumi)", function () {
  this.timeout(180_000);
  this.bail(true);
  let pulumi: PulumiCommand;
  let p: EngineProject;
  let file: string;

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["a"] });
    file = path.join(p.root, "managed.txt");
  });
  after(() => p?.dispose());

  const program: ProgramFactory = () => async () => {
    new ExternalFile("marker", { path: file, content: "v1\n" });
    return {};
  };
  const run = async (op: Operation) => {
    const report = await runFleet(op, [p.cluster("a")], p.options(pulumi, { program }));
    const r = report.clusters[0];
    assert.ok(r);
    return { report, r };
  };

  it("creates the managed file on up", async () => {
    const { report } = await run("up");
    assert.equal(report.exitCode, 0, report.clusters[0]?.error?.detail);
    assert.equal(fs.readFileSync(file, "utf8"), "v1\n");
  });

  it("finds no drift while nothing changed outside Pulumi (exit 0)", async () => {
    const { report, r } = await run("drift");
    assert.equal(report.exitCode, 0, r.error?.detail);
    assert.equal(r.result, "succeeded");
    assert.deepEqual(r.drift, []);
  });

  it("reports an edit made outside Pulumi as drift, exit 4, and changes nothing", async () => {
    fs.writeFileSync(file, "edited by hand\n");
    const { report, r } = await run("drift");
    assert.equal(report.exitCode, 4, r.error?.detail);
    assert.equal(r.result, "drifted");
    assert.deepEqual(
      r.drift.map((d) => [d.type, d.change]),
      [[EXTERNAL_FILE_TOKEN, "update"]],
    );
    assert.ok(r.drift[0]?.urn.endsWith(`::marker`), r.drift[0]?.urn);
    assert.deepEqual(r.drift[0]?.properties, ["content"], "the engine names what differs");
    assert.equal(fs.readFileSync(file, "utf8"), "edited by hand\n", "drift only looks");
    // Still drifted: the preview-only refresh wrote nothing to the state.
    assert.equal((await run("drift")).report.exitCode, 4);
  });

  it("takes the real content into the state on refresh, after which there is no drift", async () => {
    const refreshed = await run("refresh");
    assert.equal(refreshed.report.exitCode, 0, refreshed.r.error?.detail);
    assert.equal(refreshed.r.changes.update, 1);
    const { report, r } = await run("drift");
    assert.equal(report.exitCode, 0, r.error?.detail);
    assert.deepEqual(r.drift, []);
  });

  it("reports a resource removed outside Pulumi as drift of kind delete", async () => {
    fs.rmSync(file);
    const { report, r } = await run("drift");
    assert.equal(report.exitCode, 4, r.error?.detail);
    assert.deepEqual(
      r.drift.map((d) => [d.type, d.change]),
      [[EXTERNAL_FILE_TOKEN, "delete"]],
    );
  });
});
