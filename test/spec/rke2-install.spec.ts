/** Tier: pure (the spec loader on files written to a temporary directory). The environment's `rke2Install`. */
import { strict as assert } from "assert";
import { baseCluster, baseEnvironment, loadFiles } from "../support/spec-files";

function load(install: Record<string, unknown>) {
  return loadFiles({
    "environment.yaml": baseEnvironment({ rke2Install: install }),
    "c1.yaml": baseCluster(),
  });
}

describe("environment rke2Install (mirrors and air-gapped installs)", () => {
  it("defaults to RKE2's own installer and the GitHub releases, with no mirrors", () => {
    const r = load({});
    assert.deepEqual(r.messages, []);
    assert.deepEqual(r.clusters[0]?.rke2.install, {
      installerUrl: "https://get.rke2.io",
      installerSha256: undefined,
      artifacts: { mode: "online" },
      attempts: 5,
      systemDefaultRegistry: "",
      registryMirrors: {},
      registryCredentials: {},
    });
  });

  const VAULT = {
    enabled: true,
    address: "https://vault.example.org:8200",
    kvMount: "secret",
    openstackCredentialPath: "platform/prod/openstack",
    awsCredentialPath: "platform/prod/route53",
    sshPublicKeyPath: "platform/prod/ssh",
    clusterPathPrefix: "clusters/prod",
  };

  it("resolves registry credentials as Vault KV paths per registry host, never as values", () => {
    const r = loadFiles({
      "environment.yaml": baseEnvironment({
        vault: VAULT,
        rke2Install: {
          registryMirrors: { "docker.io": ["https://registry.example.org:5000/v2/docker.io"] },
          registryCredentials: { "registry.example.org:5000": "platform/prod/registry" },
        },
      }),
      "c1.yaml": baseCluster(),
    });
    assert.deepEqual(r.messages, []);
    assert.deepEqual(r.clusters[0]?.rke2.install.registryCredentials, {
      "registry.example.org:5000": "platform/prod/registry",
    });
  });

  it("rejects registry credentials in an environment without Vault, at the registry's key", () => {
    const r = load({ registryCredentials: { "registry.example.org": "platform/registry" } });
    assert.equal(r.messages.length, 1);
    assert.match(
      r.messages[0] ?? "",
      /^environment\.yaml:\d+:\d+: spec\.rke2Install\.registryCredentials\.registry\.example\.org: registry credentials come from Vault, which this environment does not enable/,
    );
  });

  it("resolves an air-gapped install, a pinned installer, a default registry and mirrors", () => {
    const r = load({
      installerSha256: "a".repeat(64),
      artifactPath: "/opt/rke2-artifacts",
      systemDefaultRegistry: "registry.example.org:5000",
      registryMirrors: { "docker.io": ["https://registry.example.org:5000/v2/docker.io"] },
    });
    assert.deepEqual(r.messages, []);
    const install = r.clusters[0]?.rke2.install;
    assert.deepEqual(install?.artifacts, { mode: "airgap", path: "/opt/rke2-artifacts" });
    assert.equal(install?.systemDefaultRegistry, "registry.example.org:5000");
    assert.deepEqual(install?.registryMirrors, {
      "docker.io": ["https://registry.example.org:5000/v2/docker.io"],
    });
  });

  it("rejects an artifact mirror and an air-gapped path together, at the path's position", () => {
    const r = load({ artifactUrl: "https://mirror.example.org/rke2", artifactPath: "/opt/rke2" });
    assert.equal(r.messages.length, 1);
    assert.match(
      r.messages[0] ?? "",
      /^environment\.yaml:\d+:\d+: spec\.rke2Install\.artifactPath: an air-gapped artifact path and an artifact mirror URL exclude each other \(got both; allowed: artifactPath or artifactUrl\)$/,
    );
  });

  it("rejects plain-http URLs, a malformed checksum and a relative path, each with its field", () => {
    const r = load({
      installerUrl: "http://get.rke2.io",
      installerSha256: "xyz",
      artifactPath: "opt/rke2",
      registryMirrors: { "docker.io": ["http://mirror"] },
    });
    const fields = r.messages.map((m) => m.split(": ")[1]).sort();
    assert.deepEqual(fields, [
      "spec.rke2Install.artifactPath",
      "spec.rke2Install.installerSha256",
      "spec.rke2Install.installerUrl",
      "spec.rke2Install.registryMirrors.docker.io[0]",
    ]);
    assert.ok(
      r.messages.some((m) => /installerUrl: must be an https URL/.test(m)),
      r.messages.join("\n"),
    );
  });
});
