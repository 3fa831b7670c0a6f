import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { addonLabel } from "../../spec/addons";
import type { ClusterSpec } from "../../spec/types";
import { clusterProgram, type StackOutputs } from "../../programs/program";
import { runUnderMocks, unwrap } from "../support/pulumi";
import { octaviaClusterSpec, referenceClusterSpec } from "../support/cluster-specs";

const ALWAYS = [
  "addons",
  "apiAddress",
  "apiEndpoint",
  "clusterInitialised",
  "floatingIp",
  "ingressAddress",
  "kubeconfig",
  "nodeAddresses",
  "rke2Version",
];
const SERVICES = ["dnsNames", "rancherClusterId", "rancherRegistrationToken", "vaultPaths"];

async function outputsOf(spec: ClusterSpec): Promise<StackOutputs> {
  return (await runUnderMocks(() => clusterProgram(spec))).result;
}

/** The reference cluster without external-dns (its AWS credentials come from Vault, so Vault can go). */
function withoutExternalDns(spec: ClusterSpec): ClusterSpec {
  const labels = { ...spec.labels };
  delete labels[addonLabel("external-dns")];
  return { ...spec, labels };
}

describe("the cluster program's stack outputs", () => {
  it("exports the same output names in the keepalived and the octavia topology", async () => {
    const keepalived = Object.keys(await outputsOf(referenceClusterSpec())).sort();
    const octavia = Object.keys(await outputsOf(octaviaClusterSpec())).sort();
    assert.deepEqual(keepalived, [...ALWAYS, ...SERVICES].sort());
    assert.deepEqual(octavia, keepalived);
  });

  it("keeps the kubeconfig and the Rancher registration token secret, and the addresses plain", async () => {
    const out = await outputsOf(referenceClusterSpec());
    assert.equal(await pulumi.isSecret(out["kubeconfig"]!), true);
    assert.equal(await pulumi.isSecret(out["rancherRegistrationToken"]!), true);
    for (const name of [
      "apiEndpoint",
      "apiAddress",
      "ingressAddress",
      "floatingIp",
      "dnsNames",
      "vaultPaths",
    ]) {
      assert.equal(await pulumi.isSecret(out[name]!), false, name);
    }
  });

  it("records, in plain outputs, the RKE2 version it applies and that the cluster was initialised once the gate passed", async () => {
    const spec = referenceClusterSpec();
    const out = await outputsOf(spec);
    assert.equal(await unwrap(out["rke2Version"]!), spec.rke2.version);
    // Under mocks the gate resolves at once: the flag is what an up records after the gate passed.
    assert.equal(await unwrap(out["clusterInitialised"]!), true);
    for (const name of ["rke2Version", "clusterInitialised"])
      assert.equal(await pulumi.isSecret(out[name]!), false, name);
  });

  it("names the API and the ingress wildcard under the cluster's zone, and the Vault paths under its prefix", async () => {
    const spec = referenceClusterSpec();
    const out = await outputsOf(spec);
    assert.deepEqual(await unwrap(out["dnsNames"]!), {
      api: `api.${spec.name}.${spec.dns.zone}`,
      appsWildcard: `*.apps.${spec.name}.${spec.dns.zone}`,
    });
    const paths = Object.values((await unwrap(out["vaultPaths"]!)) as Record<string, string>);
    assert.ok(paths.length > 0);
    for (const p of paths) assert.ok(p.startsWith(`${spec.vault.clusterPathPrefix}/${spec.name}/`), p);
  });

  it("exports no DNS, Rancher or Vault outputs where the environment turns those services off", async () => {
    const on = withoutExternalDns(referenceClusterSpec());
    const off: ClusterSpec = {
      ...on,
      dns: { ...on.dns, enabled: false },
      rancher: { ...on.rancher, enabled: false },
      vault: { ...on.vault, enabled: false },
      // As the resolver derives it: without Vault's credentials there is no OpenStack cloud provider.
      rke2: { ...on.rke2, cloudProviderName: "" },
    };
    assert.deepEqual(Object.keys(await outputsOf(off)).sort(), ALWAYS);
  });
});
