/**
 * The shared secret detector (policy/lib/secrets.ts) on a corpus: credentials as users write them, and
 * look-alikes that must pass. Tier: pure functions. The credentials here are made up (random or the
 * vendors' documented examples), never real ones.
 */
import * as assert from "assert";
import { findSecrets, highEntropyTokens, isSecretKeyName, secretShapes } from "../../policy/lib/secrets";

// AWS's documented example key pair (docs: "Managing access keys for IAM users").
const AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const AWS_STS_KEY_ID = "ASIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
// jwt.io's example token (HS256, payload {"sub":"1234567890","name":"John Doe","iat":1516239022}).
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const RSA_KEY =
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----\n";
const OPENSSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
const PGP_KEY = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF0\n-----END PGP PRIVATE KEY BLOCK-----\n";
// A public certificate: base64 lines of high entropy, but public.
const CERT =
  "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\nRTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD\n-----END CERTIFICATE-----\n";
const RANDOM_TOKEN = "q8Zr2VbN4xK7pLm1TfW9cY3hJd6GsE0aUo5Rk"; // 37 chars, mixed, random
const SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("secret detector (pure): corpus", () => {
  describe("key names", () => {
    for (const k of [
      "password",
      "adminPassword",
      "DB_PASSWORD",
      "postgres-password",
      "client_secret",
      "clientSecret",
      "apiKey",
      "api_key",
      "API-KEY",
      "privateKey",
      "AWS_SECRET_ACCESS_KEY",
      "accessKey",
      "authToken",
      "GITHUB_TOKEN",
      "credentials",
      "passphrase",
      "encryptionKey",
    ])
      it(`recognises ${k} as naming a secret`, () => assert.ok(isSecretKeyName(k)));
    for (const k of [
      "passwordPolicy",
      "passwordMinLength",
      "tokenTTL",
      "tokenTtlSeconds",
      "secretName",
      "existingSecret",
      "passwordSecretRef",
      "secretKeyRef",
      "tokenFile",
      "tokenPath",
      "proxyBypass",
      "key",
      "keyring",
      "monkey",
      "sshPublicKeyPath",
      "publicKey",
    ])
      it(`accepts the look-alike key ${k}`, () => assert.ok(!isSecretKeyName(k)));
  });

  describe("shapes", () => {
    const positives: [string, string, string][] = [
      ["an AWS access key ID", AWS_KEY_ID, "AWS access key ID"],
      ["an AWS STS key ID", `id ${AWS_STS_KEY_ID} in text`, "AWS access key ID"],
      ["a PKCS#1 RSA key", RSA_KEY, "private key"],
      ["an OpenSSH key", OPENSSH_KEY, "private key"],
      ["a PGP private key block", PGP_KEY, "private key"],
      ["a JWT", JWT, "JWT"],
      ["a JWT inside a header value", `Bearer ${JWT}`, "JWT"],
      ["an AWS secret access key alone", AWS_SECRET, "high-entropy string"],
      ["a random token", RANDOM_TOKEN, "high-entropy string"],
      ["a random token in a flag", `--auth=${RANDOM_TOKEN}`, "high-entropy string"],
    ];
    for (const [what, value, label] of positives)
      it(`finds ${what}`, () => assert.ok(secretShapes(value).includes(label), secretShapes(value).join()));

    const lookAlikes: [string, string][] = [
      ["a public certificate", CERT],
      ["a sha256 checksum", SHA256],
      ["a sha256 digest reference", `sha256:${SHA256}`],
      ["an image with a digest", `quay.io/jupyter/scipy-notebook@sha256:${SHA256}`],
      ["a UUID", "6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b"],
      ["a URL", "https://sso.platform.example.org/realms/platform/protocol/openid-connect/auth"],
      ["a long path", "/var/lib/rancher/rke2/server/tls/client-ca.crt"],
      ["a long identifier", "ecmwfAiPlatformIngressControllerLeaderElection2"],
      ["a sentence", "The quick brown fox jumps over the lazy dog 1234567890 times"],
      ["a kebab-case name", "openstack-cloud-controller-manager-leader-election"],
      ["a 20-character key ID shape in lower case", "akiaiosfodnn7example"],
    ];
    for (const [what, value] of lookAlikes)
      it(`accepts ${what}`, () => assert.deepStrictEqual(secretShapes(value), []));

    it("judges only tokens of 32 characters or more by entropy", () => {
      assert.deepStrictEqual(highEntropyTokens(RANDOM_TOKEN.slice(0, 31)), []);
      assert.deepStrictEqual(highEntropyTokens(RANDOM_TOKEN.slice(0, 32)), [RANDOM_TOKEN.slice(0, 32)]);
    });
  });

  describe("structured values", () => {
    it("finds a secret by the name beside its value in an env list, and by its shape under any key", () => {
      const values = {
        env: [
          { name: "LOG_LEVEL", value: "debug" },
          { name: "DB_PASSWORD", value: "hunter2" },
          { name: "PASSWORD_POLICY", value: "strict" },
          { name: "FROM_SECRET", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        ],
        extra: { notes: AWS_KEY_ID, session: JWT, checksum: SHA256, ca: CERT },
        auth: { passwordPolicy: "min-12", password: "${DB_PASSWORD}", adminPassword: "s3cr3t!" },
      };
      assert.deepStrictEqual(findSecrets(values, "values"), [
        { path: "values.env[1].value", what: "holds a literal secret (named DB_PASSWORD)" },
        { path: "values.extra.notes", what: "contains AWS access key ID" },
        { path: "values.extra.session", what: "contains JWT" },
        { path: "values.auth.adminPassword", what: "holds a literal secret" },
      ]);
    });

    it("never puts the secret itself in what it returns", () => {
      const found = findSecrets({ env: [{ name: "API_TOKEN", value: RANDOM_TOKEN }], k: AWS_SECRET }, "v");
      assert.strictEqual(found.length, 2);
      assert.ok(
        found.every(
          (f) => !JSON.stringify(f).includes(RANDOM_TOKEN) && !JSON.stringify(f).includes(AWS_SECRET),
        ),
      );
    });
  });
});
