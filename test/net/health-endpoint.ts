/**
 * A tiny stand-in for the local health endpoint a keepalived check script asks (RKE2's supervisor `/ping`
 * over TLS on 9345, ingress-nginx's `/healthz` on 10254), run inside a node's namespace on its own
 * 127.0.0.1, so that the real rendered check script runs unchanged. The test switches it between answering
 * healthy, answering 503, and accepting connections without ever answering (a hung service).
 *
 * This is the one stand-in of the tier: RKE2 and ingress-nginx cannot run here; what keepalived's script
 * sees of them (a port on loopback answering an HTTP(S) GET) is what this serves.
 */
import * as fs from "fs";
import * as path from "path";
import { NetNode, NetSandbox, run } from "./netns";

/**
 * `ok`: 200 on the endpoint's path; `unauthorized`: 401 to every request, as RKE2's kube-apiserver answers an
 * unauthenticated client (anonymous auth off); `fail`: 503; `hang`: accepts and never answers.
 */
export type HealthMode = "ok" | "unauthorized" | "fail" | "hang";

export interface HealthEndpoint {
  readonly url: string;
  set(mode: HealthMode): void;
}

const SERVER = `
const fs = require("fs");
const [scheme, port, pathName, modeFile, key, cert] = process.argv.slice(2);
const handler = (req, res) => {
  let mode = "fail";
  try { mode = fs.readFileSync(modeFile, "utf8").trim(); } catch {}
  if (mode === "hang") return; // accept, never answer
  if (mode === "unauthorized") { res.statusCode = 401; return res.end("Unauthorized"); }
  const ok = mode === "ok" && req.url === pathName;
  res.statusCode = ok ? 200 : 503;
  res.end(ok ? "pong" : "unhealthy");
};
const server = scheme === "https"
  ? require("https").createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, handler)
  : require("http").createServer(handler);
server.listen(Number(port), "127.0.0.1");
`;

/**
 * A CA standing in for the cluster's server CA, and a serving certificate it signed for 127.0.0.1, as
 * RKE2's supervisor has (see RKE2_SERVER_CA_PATH in components/keepalived/render.ts). Made once per sandbox.
 */
export function serverCa(sandbox: NetSandbox, name = "server"): { ca: string; key: string; cert: string } {
  const file = (f: string) => path.join(sandbox.dir, `${name}-${f}`);
  const [ca, caKey, key, csr, cert, ext] = [
    "ca.crt",
    "ca.key",
    "srv.key",
    "srv.csr",
    "srv.crt",
    "srv.ext",
  ].map(file);
  if (!fs.existsSync(cert as string)) {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run("openssl", [
      "req",
      "-x509",
      ...ec,
      "-days",
      "1",
      "-subj",
      "/CN=xcka-server-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign",
      "-keyout",
      caKey!,
      "-out",
      ca!,
    ]);
    run("openssl", ["req", ...ec, "-subj", "/CN=rke2", "-keyout", key!, "-out", csr!]);
    fs.writeFileSync(ext!, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    run("openssl", [
      "x509",
      "-req",
      "-in",
      csr!,
      "-CA",
      ca!,
      "-CAkey",
      caKey!,
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      ext!,
      "-out",
      cert!,
    ]);
  }
  return { ca: ca!, key: key!, cert: cert! };
}

/** Starts the endpoint for `url` (http or https, 127.0.0.1) in the node's namespace, in `mode`. */
export function startHealthEndpoint(
  sandbox: NetSandbox,
  node: NetNode,
  url: string,
  mode: HealthMode,
): HealthEndpoint {
  const u = new URL(url);
  const script = path.join(sandbox.dir, "health-server.js");
  if (!fs.existsSync(script)) fs.writeFileSync(script, SERVER);
  const { key, cert } = serverCa(sandbox);
  const modeFile = path.join(node.dir, `health-${u.port}.mode`);
  const set = (m: HealthMode) => fs.writeFileSync(modeFile, `${m}\n`);
  set(mode);
  sandbox.start(
    node,
    [process.execPath, script, u.protocol.replace(":", ""), u.port, u.pathname, modeFile, key, cert],
    path.join(node.dir, `health-${u.port}.log`),
  );
  return { url, set };
}
