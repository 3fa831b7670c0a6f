/**
 * Resource inputs in the plan report (issue 14, item 8). Tier: pure (the masking of what the mocks
 * received, in the RPC wire form `@pulumi/pulumi` deserialises secrets to).
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { reportInputs, SECRET_MASK } from "../../plan/report-inputs";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const wire = (value: unknown) => ({ [SIG]: SECRET, value });
const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

describe("plan report inputs (pure)", () => {
  it("masks what the program made a Pulumi secret, at any depth, whatever its type", () => {
    const got = reportInputs({
      kubeconfig: wire("apiVersion: v1\nusers: [...]"),
      nested: { list: [1, wire({ token: "t" })], port: wire(6443) },
    });
    assert.deepEqual(got, { kubeconfig: SECRET_MASK, nested: { list: [1, SECRET_MASK], port: SECRET_MASK } });
  });

  it("masks literals the secret detector recognises: by key name, by the name beside a value, by shape", () => {
    const got = reportInputs({
      values: {
        hub: { config: { GenericOAuthenticator: { client_secret: "hunter2-but-longer" } } },
        env: [
          { name: "DB_PASSWORD", value: "s3cr3t-value" },
          { name: "LOG_LEVEL", value: "debug" },
        ],
        extraArgs: ["--verbose", `--key=${AWS_KEY}`],
        annotations: { "example.org/token-check": JWT },
      },
    });
    assert.deepEqual(got, {
      values: {
        annotations: { "example.org/token-check": SECRET_MASK },
        env: [
          { name: "DB_PASSWORD", value: SECRET_MASK },
          { name: "LOG_LEVEL", value: "debug" },
        ],
        extraArgs: ["--verbose", SECRET_MASK],
        hub: { config: { GenericOAuthenticator: { client_secret: SECRET_MASK } } },
      },
    });
  });

  it("keeps the detector's look-alikes: a password policy, a checksum, a public certificate, a secret's name", () => {
    const inputs = {
      passwordPolicy: "min-length-12",
      checksum: "4246ba0881642ebfe0b56d3ff81aafe80169bfaeea1c86bf56b9dc6b76f28dc1",
      caBundle: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
      existingSecret: "jhub-oauth",
      labels: { "pod-security.kubernetes.io/enforce": "restricted" },
    };
    assert.deepEqual(reportInputs(inputs), inputs);
  });

  it("names assets and resource references by kind and replaces a dynamic provider's code", () => {
    const got = reportInputs({
      file: new pulumi.asset.StringAsset("data"),
      __provider: "exports.handler = __f0; // captured closure",
      unset: undefined,
    });
    assert.deepEqual(got, { __provider: "[dynamic provider]", file: "[StringAsset]" });
  });

  it("sorts keys, so that reports compare byte for byte", () => {
    assert.deepEqual(Object.keys(reportInputs({ b: 1, a: { d: 1, c: 2 } })), ["a", "b"]);
    assert.deepEqual(Object.keys(reportInputs({ a: { d: 1, c: 2 } })["a"] as object), ["c", "d"]);
  });
});
