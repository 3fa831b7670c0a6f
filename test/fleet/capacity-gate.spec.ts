/**
 * Tier: the CLI in this process with the fleet tests' recording pulumi stand-in (test/fleet/harness.ts);
 * the quota check itself plans every cluster under Pulumi's mock runtime in worker processes. No cloud:
 * the quotas are what the environment declares. The point here is the order: refused before any stack.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";
import { FAKE_ROOT, FakeProject, PASSPHRASE_ENV, POLICY_DIR, defaultFiles, withEnv } from "./harness";

/** The default fleet (a, b, c: 1 server, 2 workers, 2 ingress nodes each, all m1.large) with a cores quota. */
function withCoresQuota(cores: number): Record<string, Record<string, unknown>> {
  const files = defaultFiles();
  const env = files["dev/environment.yaml"]!;
  files["dev/environment.yaml"] = {
    ...env,
    spec: {
      ...(env["spec"] as Record<string, unknown>),
      capacity: { flavors: { "m1.large": { vcpus: 4, ramMiB: 8192, diskGiB: 80 } }, quota: { cores } },
    },
  };
  return files;
}

describe("the quota check before preview and up", function () {
  this.timeout(240_000);
  let p: FakeProject;
  afterEach(() => p?.dispose());

  async function up(...extra: string[]) {
    const io = captureIo();
    const args = [
      "up",
      "--env",
      "dev",
      "--cluster",
      "a",
      "--policy-pack",
      POLICY_DIR,
      "--no-offline-policy",
      ...extra,
    ];
    const code = await withEnv({ ...PASSPHRASE_ENV, XCLUSTER_PULUMI_ROOT: FAKE_ROOT }, () =>
      main(args, io, p.root),
    );
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
  }

  it("rejects `up` of one cluster when the environment's clusters together exceed a quota, before any stack is touched", async () => {
    // a alone needs 20 vCPUs; a, b and c need 60: the quota counts every cluster the specs define.
    p = new FakeProject({}, withCoresQuota(50));
    const run = await up();
    assert.equal(run.code, EXIT.quota, `${run.out}\n${run.err}`);
    assert.match(
      run.err,
      /dev\/environment\.yaml: spec\.capacity\.quota\.cores: environment dev is over quota: the planned fleet needs 60 vCPUs, but the quota is 50 \(10 short;/,
    );
    assert.match(run.err, /no stack was touched/);
    assert.deepEqual(p.calls(), []);
    assert.equal(fs.existsSync(p.workDir("dev.a")), false);
  });

  it("runs `up` when the fleet fits the quota", async () => {
    p = new FakeProject({}, withCoresQuota(60));
    const run = await up();
    assert.equal(run.code, EXIT.ok, `${run.out}\n${run.err}`);
    assert.ok(p.lines("dev.a").some((l) => l.startsWith("up ")));
  });
});
