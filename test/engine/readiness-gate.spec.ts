/**
 * Tier: the real engine (pulumi CLI, nodejs language host, the project's dynamic provider) running
 * `up` of a stack holding only the ReadinessGate, pointed at a real HTTPS server on loopback that stands
 * in for kube-apiserver's `/readyz` (TLS with a server CA, client certificates required, as RKE2 serves
 * it). The certificates come from the real openssl CLI. No RKE2 runs here.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { ReadinessGate } from "../../components/readiness-gate";
import { runFleet } from "../../fleet/run-fleet";
import type { ProgramFactory } from "../../fleet/workspace";
import { realEngine } from "./engine";
import { EngineProject, filesUnder } from "./project";
import { makePki, startApiserver, type Pki } from "./fixtures/readyz";

describe("the readiness gate on the real engine, against a loopback /readyz", function () {
  this.timeout(240_000);
  let pulumi: PulumiCommand;
  let p: EngineProject;
  let pki: Pki;
  let pkiDir: string;
  let server: https.Server | undefined;

  before(async function () {
    pulumi = await realEngine(this);
    p = new EngineProject({ clusters: ["a", "b", "c", "d"] });
    pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-readyz-"));
    pki = makePki(pkiDir);
  });
  afterEach(() => server?.close());
  after(() => {
    p?.dispose();
    if (pkiDir) fs.rmSync(pkiDir, { recursive: true, force: true });
  });

  const apiserver = async (notReady: number) => {
    const api = await startApiserver(pki, notReady);
    server = api.server;
    return api;
  };

  function gateProgram(apiUrl: string, timeoutSeconds: number, revision?: string): ProgramFactory {
    return () => async () => {
      const gate = new ReadinessGate("api-ready", {
        apiUrl,
        caCert: pki.caCert,
        clientCert: pki.clientCert,
        clientKey: pki.clientKey,
        ...(revision !== undefined ? { revision } : {}),
        timeoutSeconds,
        intervalSeconds: 1,
        requestTimeoutSeconds: 2,
      });
      return { gate: gate.id };
    };
  }

  it("waits while the API is not ready, then lets up finish once /readyz answers 200", async () => {
    const api = await apiserver(3);
    const started = Date.now();
    const report = await runFleet(
      "up",
      [p.cluster("a")],
      p.options(pulumi, { program: gateProgram(api.url, 60) }),
    );
    const r = report.clusters[0];
    assert.equal(report.exitCode, 0, `${r?.message ?? ""} ${r?.error?.detail ?? ""}`);
    assert.equal(r?.changes.create, 2, "the stack and the gate");
    // Four probes (three 503s, then 200), a second apart, each with the admin client certificate.
    assert.deepEqual(api.requests, Array(4).fill({ path: "/readyz", client: "admin" }));
    assert.ok(Date.now() - started >= 3000, "it waited between probes");
    // The admin key the gate authenticates with is a secret in the state, never in plain text.
    const keyLine = pki.clientKey.split("\n")[5] ?? "";
    assert.ok(keyLine.length > 40);
    for (const file of filesUnder(p.stateDir))
      assert.ok(!fs.readFileSync(file, "utf8").includes(keyLine), file);
  });

  it("rejects an API that never gets ready within the bound, with a message naming the URL, the bound and the last answer", async () => {
    const api = await apiserver(Number.MAX_SAFE_INTEGER);
    const report = await runFleet(
      "up",
      [p.cluster("b")],
      p.options(pulumi, { program: gateProgram(api.url, 3) }),
    );
    const r = report.clusters[0];
    assert.equal(report.exitCode, 1);
    const detail = `${r?.message ?? ""} ${r?.error?.detail ?? ""}`;
    assert.match(
      detail,
      new RegExp(`the cluster API at ${api.url.replace(/\./g, "\\.")}/readyz was not ready within 3 s`),
    );
    assert.match(detail, /last: HTTP 503: \[-\]etcd failed/);
    assert.ok(api.requests.length >= 2 && api.requests.length <= 5, `bounded: ${api.requests.length} probes`);
  });

  it("rejects an endpoint where nothing listens, within the bound", async () => {
    const api = await apiserver(0);
    server?.close();
    const started = Date.now();
    const report = await runFleet(
      "up",
      [p.cluster("b")],
      p.options(pulumi, { program: gateProgram(api.url, 2) }),
    );
    const r = report.clusters[0];
    assert.equal(report.exitCode, 1);
    assert.match(
      `${r?.message ?? ""} ${r?.error?.detail ?? ""}`,
      /was not ready within 2 s \(\d+ attempt\(s\), last: connect ECONNREFUSED 127\.0\.0\.1/,
    );
    assert.ok(Date.now() - started < 60_000);
  });

  it("waits again on update when the revision changes (an upgrade, other servers), and not when only its timings change", async () => {
    const up = async (url: string, timeoutSeconds: number, revision: string) => {
      const report = await runFleet(
        "up",
        [p.cluster("c")],
        p.options(pulumi, { program: gateProgram(url, timeoutSeconds, revision) }),
      );
      const r = report.clusters[0];
      return { report, detail: `${r?.message ?? ""} ${r?.error?.detail ?? ""}`, changes: r?.changes };
    };
    const first = await apiserver(0);
    const port = Number(new URL(first.url).port);
    const created = await up(first.url, 60, "rke2 v1.33.3+rke2r1; servers c-server-0");
    assert.equal(created.report.exitCode, 0, created.detail);
    assert.equal(first.requests.length, 1);

    // Only the bound changes: nothing to wait for, the gate is not even updated.
    const same = await up(first.url, 90, "rke2 v1.33.3+rke2r1; servers c-server-0");
    assert.equal(same.report.exitCode, 0, same.detail);
    assert.equal(same.changes?.update, 0);
    assert.equal(first.requests.length, 1, "no probe");

    // The same endpoint, not ready for two probes (the servers restart for an upgrade): the update waits.
    server?.close();
    const again = await startApiserver(pki, 2, port);
    server = again.server;
    const started = Date.now();
    const updated = await up(first.url, 60, "rke2 v1.33.5+rke2r1; servers c-server-0");
    assert.equal(updated.report.exitCode, 0, updated.detail);
    assert.equal(updated.changes?.update, 1);
    assert.equal(updated.changes?.replace, 0);
    assert.deepEqual(again.requests, Array(3).fill({ path: "/readyz", client: "admin" }));
    assert.ok(Date.now() - started >= 2000, "it waited between probes");
  });

  it("rejects an update whose API never gets ready within the bound, naming the URL", async () => {
    const api = await apiserver(0);
    const ok = await runFleet(
      "up",
      [p.cluster("d")],
      p.options(pulumi, { program: gateProgram(api.url, 60, "one") }),
    );
    assert.equal(ok.exitCode, 0, ok.clusters[0]?.message);
    server?.close();
    const never = await startApiserver(pki, Number.MAX_SAFE_INTEGER, Number(new URL(api.url).port));
    server = never.server;
    const report = await runFleet(
      "up",
      [p.cluster("d")],
      p.options(pulumi, { program: gateProgram(api.url, 3, "two") }),
    );
    const r = report.clusters[0];
    assert.equal(report.exitCode, 1);
    assert.match(`${r?.message ?? ""} ${r?.error?.detail ?? ""}`, /readyz was not ready within 3 s/);
  });
});
