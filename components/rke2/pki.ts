/**
 * The cluster PKI RKE2 accepts as "custom CA certificates": the CAs and the service-account key that RKE2
 * would otherwise generate on its first server, plus an admin client certificate signed by the client CA,
 * so that the program knows a working kubeconfig before the cluster exists (docs/adr/0002).
 *
 * Generation is random by nature and runs once, inside the ClusterPki dynamic provider; everything that
 * only formats (file layout, join tokens, kubeconfig) is pure and tested on its own.
 */
import * as crypto from "crypto";
import * as forge from "node-forge";
import { stringify } from "yaml";

/** RKE2's data directory for server certificates; custom CA files must be here before RKE2 first starts. */
export const RKE2_SERVER_TLS_DIR = "/var/lib/rancher/rke2/server/tls";

/** A certificate and its private key, PEM (LF line endings). */
export interface KeyPairPem {
  readonly cert: string;
  readonly key: string;
}

/** Everything generated once per cluster. */
export interface ClusterPkiMaterial {
  readonly serverCa: KeyPairPem;
  readonly clientCa: KeyPairPem;
  readonly requestHeaderCa: KeyPairPem;
  readonly etcdServerCa: KeyPairPem;
  readonly etcdPeerCa: KeyPairPem;
  /** RSA key that signs service-account tokens (`service.key`). */
  readonly serviceAccountKey: string;
  /** Client certificate with O=system:masters, signed by the client CA. */
  readonly admin: KeyPairPem;
  /** Secret half of the server join token. */
  readonly serverTokenSecret: string;
  /** Secret half of the agent join token. */
  readonly agentTokenSecret: string;
}

export interface PkiValidity {
  /** Lifetime of the CAs. */
  readonly caValidityDays: number;
  /** Lifetime of the admin client certificate. */
  readonly adminValidityDays: number;
}

const RSA_BITS = 2048;
const DAY_MS = 24 * 60 * 60 * 1000;

/** forge writes CRLF; RKE2 hashes the CA file's bytes, so one canonical form everywhere. */
function lf(pem: string): string {
  return pem.replace(/\r\n/g, "\n");
}

/**
 * Subject attributes as UTF8String. forge writes PrintableString by default, which cannot hold the '@' in
 * RKE2's CA names: Go's parser (crypto/x509/parser.go `isPrintable`, go1.26) rejects such a certificate
 * ("x509: invalid RDNSequence: invalid attribute value: invalid PrintableString"), so RKE2 and the
 * kube-apiserver would refuse the CA files. Go itself writes UTF8String for a value that is not printable.
 */
function utf8(fields: { name: string; value: string }[]): forge.pki.CertificateField[] {
  return fields.map((f) => ({ ...f, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class }));
}

/** A positive random serial (high bit clear, so DER does not read it as negative). */
function serialNumber(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

function certificate(
  subject: forge.pki.CertificateField[],
  publicKey: forge.pki.PublicKey,
  validityDays: number,
  now: Date,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  // Back-dated a little so that nodes whose clocks lag the program's machine accept it at once.
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  cert.setSubject(subject);
  return cert;
}

/** A self-signed CA, named like RKE2's own (`rke2-server-ca@<unix seconds>`). */
export function generateCa(commonName: string, validityDays: number, now: Date): KeyPairPem {
  const keys = forge.pki.rsa.generateKeyPair({ bits: RSA_BITS });
  const subject = utf8([{ name: "commonName", value: `${commonName}@${Math.floor(now.getTime() / 1000)}` }]);
  const cert = certificate(subject, keys.publicKey, validityDays, now);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: lf(forge.pki.certificateToPem(cert)), key: lf(forge.pki.privateKeyToPem(keys.privateKey)) };
}

/** A client certificate (`CN=<cn>, O=<group>`) signed by `ca`. */
export function issueClientCertificate(
  ca: KeyPairPem,
  commonName: string,
  organisation: string,
  validityDays: number,
  now: Date,
): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = forge.pki.rsa.generateKeyPair({ bits: RSA_BITS });
  const subject = utf8([
    { name: "organizationName", value: organisation },
    { name: "commonName", value: commonName },
  ]);
  const cert = certificate(subject, keys.publicKey, validityDays, now);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: lf(forge.pki.certificateToPem(cert)), key: lf(forge.pki.privateKeyToPem(keys.privateKey)) };
}

