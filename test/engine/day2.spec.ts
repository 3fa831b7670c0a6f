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
import { pluginsFirstOnPath, standInPlugins } from "./stand-in/plugins";
import { makePki, startApiserver } from "./fixtures/readyz";
import { READINESS_GATE_MODULE, READINESS_GATE_TYPE } from "../../components/readiness-gate";
import { layout } from "../../fleet/layout";
import { readStackRecords } from "../../fleet/spec-ownership";
import { readAppliedStates } from "../../fleet/applied-state";
import { replaceNode } from "../../fleet/replace";
import { execFileSync } from "child_process";
import { parse as parseYaml } from "yaml";
import { NODE_PASSWORD_PATH } from "../../components/rke2/node-password";

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
  let restorePath = (): void => undefined;

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["a"] });
    plugins = standInPlugins();
    restorePath = pluginsFirstOnPath(plugins);
    pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-day2-"));
    const pki = makePki(pkiDir);
    api = await startApiserver(pki, 2);
    gate = { apiUrl: api.url, caCert: pki.caCert, clientCert: pki.clientCert, clientKey: pki.clientKey };
  });
  after(() => {
    restorePath();
    if (plugins !== "") fs.rmSync(plugins, { recursive: true, force: true });
    if (pkiDir !== "") fs.rmSync(pkiDir, { recursive: true, force: true });
    api?.server.close();
    p?.dispose();
  });

  const specFile = (): string => path.join(p.root, "stacks", "dev", "a.yaml");
  /** The user data the engine created an instance with, from the state (secrets shown). */
  function instanceUserData(node: string): string {
    const out = execFileSync(
      pulumi.command,
      ["stack", "export", "--show-secrets", "--stack", "dev.a", "--non-interactive"],
      {
        cwd: p.workDir("dev.a"),
        env: { ...process.env, ...p.env(), PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true" },
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
      },
    );
    const state = JSON.parse(out) as {
      deployment: { resources: { type: string; urn: string; outputs?: Record<string, unknown> }[] };
    };
    const r = state.deployment.resources.find((x) => x.type === INSTANCE && x.urn.endsWith(`::${node}`));
    const v = r?.outputs?.["userData"] as unknown;
    const plain =
      typeof v === "object" && v !== null && "plaintext" in v
        ? (JSON.parse(String((v as { plaintext: string }).plaintext)) as string)
        : v;
    if (typeof plain !== "string") throw new Error(`no user data for ${node} in the state`);
    return plain;
  }
  const factory =
    (strip: boolean): ProgramFactory =>
    (spec, applied) =>
    async () => {
      gateOnLoopback();
      captureServer0UserData();
      if (strip) stripIgnoreChanges();
      return clusterProgram(spec, applied);
    };
  async function run(op: "up" | "preview", strip = false): Promise<FleetReport> {
    const report = await runFleet(op, [p.cluster("a")], p.options(pulumi, { program: factory(strip) }));
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
    // A new cluster: server-0 was rendered to initialise when nothing answers.
    assert.match(server0UserData, /- --role\n\s+- first\n/);
  });

  it("records in the stack's outputs the version it applied and that the cluster was initialised (after the gate)", async () => {
    const l = layout(p.root);
    const spec = p.cluster("a");
    const records = await readStackRecords([spec], l, { pulumi, env: p.env() });
    const applied = await readAppliedStates([spec], records, l, { pulumi, env: p.env() });
    assert.deepEqual(applied.get("dev.a"), { rke2Version: "v1.33.3+rke2r1", clusterInitialised: true });
  });

  for (const [to, why] of [
    ["v1.32.7+rke2r1", /downgrade from v1\.33\.3\+rke2r1 to v1\.32\.7\+rke2r1/],
    ["v1.35.0+rke2r1", /skips a minor version \(allowed: up to v1\.34\.x/],
  ] as const) {
    it(`rejects ${to} before the stack is touched: exit 2, naming the file, the field and the version last applied`, async () => {
      const yaml = fs.readFileSync(specFile(), "utf8");
      const state = path.join(p.stateDir, ".pulumi", "stacks", "xcluster", "dev.a.json");
      const before = fs.statSync(state).mtimeMs;
      const config = path.join(p.workDir("dev.a"), "Pulumi.dev.a.yaml");
      const configBefore = fs.readFileSync(config, "utf8");
      try {
        fs.writeFileSync(specFile(), yaml.replace("v1.33.3+rke2r1", to));
        for (const op of ["preview", "up"] as const) {
          await assert.rejects(
            runFleet(op, [p.cluster("a")], p.options(pulumi)),
            (e: Error & { exitCode?: number }) => {
              assert.equal(e.exitCode, 2);
              assert.match(e.message, /a\.yaml:\d+:\d+: spec\.parameters\.rke2Version: cluster dev\/a: /);
              assert.match(e.message, why);
              assert.match(e.message, /stack dev\.a last applied v1\.33\.3\+rke2r1/);
              assert.match(e.message, /no stack was touched/);
              return true;
            },
          );
        }
      } finally {
        fs.writeFileSync(specFile(), yaml);
      }
      assert.equal(fs.statSync(state).mtimeMs, before, "the state is untouched");
      assert.equal(fs.readFileSync(config, "utf8"), configBefore, "the stack's config is untouched");
    });
  }

  it("replaces exactly server-0's instance with `replace`, and the new one boots with the current config (join-only)", async () => {
    const before = instanceUserData("a-server-0");
    assert.match(before, /- --role\n\s+- first\n/, "created to initialise");
    const result = await replaceNode(p.cluster("a"), "a-server-0", {
      root: p.root,
      pulumi,
      env: p.env(),
      policyPack: false,
      program: factory(false),
      lockRetryDelayMs: 100,
      progressIntervalMs: 0,
    });
    assert.equal(result.result, "succeeded", `${result.message ?? ""} ${result.error?.detail ?? ""}`);
    assert.equal(result.changes.replace, 1, "that instance only");
    assert.equal(result.changes.create + result.changes.delete + result.changes.update, 0);
    const now = instanceUserData("a-server-0");
    assert.match(now, /- --role\n\s+- other\n/);
    assert.doesNotMatch(now, /- --probe\n/);
    // The same node password as before: the supervisor, which kept the old one's hash, lets it in.
    assert.equal(nodePasswordIn(now), nodePasswordIn(before));
    // Back to long-lived: the next preview finds nothing to change.
    const c = (await run("preview")).clusters[0]?.changes;
    assert.equal(c!.create + c!.update + c!.replace + c!.delete, 0);
  });

  it("rejects replacing a node the cluster does not have, with a did-you-mean, before the stack is touched", async () => {
    await assert.rejects(
      replaceNode(p.cluster("a"), "a-sever-0", {
        root: p.root,
        pulumi,
        env: p.env(),
        program: factory(false),
      }),
      (e: Error & { exitCode?: number }) => {
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /has no node a-sever-0 \(did you mean "a-server-0"\?\)/);
        return true;
      },
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
    // 1 server, 2 workers and 2 ingress nodes (a new boot-config digest in their metadata), the two
    // system-upgrade-controller Plans (their version), and the readiness gate (its revision: it waits
    // for the API again before the Plans are applied).
    assert.equal(c?.update, 5 + 2 + 1);
    assert.equal(c?.create, 3, "the new worker's port, instance and drain (components/node-drain.ts)");
    // The stack recorded the cluster as initialised: a server-0 created from now on only joins.
    assert.match(server0UserData, /- --role\n\s+- other\n/);
    assert.doesNotMatch(server0UserData, /- --probe\n/);
  });

  it("would replace every node without the ignore list (the stand-in's diff is real)", async () => {
    const c = (await run("preview", true)).clusters[0]?.changes;
    assert.equal(c?.replace, 5);
  });
});

/** The content of /etc/rancher/node/password in a node's user data. */
function nodePasswordIn(userData: string): string {
  const c = parseYaml(userData) as { write_files: { path: string; content: string }[] };
  const f = c.write_files.find((w) => w.path === NODE_PASSWORD_PATH);
  if (f === undefined) throw new Error("no node password file in the user data");
  return f.content;
}

/** The user data server-0 was last rendered with (whatever the engine then does with it). */
let server0UserData = "";

function captureServer0UserData(): void {
  pulumi.runtime.registerStackTransformation((a) => {
    if (a.type === INSTANCE && a.name.endsWith("-server-0")) {
      pulumi.output(a.props["userData"] as pulumi.Input<string>).apply((u) => (server0UserData = u));
    }
    return undefined;
  });
}

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
