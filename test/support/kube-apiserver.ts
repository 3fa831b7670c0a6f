/**
 * A real kube-apiserver (and its etcd) for tests: the binaries `scripts/setup-kube-apiserver.sh` builds
 * from Go modules (ADR 0012), started on loopback with free ports in the test's own temporary folder,
 * with the cluster PKI xcluster generates (components/rke2/pki.ts). Nothing listens beyond 127.0.0.1.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as forge from "node-forge";
import type { ClusterPkiMaterial, KeyPairPem } from "../../components/rke2/pki";
import { REPO_ROOT } from "./spec-files";
import { skipTier } from "./tiers";

export const KUBE_VERSION = "1.33.13";

/** The bin directory with kube-apiserver and etcd, or undefined (the caller skips and says why). */
export function kubeToolsDir(): string | undefined {
  const dir = process.env["XCLUSTER_KUBE_TOOLS"] ?? path.join(REPO_ROOT, ".kube-tools", KUBE_VERSION, "bin");
  const ok = ["kube-apiserver", "etcd"].every((b) => fs.existsSync(path.join(dir, b)));
  return ok ? dir : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The apiserver's serving certificate, signed by the server CA, for 127.0.0.1 (RKE2 issues this one
 * itself on the node; here the test plays that part).
 */
function servingCertificate(serverCa: KeyPairPem): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(serverCa.cert);
  const caKey = forge.pki.privateKeyFromPem(serverCa.key);
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: "commonName", value: "kube-apiserver" }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly dir: string;
  /** GET with a client identity, trusting only the server CA; resolves to status and body. */
  get(pathname: string, client: KeyPairPem): Promise<{ status: number; body: string }>;
  /** Any method with a JSON body (POST, PUT, DELETE), same trust; resolves to status and body. */
  send(
    method: string,
    pathname: string,
    body: unknown,
    client: KeyPairPem,
  ): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

function stopProcess(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once("exit", () => resolve());
    p.kill("SIGTERM");
  });
}

/** Starts etcd and kube-apiserver; resolves once `/readyz` answers ok (bounded by `timeoutMs`). */
export async function startKubeApiServer(
  bin: string,
  pki: ClusterPkiMaterial,
  timeoutMs = 60_000,
): Promise<KubeApiServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-kube-"));
  const file = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content, { mode: 0o600 });
    return path.join(dir, name);
  };
  const serving = servingCertificate(pki.serverCa);
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  const log = (name: string) => fs.openSync(path.join(dir, `${name}.log`), "w");
  const etcd = spawn(
    path.join(bin, "etcd"),
    [
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
    ],
    { stdio: ["ignore", log("etcd"), log("etcd-err")] },
  );
  const apiserver = spawn(
    path.join(bin, "kube-apiserver"),
    [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(dir, "certs")}`,
      `--tls-cert-file=${file("serving.crt", serving.cert)}`,
      `--tls-private-key-file=${file("serving.key", serving.key)}`,
      `--client-ca-file=${file("client-ca.crt", pki.clientCa.cert)}`,
      // As RKE2 runs it (k3s pkg/daemons/control/server.go on the 1.33 line, cluster domain cluster.local).
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--api-audiences=https://kubernetes.default.svc.cluster.local,rke2",
      `--service-account-key-file=${file("service.key", pki.serviceAccountKey)}`,
      `--service-account-signing-key-file=${path.join(dir, "service.key")}`,
      "--authorization-mode=RBAC",
      // RKE2's default service CIDR (spec/defaults.ts).
      "--service-cluster-ip-range=10.43.0.0/16",
    ],
    { stdio: ["ignore", log("kube-apiserver"), log("kube-apiserver-err")] },
  );
  const url = `https://127.0.0.1:${apiPort}`;
  const get = (pathname: string, client: KeyPairPem) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.get(
        `${url}${pathname}`,
        { ca: pki.serverCa.cert, cert: client.cert, key: client.key, timeout: 5000 },
        (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.on("timeout", () => req.destroy(new Error("timeout")));
    });
  const send = (method: string, pathname: string, body: unknown, client: KeyPairPem) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = https.request(
        `${url}${pathname}`,
        {
          method,
          ca: pki.serverCa.cert,
          cert: client.cert,
          key: client.key,
          timeout: 10_000,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.end(payload);
    });
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await get("/readyz", pki.admin).catch(() => undefined);
    if (ready?.status === 200 && ready.body === "ok") return { url, dir, get, send, stop };
    if (apiserver.exitCode !== null || Date.now() > deadline) {
      const tail = fs.readFileSync(path.join(dir, "kube-apiserver-err.log"), "utf8").split("\n").slice(-15);
      await stop();
      throw new Error(`kube-apiserver did not become ready:\n${tail.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The real API-server tier's start in a suite's `before`: the cached build in .kube-tools, or the tier
 * skips (and fails where it must run: `XCLUSTER_REAL_ENGINE=required`, as .ci/run sets it).
 */
export async function startKubeApiServerOrSkip(
  ctx: Mocha.Context,
  pki: ClusterPkiMaterial,
): Promise<KubeApiServer> {
  const bin = kubeToolsDir();
  if (bin === undefined)
    skipTier(
      ctx,
      "kube-apiserver",
      "no cached kube-apiserver/etcd build in .kube-tools",
      "real-engine-required",
    );
  return startKubeApiServer(bin, pki);
}