/** The admin identity: RKE2's apiserver maps O=system:masters to cluster-admin. */
export const ADMIN_COMMON_NAME = "xcluster-admin";
export const ADMIN_ORGANISATION = "system:masters";

/** Generates the whole PKI and both token secrets. */
export function generateClusterPki(validity: PkiValidity, now: Date): ClusterPkiMaterial {
  const clientCa = generateCa("rke2-client-ca", validity.caValidityDays, now);
  return {
    serverCa: generateCa("rke2-server-ca", validity.caValidityDays, now),
    clientCa,
    requestHeaderCa: generateCa("rke2-request-header-ca", validity.caValidityDays, now),
    etcdServerCa: generateCa("etcd-server-ca", validity.caValidityDays, now),
    etcdPeerCa: generateCa("etcd-peer-ca", validity.caValidityDays, now),
    serviceAccountKey: lf(
      forge.pki.privateKeyToPem(forge.pki.rsa.generateKeyPair({ bits: RSA_BITS }).privateKey),
    ),
    admin: issueClientCertificate(
      clientCa,
      ADMIN_COMMON_NAME,
      ADMIN_ORGANISATION,
      validity.adminValidityDays,
      now,
    ),
    serverTokenSecret: crypto.randomBytes(32).toString("hex"),
    agentTokenSecret: crypto.randomBytes(32).toString("hex"),
  };
}

/** sha256 of the server CA bundle as RKE2 serves it on `/cacerts`: the pin inside a secure join token. */
export function caHash(serverCaCertPem: string): string {
  return crypto.createHash("sha256").update(serverCaCertPem).digest("hex");
}

/**
 * RKE2's secure token format `K10<ca-hash>::<user>:<secret>` (hash from `caHash`): a joining node refuses a server whose CA
 * does not match the hash, so the registration address cannot be impersonated.
 */
export function joinToken(serverCaHash: string, user: "server" | "node", secret: string): string {
  return `K10${serverCaHash}::${user}:${secret}`;
}

/** A file for the first server's write_files: path, content, mode. */
export interface TlsFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: "0600" | "0644";
}

/** The files RKE2 reads as custom CAs, at the paths it expects them. */
export function serverTlsFiles(
  m: Pick<
    ClusterPkiMaterial,
    "serverCa" | "clientCa" | "requestHeaderCa" | "etcdServerCa" | "etcdPeerCa" | "serviceAccountKey"
  >,
): TlsFile[] {
  const pair = (name: string, p: KeyPairPem): TlsFile[] => [
    { path: `${RKE2_SERVER_TLS_DIR}/${name}.crt`, content: p.cert, permissions: "0644" },
    { path: `${RKE2_SERVER_TLS_DIR}/${name}.key`, content: p.key, permissions: "0600" },
  ];
  return [
    ...pair("server-ca", m.serverCa),
    ...pair("client-ca", m.clientCa),
    ...pair("request-header-ca", m.requestHeaderCa),
    ...pair("etcd/server-ca", m.etcdServerCa),
    ...pair("etcd/peer-ca", m.etcdPeerCa),
    { path: `${RKE2_SERVER_TLS_DIR}/service.key`, content: m.serviceAccountKey, permissions: "0600" },
  ];
}

export interface KubeconfigInput {
  /** Context, cluster and user name. */
  readonly clusterName: string;
  /** `https://<endpoint>:6443`. */
  readonly serverUrl: string;
  readonly serverCaCert: string;
  readonly admin: KeyPairPem;
}

function b64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}

/** An admin kubeconfig (certificate authentication, no tokens). */
export function renderKubeconfig(k: KubeconfigInput): string {
  const user = `${k.clusterName}-admin`;
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: k.clusterName,
          cluster: { server: k.serverUrl, "certificate-authority-data": b64(k.serverCaCert) },
        },
      ],
      users: [
        {
          name: user,
          user: { "client-certificate-data": b64(k.admin.cert), "client-key-data": b64(k.admin.key) },
        },
      ],
      contexts: [{ name: k.clusterName, context: { cluster: k.clusterName, user } }],
      "current-context": k.clusterName,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}
