/**
 * Tier: the real engine (file backend) with stand-in provider plugins (test/engine/stand-in), through
 * the command line's own runner. What is real: the engine, the state and its export, the secret
 * kubeconfig output, @kubernetes/client-node trying the cluster's API (a loopback port where nothing
 * listens: the cluster is gone), the refusal and the reports. Not real: OpenStack (the stand-in invents
 * the network, subnet, router and instance IDs).
 *
 * `xcluster destroy` of a stack whose cluster no longer answers refuses (exit 6, nothing destroyed) and
 * prints the orphans to look for; with `--force-orphans` it destroys and the report lists them.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { captureIo } from "../../cli/io";
import type { CommandContext } from "../../cli/context";
import { EXIT } from "../../cli/exit-codes";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import { backendWorkspace, stateResourceTypes } from "../../fleet/backend";
import { runFleetCommand, type FleetFlags } from "../../fleet/command";
import { layout } from "../../fleet/layout";
import type { FleetReport } from "../../fleet/run-fleet";
import { runFleet } from "../../fleet/run-fleet";
import type { ProgramFactory } from "../../fleet/workspace";
import { realEngine } from "./engine";
import { EngineProject } from "./project";
import { pluginsFirstOnPath, standInPlugins } from "./stand-in/plugins";

const INSTANCE = "openstack:compute/instance:Instance";

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The cluster's network and a node, as the cluster program creates them, and its admin kubeconfig, which
 * points at a loopback port where nothing listens: the cluster is gone.
 */
async function unansweringClusterProgram(): Promise<ProgramFactory> {
  const pki = generateClusterPki({ caValidityDays: 30, adminValidityDays: 30 }, new Date());
  const kubeconfig = renderKubeconfig({
    clusterName: "lab",
    serverUrl: `https://127.0.0.1:${await closedPort()}`,
    serverCaCert: pki.serverCa.cert,
    admin: pki.admin,
  });
  return (spec) => async () => {
    const network = new openstack.networking.Network(`${spec.name}-net`, { name: `${spec.name}-net` });
    const subnet = new openstack.networking.Subnet(`${spec.name}-subnet`, {
      name: `${spec.name}-subnet`,
      networkId: network.id,
      cidr: spec.network.subnetCidr,
    });
    new openstack.networking.Router(`${spec.name}-router`, { name: `${spec.name}-router` });
    new openstack.compute.Instance(`${spec.name}-server-0`, {
      name: `${spec.name}-server-0`,
      flavorName: "m1.large",
      imageName: "ubuntu-24.04",
      networks: [{ uuid: network.id }],
    });
    return { subnetId: subnet.id, kubeconfig: pulumi.secret(kubeconfig) };
  };
}

