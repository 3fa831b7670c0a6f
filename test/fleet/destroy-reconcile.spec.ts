import { strict as assert } from "assert";
import { runFleet } from "../../fleet/run-fleet";
import { reconcile, type ReconcileOptions } from "../../fleet/reconcile";
import { InvalidRunError } from "../../fleet/errors";
import { baseCluster, baseEnvironment } from "../support/spec-files";
import { FakeProject, defaultFiles, named, type Scenario } from "./harness";

describe("destroy refusals and reconcile", function () {
  this.timeout(120_000);
  let p: FakeProject;
  afterEach(() => p?.dispose());
  const options = async (extra: Partial<ReconcileOptions> = {}): Promise<ReconcileOptions> => ({
    ...(await p.options({ policyPack: false })),
    ...extra,
  });

  it("rejects destroy without --yes and touches no stack", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true } } });
    await assert.rejects(
      runFleet("destroy", p.clusters(), await options()),
      (e: unknown) =>
        e instanceof InvalidRunError && e.exitCode === 2 && /pass --yes to confirm/.test(e.message),
    );
    assert.deepEqual(p.calls(), []);
  });

  it("rejects destroy of a protected cluster and says how to unprotect it", async () => {
    p = new FakeProject(
      {},
      {
        "prod/environment.yaml": baseEnvironment(),
        "prod/big.yaml": named(baseCluster(), "big"),
      },
    );
    await assert.rejects(
      runFleet("destroy", p.clusters(), await options({ yes: true })),
      (e: unknown) =>
        e instanceof InvalidRunError &&
        e.exitCode === 2 &&
        /cluster prod\/big is protected; set spec\.parameters\.protect: false in stacks\/prod\/big\.yaml/.test(
          e.message,
        ),
    );
    assert.deepEqual(p.calls(), []);
  });

  const orphanScenario: Scenario = {
    stacks: {
      "dev.a": { exists: true },
      "dev.old": { exists: true, tags: { "xcluster:protect": "false" } },
      "prod.other": { exists: true },
    },
  };

  it("creates missing stacks, updates existing ones and lists stacks without a spec", async () => {
    p = new FakeProject(orphanScenario, defaultFiles());
    const report = await reconcile(p.clusters(), await options());
    assert.equal(report.exitCode, 0);
    assert.ok(p.calls().some((c) => c.argv.join(" ").startsWith("stack ls --json")));
    assert.ok(
      !p.lines("dev.a").some((l) => l.startsWith("stack init")),
      "dev.a exists: updated, not created",
    );
    assert.ok(
      p.lines("dev.b").some((l) => l.startsWith("stack init dev.b")),
      "dev.b is new: created",
    );
    assert.deepEqual(
      report.clusters.map((c) => [c.stack, c.operation, c.result]),
      [
        ["dev.a", "up", "succeeded"],
        ["dev.b", "up", "succeeded"],
        ["dev.c", "up", "succeeded"],
      ],
    );
    // prod.other belongs to an environment outside this run: not an orphan of it.
    assert.deepEqual(
      report.orphans?.map((o) => [o.stack, o.action]),
      [["dev.old", "listed"]],
    );
    assert.deepEqual(
      p.lines("dev.old"),
      ["stack tag ls --json --stack dev.old --non-interactive"],
      "a listed orphan is only read (its protection tag)",
    );
  });

  it("destroys and removes orphans only with prune and yes, after a state backup", async () => {
    p = new FakeProject(orphanScenario, defaultFiles());
    await assert.rejects(
      reconcile(p.clusters(), await options({ prune: true })),
      /--prune would destroy 1 orphan stack\(s\) .*: dev\.old\. Pass --yes to confirm/,
    );
    assert.ok(!p.calls().some((c) => /^(destroy|stack rm|up|stack init)/.test(c.argv.join(" "))));
    const report = await reconcile(p.clusters(), await options({ prune: true, yes: true }));
    const old = p.lines("dev.old");
    const exp = old.indexOf("stack export --stack dev.old --non-interactive");
    const destroy = old.findIndex((l) => l.startsWith("destroy "));
    assert.ok(exp >= 0 && destroy > exp, old.join("\n"));
    assert.ok(
      old.some((l) => /^stack rm .*dev\.old/.test(l)),
      old.join("\n"),
    );
    assert.equal(report.orphans?.[0]?.action, "destroyed");
    assert.match(report.orphans?.[0]?.backup ?? "", /\.xcluster\/backups\/dev\.old-\d{8}T\d{6}Z\.json$/);
  });
});
