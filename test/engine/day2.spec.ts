/**
 * Tier: the real engine with stand-in provider plugins (test/engine/stand-in; the real OpenStack plugin
 * cannot create anything without a cloud). What is real: the engine, the whole cluster program, the
 * language host, the ClusterPki dynamic provider, the state, and how the engine applies `ignoreChanges`
 * before it asks the provider to diff. The stand-in answers `diff` with replacements where the real
 * provider would (stand-in/replacements.ts).
 *
 * A small dev cluster (1 server, 2 workers, 2 keepalived ingress nodes, no add-ons, no Vault or Rancher)
 * goes through `up`, then an RKE2 version bump and one more worker, then `preview`. Its readiness gate
 * is pointed (by a stack transformation) at a loopback `/readyz` stand-in instead of the fake public
 * address the stand-in provider invents, so `up` really waits behind it and touches no other address.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { runFleet, type FleetReport } from "../../fleet/run-fleet";
import type { ProgramFactory } from "../../fleet/workspace";
import { clusterProgram } from "../../programs/program";
import { realEngine } from "./engine";
import { EngineProject } from "./project";
import { standInPlugins } from "./stand-in/plugins";
import { makePki, startApiserver } from "./fixtures/readyz";
import { READINESS_GATE_MODULE, READINESS_GATE_TYPE } from "../../components/readiness-gate";

const INSTANCE = "openstack:compute/instance:Instance";
const GATE = `pulumi-nodejs:dynamic/${READINESS_GATE_MODULE}:${READINESS_GATE_TYPE}`;

describe("day-2 changes on the real engine (stand-in providers): nodes are updated, never replaced", function () {
  this.timeout(600_000);
  this.bail(true);
  let pulumi: PulumiCommand;
  let p: EngineProject;
  let plugins = "";
  let pkiDir = "";
  let api: Awaited<ReturnType<typeof startApiserver>> | undefined;
  const saved = {
    path: process.env["PATH"],
    acquisition: process.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"],
  };

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["a"] });
    plugins = standInPlugins();
    process.env["PATH"] = `${plugins}${path.delimiter}${saved.path ?? ""}`;
    process.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true";
    pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-day2-"));
    const pki = makePki(pkiDir);
    api = await startApiserver(pki, 2);
    gate = { apiUrl: api.url, caCert: pki.caCert, clientCert: pki.clientCert, clientKey: pki.clientKey };
  });
  after(() => {
    process.env["PATH"] = saved.path;
    if (saved.acquisition === undefined) delete process.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"];
    else process.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = saved.acquisition;
    if (plugins !== "") fs.rmSync(plugins, { recursive: true, force: true });
    if (pkiDir !== "") fs.rmSync(pkiDir, { recursive: true, force: true });
    api?.server.close();
    p?.dispose();
  });

  const specFile = (): string => path.join(p.root, "stacks", "dev", "a.yaml");
  async function run(op: "up" | "preview", strip = false): Promise<FleetReport> {
    const program: ProgramFactory = (spec) => async () => {
      gateOnLoopback();
      if (strip) stripIgnoreChanges();
      return clusterProgram(spec);
    };
    const report = await runFleet(op, [p.cluster("a")], p.options(pulumi, { program }));
    const r = report.clusters[0];
    assert.equal(report.exitCode, 0, `${r?.message ?? ""} ${r?.error?.detail ?? ""}`);
    return report;
  }

  it("creates the cluster with up", async () => {
    const report = await run("up");
    assert.ok((report.clusters[0]?.changes.create ?? 0) > 20);
    // It waited behind the gate: two "not ready" answers, then ready, with the admin certificate.
    assert.deepEqual(
      api?.requests.map((r) => `${r.path} ${r.client}`),
      Array(3).fill("/readyz admin"),
    );
  });

  it("previews an RKE2 version bump and one more worker with no replacement: the instances' metadata is updated", async () => {
    const yaml = fs.readFileSync(specFile(), "utf8");
    assert.match(yaml, /rke2Version: v1\.33\.3\+rke2r1/);
    fs.writeFileSync(
      specFile(),
      yaml.replace("v1.33.3+rke2r1", "v1.33.5+rke2r1").replace("numberOfWorkers: 2", "numberOfWorkers: 3"),
    );
    const c = (await run("preview")).clusters[0]?.changes;
    assert.equal(c?.replace, 0);
    assert.equal(c?.delete, 0);
    // 1 server, 2 workers and 2 ingress nodes (a new boot-config digest in their metadata), and the two
    // system-upgrade-controller Plans (their version).
    assert.equal(c?.update, 5 + 2);
    assert.equal(c?.create, 3, "the new worker's port, instance and drain (components/node-drain.ts)");
  });

  it("would replace every node without the ignore list (the stand-in's diff is real)", async () => {
    const c = (await run("preview", true)).clusters[0]?.changes;
    assert.equal(c?.replace, 5);
  });
});

let gate: { apiUrl: string; caCert: string; clientCert: string; clientKey: string } | undefined;

/** Points the readiness gate at the loopback stand-in (URL, its CA, a client certificate it accepts). */
function gateOnLoopback(): void {
  pulumi.runtime.registerStackTransformation((a) =>
    a.type === GATE && gate !== undefined
      ? { props: { ...a.props, ...gate, clientKey: pulumi.secret(gate.clientKey) }, opts: a.opts }
      : undefined,
  );
}

/** Drops `ignoreChanges` from every instance, as a program without the long-lived-node rule would be. */
function stripIgnoreChanges(): void {
  pulumi.runtime.registerStackTransformation((a) =>
    a.type === INSTANCE ? { props: a.props, opts: { ...a.opts, ignoreChanges: [] } } : undefined,
  );
}