describe("destroy of a cluster that no longer answers, through the CLI (real engine, stand-in providers)", function () {
  this.timeout(600_000);
  this.bail(true);
  let engine: PulumiCommand;
  let p: EngineProject;
  let plugins = "";
  let program: ProgramFactory;
  let restorePath = (): void => undefined;

  before(async function () {
    engine = await realEngine(this);
    p = new EngineProject({ clusters: ["lab"] });
    plugins = standInPlugins({ openstackPreview: "inputs" });
    restorePath = pluginsFirstOnPath(plugins);
    program = await unansweringClusterProgram();
    const up = await runFleet("up", p.clusters(), p.options(engine, { program }));
    assert.equal(up.exitCode, 0, up.clusters.map((c) => c.message).join("\n"));
  });
  after(() => {
    restorePath();
    if (plugins !== "") fs.rmSync(plugins, { recursive: true, force: true });
    p?.dispose();
  });

  async function destroy(flags: Partial<FleetFlags>) {
    const io = captureIo();
    const ctx: CommandContext = { io, cwd: p.root, exitCode: 0 };
    const json = path.join(p.root, "destroy.json");
    const markdown = path.join(p.root, "destroy.md");
    const code = await runFleetCommand(
      "destroy",
      [],
      { env: "dev", cluster: ["lab"], yes: true, json, markdown, ...flags },
      ctx,
      { pulumi: engine, env: p.env(), program, policyGate: false, progressIntervalMs: 0 },
    );
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    const report = flags.dryRun ? undefined : (JSON.parse(read(json)) as FleetReport);
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n"), report, markdown: read(markdown) };
  }

  async function resources(): Promise<string[]> {
    const ws = await backendWorkspace(`file://${p.stateDir}`, layout(p.root), {
      pulumi: engine,
      env: p.env(),
    });
    return stateResourceTypes(ws, "dev.lab");
  }

  it("shows the ordered steps with --dry-run, touching nothing", async () => {
    const r = await destroy({ dryRun: true });
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const steps = r.out.split("\n").filter((l) => l.startsWith("[lab] dry run: step "));
    assert.deepEqual(
      steps.map((l) => /step \d+: (\S+ \S+)/.exec(l)?.[1]),
      ["export the", "connect to", "delete every", "wait until", "what did", "pulumi destroy"],
    );
    assert.match(steps[5]!, /Vault paths the cluster wrote \(deleted\), its Rancher object/);
    assert.ok((await resources()).includes(INSTANCE));
  });

  it("rejects the destroy with exit 6 and prints the orphans when the cluster API does not answer", async () => {
    const r = await destroy({});
    assert.equal(r.code, EXIT.orphans, `${r.out}\n${r.err}`);
    assert.match(r.out, /\[lab\] the cluster cannot be cleaned \(the cluster API does not answer: /);
    assert.match(r.out, /\[lab\] orphan load-balancer: .*grep ' kube_service_lab_'/);
    assert.match(r.out, /\[lab\] orphan volume: .*--property cinder\.csi\.openstack\.org\/cluster=lab/);
    assert.match(r.out, /destroy refused, nothing destroyed: .*pass --force-orphans/);
    // Nothing was destroyed: the instance is still in the state.
    assert.ok((await resources()).includes(INSTANCE));
    const t = r.report!.clusters[0]!.teardown!;
    assert.equal(r.report!.exitCode, EXIT.orphans);
    assert.equal(t.api, "unreachable");
    assert.equal(t.refused, true);
    assert.equal(t.forceOrphans, false);
    // The subnet's ID comes from the stack's state.
    const outputs = JSON.parse(fs.readFileSync(r.report!.clusters[0]!.backup!, "utf8")) as {
      deployment: { resources: { type: string; id?: string }[] };
    };
    const subnetId = outputs.deployment.resources.find(
      (x) => x.type === "openstack:networking/subnet:Subnet",
    )!.id!;
    assert.ok(
      t.orphans.some(
        (o) => o.kind === "port" && o.command === `openstack port list --long --fixed-ip subnet=${subnetId}`,
      ),
    );
    assert.match(
      r.markdown,
      /\*\*lab\*\* \(dev\): cluster API did not answer.*--force-orphans not used; \*\*destroy refused\*\*/,
    );
  });

  it("destroys with --force-orphans and lists the orphans in the report", async () => {
    const r = await destroy({ forceOrphans: true });
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.deepEqual(await resources(), []);
    const c = r.report!.clusters[0]!;
    assert.equal(c.result, "succeeded");
    assert.equal(c.teardown?.forceOrphans, true);
    assert.equal(c.teardown?.refused, false);
    assert.deepEqual(
      c.teardown?.orphans.map((o) => o.kind),
      ["load-balancer", "floating-ip", "volume", "port"],
    );
    assert.deepEqual(c.teardown?.steps.at(-1), "pulumi destroy");
    assert.match(r.markdown, /--force-orphans used; destroy ran/);
    assert.match(r.markdown, /orphan floating-ip: .*from cluster lab/);
  });
});

describe("reconcile --prune of an orphan whose cluster no longer answers (real engine, stand-in providers)", function () {
  this.timeout(600_000);
  this.bail(true);
  let engine: PulumiCommand;
  let p: EngineProject;
  let plugins = "";
  let program: ProgramFactory;
  let restorePath = (): void => undefined;

  before(async function () {
    engine = await realEngine(this);
    p = new EngineProject({ clusters: ["kept", "retired"] });
    plugins = standInPlugins({ openstackPreview: "inputs" });
    restorePath = pluginsFirstOnPath(plugins);
    program = await unansweringClusterProgram();
    const retired = p.clusters().filter((c) => c.name === "retired");
    const up = await runFleet("up", retired, p.options(engine, { program }));
    assert.equal(up.exitCode, 0, up.clusters.map((c) => c.message).join("\n"));
    // The spec is retired: dev.retired is now an orphan that recorded protect=false after its up.
    fs.rmSync(path.join(p.root, "stacks", "dev", "retired.yaml"));
  });
  after(() => {
    restorePath();
    if (plugins !== "") fs.rmSync(plugins, { recursive: true, force: true });
    p?.dispose();
  });

  async function prune(flags: Partial<FleetFlags>) {
    const io = captureIo();
    const ctx: CommandContext = { io, cwd: p.root, exitCode: 0 };
    const json = path.join(p.root, "reconcile.json");
    const code = await runFleetCommand(
      "reconcile",
      [],
      { env: "dev", prune: true, yes: true, json, ...flags },
      ctx,
      { pulumi: engine, env: p.env(), program, policyGate: false, progressIntervalMs: 0 },
    );
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as FleetReport;
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n"), report };
  }

  async function retiredResources(): Promise<string[]> {
    const ws = await backendWorkspace(`file://${p.stateDir}`, layout(p.root), {
      pulumi: engine,
      env: p.env(),
    });
    return stateResourceTypes(ws, "dev.retired");
  }

  it("rejects destroying the orphan with exit 6, listing what its cluster would leave behind, and keeps its stack", async () => {
    const r = await prune({});
    assert.equal(r.code, EXIT.orphans, `${r.out}\n${r.err}`);
    const orphan = r.report.orphans?.find((o) => o.stack === "dev.retired");
    assert.equal(orphan?.action, "failed");
    assert.equal(orphan?.refused, true);
    assert.equal(orphan?.teardown?.api, "unreachable");
    assert.match(r.out, /orphan load-balancer: .*grep ' kube_service_retired_'/);
    assert.match(r.out, /orphan stack dev\.retired: destroy refused: its cluster could not be cleaned first/);
    assert.ok((await retiredResources()).includes(INSTANCE), "nothing of the orphan was destroyed");
  });

  it("destroys and removes the orphan with --force-orphans, the teardown in the report", async () => {
    const r = await prune({ forceOrphans: true });
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const orphan = r.report.orphans?.find((o) => o.stack === "dev.retired");
    assert.equal(orphan?.action, "destroyed");
    assert.equal(orphan?.teardown?.forceOrphans, true);
    assert.deepEqual(orphan?.teardown?.steps.at(-1), "pulumi destroy");
    const ws = await backendWorkspace(`file://${p.stateDir}`, layout(p.root), {
      pulumi: engine,
      env: p.env(),
    });
    assert.ok(
      !(await ws.listStacks()).some((st) => st.name === "dev.retired"),
      "the orphan stack is removed",
    );
  });
});
