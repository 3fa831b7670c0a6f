/**
 * The cluster API of a simulation (`--local`): an HTTPS server on loopback that answers `GET /readyz` with
 * 200 to the admin client certificate, so the cluster program's readiness gate (a real dynamic provider in
 * the engine) waits and passes as it would on a cloud, and anything else with the API's 404 (a node drain
 * on a scale-down finds no Node). No address but 127.0.0.1 is ever contacted (the stand-in providers
 * invent documentation addresses, 203.0.113.0/24, that must never be probed).
 *
 * Its throwaway PKI and port are kept in `.xcluster/local-api/`, so a second `up` finds the gate's inputs
 * unchanged (the gate replaces itself when its URL or CA changes); every request is appended to
 * `requests.log` there.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as path from "path";
import type { TLSSocket } from "tls";
import * as forge from "node-forge";

export interface SimulatedApiPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCaCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

export interface SimulatedApi {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly pki: SimulatedApiPki;
  /** `/readyz` requests answered, with the client certificate's CN. */
  readonly requests: { readonly path: string; readonly client: string }[];
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface Issued {
  readonly cert: string;
  readonly key: string;
}

/** A certificate for a fresh RSA key (native key generation; forge only builds and signs the certificate). */
function issue(
  subject: string,
  extensions: object[],
  issuer?: { readonly cert: string; readonly key: string },
): Issued {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${crypto.randomBytes(15).toString("hex")}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 3650 * DAY_MS);
  const attrs = [{ name: "commonName", value: subject }];
  cert.setSubject(attrs);
  cert.setIssuer(issuer ? forge.pki.certificateFromPem(issuer.cert).subject.attributes : attrs);
  cert.setExtensions(extensions);
  cert.sign(forge.pki.privateKeyFromPem(issuer?.key ?? privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n"), key: privateKey };
}

const CA_EXTENSIONS = [
  { name: "basicConstraints", cA: true, critical: true },
  { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
];

function makePki(): SimulatedApiPki {
  const serverCa = issue("xcluster-simulation-server-ca", CA_EXTENSIONS);
  const clientCa = issue("xcluster-simulation-client-ca", CA_EXTENSIONS);
  const server = issue(
    "kube-apiserver (simulation)",
    [
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
    serverCa,
  );
  const admin = issue("xcluster-admin (simulation)", [{ name: "extKeyUsage", clientAuth: true }], clientCa);
  return {
    caCert: serverCa.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCaCert: clientCa.cert,
    clientCert: admin.cert,
    clientKey: admin.key,
  };
}

/** The PKI and last port kept in `dir` (made on first use, private to the user). */
function stored(dir: string): { pki: SimulatedApiPki; port: number } {
  const file = path.join(dir, "api.json");
  if (fs.existsSync(file))
    return JSON.parse(fs.readFileSync(file, "utf8")) as { pki: SimulatedApiPki; port: number };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { pki: makePki(), port: 0 };
}

function listen(server: https.Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
}

/** Starts the simulated API on loopback (the port of the last run when it is free, else any). */
export async function startSimulatedApi(dir: string): Promise<SimulatedApi> {
  const saved = stored(dir);
  const requests: { path: string; client: string }[] = [];
  const server = https.createServer(
    {
      cert: saved.pki.serverCert,
      key: saved.pki.serverKey,
      ca: saved.pki.clientCaCert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      requests.push({ path: req.url ?? "", client: String(peer.subject?.CN) });
      // What the simulated cluster was asked, for whoever wonders what a run did (and for the tests).
      fs.appendFileSync(
        path.join(dir, "requests.log"),
        `${new Date().toISOString()} ${req.method ?? "?"} ${req.url ?? ""} ${String(peer.subject?.CN)}\n`,
      );
      if (req.url === "/readyz") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
        return;
      }
      // Everything else is not there, as the API answers it: a node drain (components/kube/drain.ts)
      // then finds no Node to cordon, and is done.
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          message: "not found: a simulated cluster has no objects",
          reason: "NotFound",
          code: 404,
        }),
      );
    },
  );
  if (saved.port === 0 || !(await listen(server, saved.port))) await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  fs.writeFileSync(path.join(dir, "api.json"), JSON.stringify({ pki: saved.pki, port }), { mode: 0o600 });
  return {
    url: `https://127.0.0.1:${port}`,
    pki: saved.pki,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The gate's agent may keep an idle connection open; close() alone would wait for it.
        server.closeAllConnections();
      }),
  };
}
