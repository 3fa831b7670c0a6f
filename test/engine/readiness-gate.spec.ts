/**
 * Tier: the real engine (pulumi CLI, nodejs language host, the project's dynamic provider) running
 * `up` of a stack holding only the ReadinessGate, pointed at a real HTTPS server on loopback that stands
 * in for kube-apiserver's `/readyz` (TLS with a server CA, client certificates required, as RKE2 serves
 * it). The certificates come from the real openssl CLI. No RKE2 runs here.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { ReadinessGate } from "../../components/readiness-gate";
import { runFleet } from "../../fleet/run-fleet";
import type { ProgramFactory } from "../../fleet/workspace";
import { realEngine } from "./engine";
import { EngineProject, filesUnder } from "./project";

interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCaCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A server CA with a serving certificate for 127.0.0.1, and a client CA with a client certificate. */
function makePki(dir: string): Pki {
  const f = (n: string): string => path.join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "pipe" });
  for (const ca of ["server-ca", "client-ca"]) {
    ssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${ca}`,
      "-keyout",
      f(`${ca}.key`),
      "-out",
      f(`${ca}.crt`),
    );
  }
  const issue = (name: string, ca: string, subject: string, ext: string): void => {
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      subject,
      "-keyout",
      f(`${name}.key`),
      "-out",
      f(`${name}.csr`),
    );
    fs.writeFileSync(f(`${name}.ext`), ext);
    ssl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f(`${ca}.crt`),
      "-CAkey",
      f(`${ca}.key`),
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      f(`${name}.ext`),
      "-out",
      f(`${name}.crt`),
    );
  };
  issue(
    "apiserver",
    "server-ca",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  issue("admin", "client-ca", "/O=system:masters/CN=admin", "extendedKeyUsage=clientAuth\n");
  const read = (n: string): string => fs.readFileSync(f(n), "utf8");
  return {
    caCert: read("server-ca.crt"),
    serverCert: read("apiserver.crt"),
    serverKey: read("apiserver.key"),
    clientCaCert: read("client-ca.crt"),
    clientCert: read("admin.crt"),
    clientKey: read("admin.key"),
  };
}

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

  /** An apiserver stand-in: 503 for the first `notReady` authenticated requests, then 200 `ok`. */
  async function apiserver(
    notReady: number,
  ): Promise<{ url: string; requests: { path: string; client: string }[] }> {
    const requests: { path: string; client: string }[] = [];
    server = https.createServer(
      {
        cert: pki.serverCert,
        key: pki.serverKey,
        ca: pki.clientCaCert,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as import("tls").TLSSocket).getPeerCertificate();
        requests.push({ path: req.url ?? "", client: String(peer.subject?.CN) });
        const ready = req.url === "/readyz" && requests.length > notReady;
        res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" });
        res.end(ready ? "ok" : "[-]etcd failed: reason withheld\nreadyz check failed");
      },
    );
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

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
