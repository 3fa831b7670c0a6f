import { strict as assert } from "assert";
import { runFleet } from "../../fleet/run-fleet";
import type { Operation } from "../../fleet/operation";
import { OFFLINE_PACK, offlinePolicyGate, type GateFinding, type PolicyGate } from "../../fleet/policy-gate";
import type { ClusterSpec } from "../../spec/types";
import { baseCluster, baseEnvironment } from "../support/spec-files";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { FAKE_ROOT, FakeProject, PASSPHRASE_ENV, POLICY_DIR, defaultFiles, named, withEnv } from "./harness";

/** The default fleet with secrets encryption off and mandatory enforcement in its environment. */
function withoutSecretsEncryption(): Record<string, Record<string, unknown>> {
  const files = defaultFiles();
  const env = files["dev/environment.yaml"]!;
  files["dev/environment.yaml"] = {
    ...env,
    spec: {
      ...(env["spec"] as Record<string, unknown>),
      policy: { enforcement: "mandatory" },
      defaults: { rke2: { secretsEncryption: false } },
    },
  };
  return files;
}

const VIOLATION = {
  policy: "rke2-002-secrets-encryption",
  pack: OFFLINE_PACK,
  enforcement: "mandatory" as const,
  resource: "b-server-0",
  message: "secrets-encryption: false leaves secrets unencrypted in etcd",
};

/** A gate that answers from a table by cluster name and records what it was asked. */
function tableGate(table: Record<string, GateFinding>): PolicyGate & { asked: string[][] } {
  const asked: string[][] = [];
  const gate = async (clusters: readonly ClusterSpec[]) => {
    asked.push(clusters.map((c) => c.name));
    return new Map(clusters.filter((c) => table[c.name]).map((c) => [c, table[c.name]!] as const));
  };
  return Object.assign(gate, { asked });
}

describe("the offline policy gate before preview and up", function () {
  this.timeout(180_000);
  let p: FakeProject;
  afterEach(() => p?.dispose());

  async function run(op: Operation, gate: PolicyGate, extra: { policyPack?: false } = {}) {
    const progress: string[] = [];
    const report = await runFleet(
      op,
      p.clusters().filter((c) => c.name !== "c"),
      await p.options({
        policyGate: gate,
        onProgress: (c, line) => progress.push(`[${c.name}] ${line}`),
        ...extra,
      }),
    );
    return { report, progress };
  }

  for (const op of ["preview", "up"] as const) {
    it(`rejects a cluster with mandatory offline findings before its stack is touched (${op}), and runs the others`, async () => {
      p = new FakeProject({});
      const { report } = await run(op, tableGate({ b: { violations: [VIOLATION] } }));
      assert.equal(report.exitCode, 3);
      const [a, b] = report.clusters;
      assert.equal(a?.result, "succeeded");
      assert.equal(b?.result, "failed");
      assert.equal(b?.exitCode, 3);
      assert.equal(
        b?.message,
        "stack dev.b: 1 mandatory policy violation(s) found by the offline plan; the stack was not touched",
      );
      assert.deepEqual(b?.policyViolations, [VIOLATION]);
      assert.deepEqual(p.lines("dev.b"), [], "no CLI call for the refused stack");
      assert.ok(p.lines("dev.a").some((l) => l.startsWith(`${op} `)));
    });
  }

  it("asks the gate once for the whole run, and never for refresh or without a policy pack", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true }, "dev.b": { exists: true } } });
    const gate = tableGate({});
    await run("up", gate);
    assert.deepEqual(gate.asked, [["a", "b"]]);
    await run("refresh", gate);
    await run("preview", gate, { policyPack: false });
    assert.deepEqual(gate.asked, [["a", "b"]]);
  });

  it("runs a cluster the plan could not render, with only the engine's checks, and says so", async () => {
    p = new FakeProject({});
    const { report, progress } = await run("preview", tableGate({ a: { violations: [], error: "boom" } }));
    assert.equal(report.clusters[0]?.result, "succeeded");
    assert.ok(
      progress.includes(
        "[a] offline policy check could not plan this cluster (boom); the engine's checks still apply",
      ),
      progress.join("\n"),
    );
  });

  it("finds, in the offline plan, the mandatory violation a first engine preview can only call unknown", async () => {
    // Secrets encryption off: the rule reads instance user data, which embeds the generated PKI.
    const files = withoutSecretsEncryption();
    files["dev/prod-like.yaml"] = named(baseCluster({ numberOfMasters: 1, subnetCidr: "10.0.9.0/24" }), "d");
    p = new FakeProject({}, files);
    const clusters = p.clusters().filter((c) => c.name === "a" || c.name === "d");
    const found = await offlinePolicyGate({ workers: 2 })(clusters);
    for (const spec of clusters) {
      const finding = found.get(spec);
      assert.equal(finding?.error, undefined);
      assert.deepEqual(
        finding?.violations.map((v) => `${v.pack} ${v.enforcement} ${v.policy} ${v.resource}`),
        [`${OFFLINE_PACK} mandatory rke2-002-secrets-encryption ${spec.name}-server-0`],
      );
    }
    // Sanity: the untouched environment gives the gate nothing to say.
    p.dispose();
    p = new FakeProject(
      {},
      {
        "dev/environment.yaml": { ...baseEnvironment({ production: false }), metadata: { name: "dev" } },
        "dev/a.yaml": files["dev/a.yaml"]!,
      },
    );
    assert.equal((await offlinePolicyGate({ workers: 1 })(p.clusters())).size, 0);
  });

  it("makes `xcluster up` exit 3 on an offline finding without calling the CLI, unless --no-offline-policy", async () => {
    p = new FakeProject({}, withoutSecretsEncryption());
    const cli = async (...extra: string[]) => {
      const io = captureIo();
      const args = ["up", "--env", "dev", "--cluster", "a", "--policy-pack", POLICY_DIR, ...extra];
      const code = await withEnv({ ...PASSPHRASE_ENV, XCLUSTER_PULUMI_ROOT: FAKE_ROOT }, () =>
        main(args, io, p.root),
      );
      return { code, out: io.stdout.join("\n") };
    };
    const gated = await cli();
    assert.equal(gated.code, 3, gated.out);
    assert.match(gated.out, /│ dev\/a\s+│ up .*│ 1 mandatory, 0 advisory │ .*│ FAILED/);
    assert.match(
      gated.out,
      /^\[a\] policy mandatory: rke2-002-secrets-encryption: secrets-encryption: false leaves secrets unencrypted in etcd \(a-server-0\)$/m,
    );
    assert.deepEqual(p.lines("dev.a"), []);
    // The fake CLI applies no policy, so without the gate the same spec goes through.
    const ungated = await cli("--no-offline-policy");
    assert.equal(ungated.code, 0, ungated.out);
    assert.ok(p.lines("dev.a").some((l) => l.startsWith("up ")));
  });
});
