import { strict as assert } from "assert";
import * as path from "path";
import { runFleet, type FleetOptions } from "../../fleet/run-fleet";
import type { Operation } from "../../fleet/operation";
import { findPulumi } from "../../fleet/pulumi-cli";
import { InvalidRunError, PulumiCliMissingError } from "../../fleet/errors";
import { FakeProject, events, type Scenario } from "./harness";

const LOCKED =
  "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end\n";

describe("fleet error mapping", function () {
  this.timeout(120_000);
  let p: FakeProject;
  const project = (s: Scenario) => (p = new FakeProject(s));
  afterEach(() => p?.dispose());

  async function run(op: Operation, only: string[], extra: Partial<FleetOptions> = {}) {
    return runFleet(
      op,
      p.clusters().filter((c) => only.includes(c.name)),
      await p.options(extra),
    );
  }
  const count = (stack: string, prefix: string) => p.lines(stack).filter((l) => l.startsWith(prefix)).length;

  it("rejects a locked stack after a bounded number of retries, in one line", async () => {
    project({ default: { up: { failTimes: 99, exitCode: 255, stderr: LOCKED } } });
    const report = await run("up", ["a"], { lockRetries: 2 });
    const a = report.clusters[0];
    assert.equal(a?.result, "failed");
    assert.equal(a?.exitCode, 1);
    assert.equal(a?.message, "stack dev.a is locked by another update; retried 2 times");
    assert.equal(a?.error?.kind, "locked");
    assert.equal(count("dev.a", "up "), 3);
  });

  it("retries a locked stack and succeeds once the lock is released", async () => {
    project({
      default: { refresh: { failTimes: 1, exitCode: 255, stderr: LOCKED } },
      stacks: { "dev.a": { exists: true } },
    });
    const report = await run("refresh", ["a"]);
    assert.equal(report.clusters[0]?.result, "succeeded");
    assert.equal(report.clusters[0]?.retries, 1);
    assert.equal(count("dev.a", "refresh "), 2);
  });

  it("rejects a locked preview without retrying (preview takes no lock, so a conflict is not transient)", async () => {
    project({ default: { preview: { exitCode: 255, stderr: LOCKED } } });
    const report = await run("preview", ["a"]);
    assert.equal(report.clusters[0]?.message, "stack dev.a is locked by another update; retried 0 times");
    assert.equal(count("dev.a", "preview "), 1);
  });

  it("reports a failed update with the engine's error, not the CLI wrapper", async () => {
    project({
      default: {
        up: {
          exitCode: 255,
          stderr: "error: update failed\n",
          events: [
            events.error("openstack:compute:Instance (a-server-0):\n  error: Quota exceeded for instances\n"),
          ],
        },
      },
    });
    const report = await run("up", ["a"]);
    const a = report.clusters[0];
    assert.equal(a?.exitCode, 1);
    assert.equal(a?.error?.kind, "failed");
    assert.match(a?.message ?? "", /^stack dev\.a: up failed: .*Quota exceeded for instances/);
    assert.doesNotMatch(a?.message ?? "", /code: -2|stdout:/);
  });

  it("rejects a wrong passphrase in one line that names the stack", async () => {
    project({
      default: {
        up: {
          exitCode: 1,
          stderr:
            "error: failed to decrypt: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the " +
            "correct passphrase or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase\n",
        },
      },
    });
    const report = await run("up", ["a"]);
    const a = report.clusters[0];
    assert.equal(a?.exitCode, 1);
    assert.equal(a?.error?.kind, "passphrase");
    assert.equal(
      a?.message,
      "stack dev.a: the passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) does not " +
        "match the one the stack's secrets are encrypted with; nothing was changed",
    );
  });

  it("fails a cluster with exit 3 on a mandatory policy violation and lists it", async () => {
    project({
      default: {
        preview: {
          exitCode: 255,
          stderr: "error: preview failed\n",
          events: [
            events.policy("os-fip-001-floating-ip-targets", "mandatory", "floating IP on a server port"),
            events.policy("helm-001-pinned-chart-version", "warning", "chart version not pinned"),
          ],
        },
      },
    });
    const report = await run("preview", ["a"]);
    assert.equal(report.exitCode, 3);
    const a = report.clusters[0];
    assert.equal(a?.exitCode, 3);
    assert.equal(a?.message, "stack dev.a: 1 mandatory policy violation(s); nothing was changed");
    assert.deepEqual(
      a?.policyViolations.map((v) => [v.policy, v.enforcement]),
      [
        ["os-fip-001-floating-ip-targets", "mandatory"],
        ["helm-001-pinned-chart-version", "advisory"],
      ],
    );
  });

  it("passes a preview with advisory violations only, still reporting them", async () => {
    project({
      default: {
        preview: {
          events: [events.policy("tags-001", "warning", "missing tag"), events.summary({ same: 1 })],
        },
      },
    });
    const report = await run("preview", ["a"]);
    assert.equal(report.exitCode, 0);
    assert.equal(report.clusters[0]?.policyViolations.length, 1);
  });

  it("rejects a missing pulumi CLI with how to get one", async () => {
    await assert.rejects(
      findPulumi({ root: path.join(__dirname, "no-such-pulumi"), projectRoot: __dirname }),
      (e: unknown) =>
        e instanceof PulumiCliMissingError &&
        e.exitCode === 1 &&
        /pulumi CLI was not found .*npm run setup:pulumi/.test(e.message),
    );
  });

  it("rejects the passphrase provider without a passphrase before touching any stack", async () => {
    project({});
    await assert.rejects(
      run("up", ["a", "b"], { env: {} }),
      (e: unknown) =>
        e instanceof InvalidRunError &&
        e.exitCode === 2 &&
        /PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/.test(e.message) &&
        /dev\.a, dev\.b/.test(e.message),
    );
    // Only the CLI's read-only plugin list was asked for.
    assert.deepEqual(
      p.calls().map((c) => c.argv.join(" ")),
      ["plugin ls --json"],
    );
  });

  it("accepts a passphrase file instead of the passphrase", async () => {
    project({});
    const report = await run("preview", ["a"], {
      env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/pass" },
    });
    assert.equal(report.exitCode, 0);
    assert.equal(p.calls()[0]?.env["PULUMI_CONFIG_PASSPHRASE_FILE"], "/run/secrets/pass");
  });
});
