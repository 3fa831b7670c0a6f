import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { renderMarkdown, renderTable } from "../../fleet/report";
import type { FleetReport } from "../../fleet/run-fleet";
import { FAKE_ROOT, FakeProject, PASSPHRASE_ENV, events, withEnv } from "./harness";

describe("fleet reports and the fleet commands", function () {
  this.timeout(120_000);
  let p: FakeProject;
  afterEach(() => p?.dispose());
  const cli = (args: string[], env: Record<string, string | undefined> = {}) => {
    const io = captureIo();
    return withEnv({ ...PASSPHRASE_ENV, XCLUSTER_PULUMI_ROOT: FAKE_ROOT, ...env }, async () => ({
      code: await main(args, io, p.root),
      out: io.stdout.join("\n"),
      err: io.stderr.join("\n"),
    }));
  };

  it("previews the fleet: [cluster] progress lines, a final table, JSON and Markdown reports", async () => {
    p = new FakeProject({
      stacks: {
        "dev.b": {
          preview: {
            exitCode: 255,
            stderr: "error: preview failed\n",
            events: [
              events.policy("os-fip-001-floating-ip-targets", "mandatory", "floating IP on a server port"),
            ],
          },
        },
      },
    });
    const json = path.join(p.root, "out", "report.json");
    const md = path.join(p.root, "out", "report.md");
    const r = await cli(["preview", "--env", "dev", "--no-policy", "--json", json, "--markdown", md]);
    assert.equal(r.code, 3, r.err + r.out);
    assert.match(r.out, /^\[a\] preview: 2 create, 0 update, 0 replace, 0 delete/m);
    assert.match(
      r.out,
      /^\[b\] policy mandatory: os-fip-001-floating-ip-targets: floating IP on a server port/m,
    );
    assert.match(r.out, /│ dev\/a\s+│ preview\s+│ 2\s+│ 0\s+│ 0\s+│ 0\s+│ 0\s+│ [\d.]+ s\s+│ succeeded/);
    assert.match(r.out, /│ dev\/b\s+│ preview .*│ 1 mandatory, 0 advisory │ .*│ FAILED/);

    const report = JSON.parse(fs.readFileSync(json, "utf8")) as FleetReport;
    assert.deepEqual(Object.keys(report).sort(), [
      "cancelled",
      "clusters",
      "durationMs",
      "exitCode",
      "finishedAt",
      "operation",
      "parallel",
      "startedAt",
      "waves",
    ]);
    assert.equal(report.operation, "preview");
    assert.equal(report.exitCode, 3);
    assert.deepEqual(report.waves, [["dev.a", "dev.b", "dev.c"]]);
    const a = report.clusters[0]!;
    assert.deepEqual(Object.keys(a).sort(), [
      "changes",
      "cluster",
      "drift",
      "durationMs",
      "environment",
      "exitCode",
      "operation",
      "policyViolations",
      "result",
      "retries",
      "stack",
      "wave",
    ]);
    assert.deepEqual(a.changes, { create: 2, update: 0, delete: 0, replace: 0, same: 1 });
    const b = report.clusters[1]!;
    assert.deepEqual(b.policyViolations[0], {
      policy: "os-fip-001-floating-ip-targets",
      pack: "xcluster-policy",
      enforcement: "mandatory",
      resource: "",
      message: "floating IP on a server port",
    });
    assert.equal(b.exitCode, 3);

    const markdown = fs.readFileSync(md, "utf8");
    assert.match(markdown, /^### xcluster preview: 3 cluster\(s\), exit 3$/m);
    assert.match(
      markdown,
      /^\| dev\/b \| preview \| 0 \| 0 \| 0 \| 0 \| 1 mandatory, 0 advisory \| [\d.]+ s \| FAILED \|$/m,
    );
    assert.match(markdown, /^#### Policy violations$/m);
    assert.match(
      markdown,
      /^\| b \| os-fip-001-floating-ip-targets \| mandatory \|  \| floating IP on a server port \|$/m,
    );
  });

  it("renders drift and messages in the Markdown summary, and a simulation banner when it was one", () => {
    const report: FleetReport = {
      operation: "drift",
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: "2025-01-01T00:00:02.000Z",
      durationMs: 2000,
      exitCode: 4,
      parallel: 2,
      waves: [["dev.a"]],
      cancelled: false,
      clusters: [
        {
          cluster: "a",
          environment: "dev",
          stack: "dev.a",
          operation: "drift",
          wave: 1,
          result: "drifted",
          exitCode: 4,
          changes: { create: 0, update: 1, delete: 0, replace: 0, same: 9 },
          policyViolations: [],
          drift: [
            {
              urn: "urn:x",
              type: "openstack:compute/instance:Instance",
              change: "update",
              properties: ["metadata"],
            },
          ],
          durationMs: 1500,
          retries: 0,
          message: "stack dev.a: 1 resource(s) changed outside Pulumi",
        },
      ],
    };
    const md = renderMarkdown(report);
    assert.match(md, /^\| a \| urn:x \| openstack:compute\/instance:Instance \| update \| metadata \|$/m);
    assert.match(md, /^- \*\*a\*\* \(drifted\): stack dev\.a: 1 resource\(s\) changed outside Pulumi$/m);
    assert.match(renderTable(report), /DRIFTED/);
    assert.doesNotMatch(md, /SIMULATION/);
    const simulated = renderMarkdown({
      ...report,
      simulation: "stand-in providers: nothing was created in any cloud",
    });
    assert.equal(
      simulated.split("\n")[2],
      "> **SIMULATION**: stand-in providers: nothing was created in any cloud.",
      "a simulated run says so under the heading",
    );
  });

  it("rejects destroy without --yes with exit 2 before looking for the CLI", async () => {
    p = new FakeProject({});
    const r = await cli(["destroy", "--env", "dev", "--all", "--confirm-env", "dev"], {
      XCLUSTER_PULUMI_ROOT: "/nonexistent",
    });
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /xcluster destroy: destroy deletes every resource of dev\.a, dev\.b, dev\.c; pass --yes/,
    );
    assert.deepEqual(p.calls(), []);
  });

  it("rejects a run without a CLI (exit 2), saying in one message with the passphrase how to get each", async () => {
    p = new FakeProject({});
    const home = path.join(p.root, "empty-pulumi-home");
    const r = await cli(["up", "--cluster", "a"], {
      XCLUSTER_PULUMI_ROOT: path.join(p.root, "none"),
      PULUMI_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: undefined,
      PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
    });
    assert.equal(r.code, 2);
    // The CLI, the five provider plugins (an empty plugin cache, read without the CLI) and the passphrase.
    assert.match(r.err, /7 thing\(s\) this run needs are missing; no workspace or stack was touched/);
    assert.match(
      r.err,
      /- the pulumi CLI and its Node\.js language host \(the pulumi CLI was not found \(no .*\/none\/bin\/pulumi\)\): npm run setup:pulumi/,
    );
    assert.match(r.err, /- provider plugin openstack 3\.15\.2: npm run setup:pulumi/);
    assert.match(
      r.err,
      /- the passphrase .*\(used by dev\.a\): PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/,
    );
    assert.ok(!fs.existsSync(path.join(p.root, ".xcluster")), "no workspace, no backend directory");
  });

  it("exits 2 when the passphrase is missing, naming both variables", async () => {
    p = new FakeProject({});
    const r = await cli(["preview"], {
      PULUMI_CONFIG_PASSPHRASE: undefined,
      PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
    });
    assert.equal(r.code, 2);
    assert.match(r.err, /PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/);
  });

  it("prints a cluster's outputs with secrets masked unless asked", async () => {
    p = new FakeProject({
      stacks: {
        "dev.a": {
          exists: true,
          output: {
            outputs: {
              apiEndpoint: { value: "https://10.0.0.5:6443" },
              kubeconfig: { value: "apiVersion: v1", secret: true },
            },
          },
        },
      },
    });
    const masked = await cli(["outputs", "a", "--env", "dev"]);
    assert.equal(masked.code, 0, masked.err);
    assert.equal(masked.out, "apiEndpoint: https://10.0.0.5:6443\nkubeconfig: [secret]");
    const shown = await cli(["outputs", "dev/a", "--show-secrets", "--json"]);
    assert.deepEqual(JSON.parse(shown.out), {
      apiEndpoint: "https://10.0.0.5:6443",
      kubeconfig: "apiVersion: v1",
    });
    assert.ok(
      !p.lines("dev.a").some((l) => l.startsWith("stack init") || l.startsWith("config")),
      "outputs only selects",
    );
  });

  it("says so when a cluster's stack has no outputs", async () => {
    p = new FakeProject({ stacks: { "dev.a": { exists: true, output: { outputs: {} } } } });
    const r = await cli(["outputs", "a", "--env", "dev"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^stack dev\.a has no outputs \(/);
    assert.equal((await cli(["outputs", "a", "--env", "dev", "--json"])).out, "{}");
  });

  it("ends a run with one summary line: done, failed, skipped, not started and why", async () => {
    p = new FakeProject({
      stacks: { "dev.a": { up: { exitCode: 255, stderr: "error: quota exceeded\n" } } },
    });
    const up = await cli(["up", "--env", "dev", "--canary", "a", "--no-policy"]);
    assert.equal(up.code, 1, up.err + up.out);
    assert.match(
      up.out.split("\n").at(-1)!,
      /^up: 0 done, 1 failed \(dev\.a\), 0 skipped, 2 not started \(the canary wave did not succeed\); 3 cluster\(s\) in [\d.]+ s, exit 1$/,
    );

    p.dispose();
    p = new FakeProject({ stacks: { "dev.a": { exists: true } } });
    const refresh = await cli(["refresh", "--env", "dev"]);
    assert.equal(refresh.code, 0, refresh.err + refresh.out);
    assert.match(
      refresh.out.split("\n").at(-1)!,
      /^refresh: 1 done, 0 failed, 2 skipped \(not deployed\), 0 not started; 3 cluster\(s\) in [\d.]+ s, exit 0$/,
    );
  });

  it("exports operator Stack objects as YAML", async () => {
    p = new FakeProject({});
    const r = await cli([
      "export",
      "operator",
      "--repo",
      "https://git.example.org/x.git",
      "--backend",
      "s3://b",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal((r.out.match(/^kind: Stack$/gm) ?? []).length, 3);
    assert.match(r.out, /^ {2}stack: dev\.a$/m);
  });

  it("lists every fleet command in --help", async () => {
    p = new FakeProject({});
    const r = await cli(["--help"]);
    for (const c of ["preview", "up", "refresh", "destroy", "drift", "outputs", "reconcile", "export"]) {
      assert.match(r.out, new RegExp(`^ {2}${c}\\b`, "m"), c);
    }
  });
});
