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
    p = new EngineProject({ clusters: ["a", "b"] });
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

  function gateProgram(apiUrl: string, timeoutSeconds: number): ProgramFactory {
    return () => async () => {
      const gate = new ReadinessGate("api-ready", {
        apiUrl,
        caCert: pki.caCert,
        clientCert: pki.clientCert,
        clientKey: pki.clientKey,
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
});
