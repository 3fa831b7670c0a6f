import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { PassphraseMismatchError } from "../../fleet/errors";
import { layout } from "../../fleet/layout";
import { MASK, stackOutputs } from "../../fleet/outputs";
import { runFleet, type FleetOptions } from "../../fleet/run-fleet";
import { openStack } from "../../fleet/workspace";
import { realEngine } from "./engine";
import { JOIN_TOKEN_KEY, testProgram } from "./fixtures/programs";
import { EngineProject, filesUnder } from "./project";

const TOKEN_VAR = "XCLUSTER_TEST_JOIN_TOKEN";
const STACK = "dev.a";
const WRONG = "not-the-engine-test-passphrase";
const MISMATCH =
  "stack dev.a: the passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) does not match " +
  "the one the stack's secrets are encrypted with; nothing was changed";

/** The `encryptionsalt:` of a checkout's workspace stack config, or undefined when it has none. */
function workspaceSalt(p: EngineProject): string | undefined {
  const file = path.join(p.workDir(STACK), `Pulumi.${STACK}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  return /^encryptionsalt: (\S+)$/m.exec(fs.readFileSync(file, "utf8"))?.[1];
}

/** Every file of the backend with its content, for "nothing was changed" checks. */
function backendFiles(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((f) => [path.relative(dir, f), fs.readFileSync(f, "utf8")]));
}

describe("one stack driven from two checkouts of the project sharing a backend, on the real engine", function () {
  this.timeout(240_000);
  // Each step works on the state the previous one left.
  this.bail(true);
  const token = `join-${crypto.randomBytes(12).toString("hex")}`;
  let pulumi: PulumiCommand;
  let backend: string;
  // The checkout that created the stack, a fresh clone (CI) and, for the wrong passphrase, another one.
  let first: EngineProject;
  let second: EngineProject;
  let third: EngineProject;
  /** The salt of the passphrase provider in the backend's state, as the first up left it. */
  let salt = "";

  before(async function () {
    pulumi = await realEngine(this);
    backend = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-engine-backend-"));
    const spec = { clusters: ["a"], backendUrl: `file://${backend}` };
    first = new EngineProject(spec);
    second = new EngineProject(spec);
    third = new EngineProject(spec);
  });
  after(() => {
    for (const p of [first, second, third]) p?.dispose();
    if (backend) fs.rmSync(backend, { recursive: true, force: true });
  });

  const options = (p: EngineProject, passphrase?: string): FleetOptions =>
    p.options(pulumi, {
      program: testProgram({ pki: {} }),
      env: p.env({
        [TOKEN_VAR]: token,
        ...(passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: passphrase } : {}),
      }),
      extraConfig: { secretFromEnv: { [JOIN_TOKEN_KEY]: TOKEN_VAR } },
    });
  const up = async (p: EngineProject, passphrase?: string) =>
    (await runFleet("up", [p.cluster("a")], options(p, passphrase))).clusters[0]!;
  const upOk = async (p: EngineProject) => {
    const r = await up(p);
    assert.equal(r.result, "succeeded", `${r.message}\n${r.error?.detail}`);
    return r;
  };
  /** The salt the backend's state records for the stack's passphrase provider. */
  const stateSalt = (): string => {
    const file = path.join(backend, ".pulumi", "stacks", "xcluster", `${STACK}.json`);
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as {
      checkpoint: { latest: { secrets_providers: { type: string; state: { salt: string } } } };
    };
    assert.equal(state.checkpoint.latest.secrets_providers.type, "passphrase");
    return state.checkpoint.latest.secrets_providers.state.salt;
  };
  const open = (p: EngineProject) =>
    openStack(p.cluster("a"), { layout: layout(p.root), pulumi, env: p.env() }, "select", false);

  it("creates the stack from the first checkout with a secret config value and secret outputs", async () => {
    const r = await upOk(first);
    assert.deepEqual(r.changes, { create: 3, update: 0, delete: 0, replace: 0, same: 0 });
    salt = stateSalt();
    assert.equal(workspaceSalt(first), salt);
  });

  it("reports no changes on an up from a fresh checkout, which takes the stack's salt from the backend", async () => {
    assert.equal(fs.existsSync(second.workDir(STACK)), false, "a fresh checkout has no workspace");
    const r = await upOk(second);
    assert.deepEqual(r.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 3 });
    assert.equal(workspaceSalt(second), salt, "the workspace's stack config has the state's salt");
    assert.equal(stateSalt(), salt, "the state is not re-encrypted under a new salt");
    const settings = fs.readFileSync(path.join(second.workDir(STACK), `Pulumi.${STACK}.yaml`), "utf8");
    assert.match(settings, /xcluster:joinToken:\n\s+secure: \S+/);
    assert.ok(!settings.includes(token), "the secret config value is stored encrypted");
  });

  it("decrypts the secret config and reads the secret outputs, flagged secret, from the fresh checkout", async () => {
    const stack = await open(second);
    assert.deepEqual(await stack.getConfig(JOIN_TOKEN_KEY), { value: token, secret: true });
    const raw = await stack.outputs();
    assert.deepEqual(raw["joinToken"], { value: token, secret: true });
    assert.equal(raw["adminKey"]?.secret, true);
    assert.match(String(raw["adminKey"]?.value), /^-----BEGIN RSA PRIVATE KEY-----\n/);

    const masked = await stackOutputs(second.cluster("a"), { root: second.root, pulumi, env: second.env() });
    assert.equal(masked["joinToken"], MASK);
    assert.equal(masked["adminKey"], MASK);
    const shown = await stackOutputs(second.cluster("a"), {
      root: second.root,
      pulumi,
      env: second.env(),
      showSecrets: true,
    });
    assert.equal(shown["joinToken"], token);
  });

  it("leaves the first checkout working after the fresh checkout's up", async () => {
    const r = await upOk(first);
    assert.deepEqual(r.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 3 });
    assert.equal(stateSalt(), salt);
    assert.equal(workspaceSalt(first), salt);
    const stack = await open(first);
    assert.deepEqual(await stack.getConfig(JOIN_TOKEN_KEY), { value: token, secret: true });
    assert.deepEqual((await stack.outputs())["joinToken"], { value: token, secret: true });
  });

  it("rejects an up from a fresh checkout with a wrong passphrase, naming the stack, and changes nothing", async () => {
    const before = backendFiles(backend);
    const r = await up(third, WRONG);
    assert.equal(r.result, "failed");
    assert.equal(r.exitCode, 1);
    assert.equal(r.error?.kind, "passphrase");
    assert.equal(r.message, MISMATCH);
    assert.match(r.error?.detail ?? "", /incorrect passphrase/);
    assert.deepEqual(r.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 0 });
    assert.deepEqual(backendFiles(backend), before, "the backend is untouched");
    assert.equal(workspaceSalt(third), undefined, "no salt of the wrong passphrase is left in the workspace");

    // The right passphrase then works from the same checkout: nothing was left behind to refuse it.
    const retried = await upOk(third);
    assert.deepEqual(retried.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 3 });
    assert.equal(workspaceSalt(third), salt);
  });

  it("rejects an up with a wrong passphrase from the checkout that created the stack", async () => {
    const before = backendFiles(backend);
    const r = await up(first, WRONG);
    assert.equal(r.error?.kind, "passphrase", `${r.message}\n${r.error?.detail}`);
    assert.equal(r.message, MISMATCH);
    assert.deepEqual(backendFiles(backend), before, "the backend is untouched");
    assert.equal(workspaceSalt(first), salt);
  });

  it("rejects reading outputs with a wrong passphrase, naming the stack", async () => {
    await assert.rejects(
      stackOutputs(second.cluster("a"), {
        root: second.root,
        pulumi,
        env: second.env({ PULUMI_CONFIG_PASSPHRASE: WRONG }),
      }),
      (e: unknown) => e instanceof PassphraseMismatchError && e.message === MISMATCH,
    );
  });
});
