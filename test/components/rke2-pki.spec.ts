import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as forge from "node-forge";
import { parse } from "yaml";
import {
  ADMIN_ORGANISATION,
  ClusterPkiMaterial,
  RKE2_SERVER_TLS_DIR,
  caHash,
  generateClusterPki,
  joinToken,
  renderKubeconfig,
  serverTlsFiles,
} from "../../components/rke2/pki";
import { CLUSTER_PKI_SECRET_OUTPUTS, CLUSTER_PKI_TOKEN, ClusterPki } from "../../components/cluster-pki";
import { runUnderMocks, unwrap } from "../support/pulumi";

const NOW = new Date("2025-06-01T00:00:00Z");

function cert(pem: string): forge.pki.Certificate {
  return forge.pki.certificateFromPem(pem);
}

function keyMatches(certPem: string, keyPem: string): boolean {
  const pub = cert(certPem).publicKey as forge.pki.rsa.PublicKey;
  const priv = forge.pki.privateKeyFromPem(keyPem);
  return pub.n.equals(priv.n);
}

/** The dynamic provider exactly as the engine would run it: deserialised from the registered inputs. */
async function serializedProvider(): Promise<{
  create(i: object): Promise<{ id: string; outs: Record<string, string> }>;
  diff(id: string, o: object, n: object): Promise<{ changes: boolean; replaces: string[] }>;
  update(id: string, o: object, n: object): Promise<{ outs: Record<string, string> }>;
}> {
  const run = await runUnderMocks(() => new ClusterPki("c-pki"));
  const text = run.resources.find((r) => r.type === CLUSTER_PKI_TOKEN)?.inputs["__provider"];
  assert.equal(typeof text, "string");
  const mod: { exports: { handler?: () => unknown } } = { exports: {} };
  new Function("module", "exports", "require", text as string)(mod, mod.exports, require);
  return mod.exports.handler?.() as Awaited<ReturnType<typeof serializedProvider>>;
}

describe("cluster PKI", function () {
  this.timeout(60_000);
  let m: ClusterPkiMaterial;
  before(() => {
    m = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, NOW);
  });

  it("generates five self-signed CAs whose keys match, valid for the requested lifetime", () => {
    for (const ca of [m.serverCa, m.clientCa, m.requestHeaderCa, m.etcdServerCa, m.etcdPeerCa]) {
      const c = cert(ca.cert);
      assert.ok(c.verify(c), "self-signed");
      assert.equal((c.getExtension("basicConstraints") as { cA: boolean }).cA, true);
      assert.ok(keyMatches(ca.cert, ca.key));
      const days = (c.validity.notAfter.getTime() - NOW.getTime()) / 86_400_000;
      assert.equal(Math.round(days), 3650);
    }
    const names = [m.serverCa, m.clientCa, m.etcdPeerCa].map(
      (p) => cert(p.cert).subject.getField("CN").value,
    );
    assert.match(names[0], /^rke2-server-ca@\d+$/);
    assert.match(names[1], /^rke2-client-ca@\d+$/);
    assert.match(names[2], /^etcd-peer-ca@\d+$/);
  });

  it("issues the admin certificate from the client CA with O=system:masters for client auth only", () => {
    const admin = cert(m.admin.cert);
    assert.ok(cert(m.clientCa.cert).verify(admin), "signed by the client CA");
    assert.throws(() => cert(m.serverCa.cert).verify(admin));
    assert.equal(admin.subject.getField("O").value, ADMIN_ORGANISATION);
    assert.equal((admin.getExtension("basicConstraints") as { cA: boolean }).cA, false);
    assert.equal((admin.getExtension("extKeyUsage") as { clientAuth: boolean }).clientAuth, true);
    assert.ok(keyMatches(m.admin.cert, m.admin.key));
  });

  it("writes PEM with LF line endings (RKE2 pins the CA file's exact bytes)", () => {
    assert.doesNotMatch(m.serverCa.cert + m.admin.key + m.serviceAccountKey, /\r/);
  });

  it("pins join tokens to the sha256 of the server CA file", () => {
    const hash = caHash(m.serverCa.cert);
    assert.equal(hash, crypto.createHash("sha256").update(m.serverCa.cert).digest("hex"));
    assert.match(joinToken(hash, "node", m.agentTokenSecret), /^K10[0-9a-f]{64}::node:[0-9a-f]{64}$/);
    assert.notEqual(m.serverTokenSecret, m.agentTokenSecret);
  });

  it("lays out exactly the files RKE2 reads as custom CAs", () => {
    const files = serverTlsFiles(m);
    assert.deepEqual(files.map((f) => f.path.replace(`${RKE2_SERVER_TLS_DIR}/`, "")).sort(), [
      "client-ca.crt",
      "client-ca.key",
      "etcd/peer-ca.crt",
      "etcd/peer-ca.key",
      "etcd/server-ca.crt",
      "etcd/server-ca.key",
      "request-header-ca.crt",
      "request-header-ca.key",
      "server-ca.crt",
      "server-ca.key",
      "service.key",
    ]);
    for (const f of files) assert.equal(f.permissions, f.path.endsWith(".key") ? "0600" : "0644", f.path);
  });

  it("renders an admin kubeconfig that trusts the server CA and authenticates with the admin certificate", () => {
    const k = parse(
      renderKubeconfig({
        clusterName: "c1",
        serverUrl: "https://203.0.113.5:6443",
        serverCaCert: m.serverCa.cert,
        admin: m.admin,
      }),
    );
    const decode = (s: string): string => Buffer.from(s, "base64").toString("utf8");
    assert.equal(k["current-context"], "c1");
    assert.equal(k.clusters[0].cluster.server, "https://203.0.113.5:6443");
    assert.equal(decode(k.clusters[0].cluster["certificate-authority-data"]), m.serverCa.cert);
    assert.equal(decode(k.users[0].user["client-certificate-data"]), m.admin.cert);
    assert.equal(decode(k.users[0].user["client-key-data"]), m.admin.key);
    assert.deepEqual(k.contexts[0].context, { cluster: "c1", user: "c1-admin" });
  });
});

describe("ClusterPki dynamic resource", function () {
  this.timeout(120_000);

  it("registers under its own type token and marks every key and token secret as a secret output", async () => {
    const run = await runUnderMocks(() => new ClusterPki("c-pki"));
    const r = run.resources.filter((x) => x.type === CLUSTER_PKI_TOKEN);
    assert.equal(r.length, 1);
    assert.deepEqual([...CLUSTER_PKI_SECRET_OUTPUTS].sort(), [
      "adminKey",
      "agentTokenSecret",
      "clientCaKey",
      "etcdPeerCaKey",
      "etcdServerCaKey",
      "requestHeaderCaKey",
      "serverCaKey",
      "serverTokenSecret",
      "serviceAccountKey",
    ]);
    assert.match(await unwrap(run.result.serverCaCert), /FAKE/, "offline values are visibly fake");
  });

  it("creates real material when its serialised provider runs, and rotation re-issues only the admin certificate", async () => {
    const provider = await serializedProvider();
    const inputs = { caValidityDays: 3650, adminValidityDays: 365, adminCertificateGeneration: "1" };
    const created = await provider.create(inputs);
    const outs = created.outs;
    assert.equal(outs["caHash"], caHash(outs["serverCaCert"] as string));
    assert.ok(cert(outs["clientCaCert"] as string).verify(cert(outs["adminCert"] as string)));

    const rotated = { ...inputs, adminCertificateGeneration: "2" };
    const diff = await provider.diff(created.id, outs, rotated);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, [], "nothing may ever replace the CAs");
    const updated = (await provider.update(created.id, outs, rotated)).outs;
    assert.equal(updated["serverCaKey"], outs["serverCaKey"]);
    assert.equal(updated["serverTokenSecret"], outs["serverTokenSecret"]);
    assert.notEqual(updated["adminCert"], outs["adminCert"]);
    assert.ok(cert(outs["clientCaCert"] as string).verify(cert(updated["adminCert"] as string)));

    const unchanged = await provider.diff(created.id, updated, rotated);
    assert.equal(unchanged.changes, false);
  });
});
