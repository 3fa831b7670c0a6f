/**
 * Pod Security on a CIS-hardened RKE2 cluster (every unlabelled namespace is `restricted`).
 *
 * Tier: real Kubernetes Pod Security Admission checks (k8s.io/pod-security-admission, built from Go
 * modules) over the pod templates each pinned chart makes from our values. The charts themselves cannot be
 * rendered here (no helm and no chart archives offline), so `chart-pods.ts` states, with file and line at
 * the pinned version, which values become which pod fields. Namespace labels are checked under Pulumi
 * mocks.
 */
import { strict as assert } from "assert";
import { selectAddons } from "../../components/addons/select";
import { podSecurityLabels, podSecurityVersion } from "../../components/addons/pod-security";
import { DOWNSTREAM_CATTLE_SYSTEM } from "../../components/rancher-registration";
import type { ClusterSpec } from "../../spec/types";
import { chartDefaultPods, chartPods, registrationManifestPods } from "./chart-pods";
import { evaluatePodSecurity, hasGo, type PsaPod } from "./psa-check";
import { FIXTURES, gpuNotebookSpec, referenceSpec } from "./fixtures";
import { planPlatform } from "./harness";
import { ofType } from "../support/pulumi";
import { skipTier } from "../support/tiers";

function podsOf(spec: ClusterSpec): PsaPod[] {
  const pods: PsaPod[] = [];
  for (const { addon } of selectAddons(spec)) {
    for (const pod of chartPods(addon.name, spec) ?? []) {
      pods.push({
        name: `${spec.name}/${addon.namespace}/${pod.name}`,
        level: addon.podSecurity.level,
        version: podSecurityVersion(spec),
        spec: pod.spec,
      });
    }
    // What xcluster applies beside the release (e.g. the GPU image puller) is checked the same way.
    for (const m of addon.manifests?.(spec) ?? []) {
      const template = (m["spec"] as { template?: { spec?: Record<string, unknown> } } | undefined)?.template;
      if (template?.spec === undefined) continue; // no pods (e.g. a VolumeSnapshotClass)
      pods.push({
        name: `${spec.name}/${addon.namespace}/${String(m["kind"])}/${String((m["metadata"] as { name: string }).name)}`,
        level: addon.podSecurity.level,
        version: podSecurityVersion(spec),
        spec: template.spec,
      });
    }
  }
  return pods;
}

describe("Pod Security (real PSA checks over the charts' pod templates)", function () {
  this.timeout(600_000);
  before(function () {
    if (!hasGo())
      skipTier(this, "go", "go is not on PATH: the Pod Security checks cannot be built", "nowhere");
  });

  it("admits every pod each fixture cluster's add-ons would make under its namespace's level", () => {
    const pods = FIXTURES.flatMap((make) => podsOf(make()));
    // Every restricted/baseline add-on of the fixtures contributes pods; none is silently skipped.
    const namespaces = new Set(pods.map((p) => p.name.split("/")[1]));
    assert.deepEqual([...namespaces].sort(), [
      "cert-manager",
      "external-dns",
      "jupyterhub",
      "vault-secrets-operator",
    ]);
    assert.ok(pods.some((p) => p.name.endsWith("DaemonSet/gpu-image-puller")));
    const rejected = evaluatePodSecurity(pods).filter((r) => !r.allowed);
    assert.deepEqual(rejected, []);
  });

  it("rejects vault-secrets-operator 1.3.0's default pods under restricted (why xcluster sets its contexts)", () => {
    const pods = (chartDefaultPods("vault-secrets-operator") ?? []).map((p) => ({
      name: p.name,
      level: "restricted" as const,
      version: "v1.33",
      spec: p.spec,
    }));
    const results = evaluatePodSecurity(pods);
    assert.equal(results.length, 3);
    for (const r of results) {
      assert.equal(r.allowed, false, r.name);
      assert.ok(
        r.forbidden.some((f) => f.startsWith("seccompProfile")),
        r.forbidden.join("; "),
      );
      assert.ok(
        r.forbidden.some((f) => f.startsWith("unrestricted capabilities")),
        r.forbidden.join("; "),
      );
    }
  });

  it("rejects z2jh 4.4.0's default user pod under restricted (why xcluster sets KubeSpawner's context)", () => {
    const user = (chartDefaultPods("jupyterhub") ?? []).find((p) => p.name.startsWith("Pod/"));
    assert.ok(user);
    const [result] = evaluatePodSecurity([
      { name: user.name, level: "restricted", version: "v1.33", spec: user.spec },
    ]);
    assert.equal(result?.allowed, false);
    // The chart's default iptables init container is privileged: not even baseline admits it.
    const [baseline] = evaluatePodSecurity([
      { name: user.name, level: "baseline", version: "v1.33", spec: user.spec },
    ]);
    assert.equal(baseline?.allowed, false);
  });

  it("admits the Rancher cluster agent in a baseline cattle-system, which restricted would reject", () => {
    const pods = registrationManifestPods();
    const at = (level: "baseline" | "restricted"): boolean[] =>
      evaluatePodSecurity(pods.map((p) => ({ name: p.name, level, version: "v1.33", spec: p.spec }))).map(
        (r) => r.allowed,
      );
    assert.equal(DOWNSTREAM_CATTLE_SYSTEM.level, "baseline");
    assert.deepEqual(at("baseline"), [true]);
    assert.deepEqual(at("restricted"), [false]);
  });
});

describe("Pod Security labels (Pulumi mocks)", () => {
  it("labels every add-on namespace enforce/audit/warn at its level, pinned to the cluster's Kubernetes minor", async () => {
    const spec = gpuNotebookSpec();
    const run = await planPlatform(spec);
    const namespaces = ofType(run.resources, "kubernetes:core/v1:Namespace");
    for (const { addon } of selectAddons(spec)) {
      if (addon.existingNamespace) continue; // kube-system: neither created nor labelled by xcluster
      const ns = namespaces.find((n) => (n.inputs["metadata"] as { name: string }).name === addon.namespace);
      assert.ok(ns, addon.namespace);
      assert.deepEqual(
        (ns.inputs["metadata"] as { labels: Record<string, string> }).labels,
        podSecurityLabels(addon.podSecurity.level, "v1.33"),
      );
    }
    assert.deepEqual(podSecurityLabels("restricted", "v1.33"), {
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.33",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "v1.33",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "v1.33",
    });
  });

  it("creates each add-on's namespace before its release", async () => {
    const spec = gpuNotebookSpec();
    const run = await planPlatform(spec);
    for (const { addon } of selectAddons(spec)) {
      if (addon.existingNamespace) continue;
      const deps = run.dependsOn.get(`${spec.name}-addons-${addon.name}`) ?? [];
      assert.ok(
        deps.includes(`${spec.name}-addons-${addon.name}-namespace`),
        `${addon.name}: ${deps.join(", ")}`,
      );
    }
  });

  it("creates cattle-system labelled baseline before the Rancher registration manifest", async () => {
    const spec = referenceSpec();
    const run = await planPlatform(spec);
    const ns = run.resources.find((r) => r.name === `${spec.name}-rancher-cattle-system`);
    assert.ok(ns, "cattle-system is created by xcluster");
    assert.deepEqual(ns.inputs["metadata"], {
      name: "cattle-system",
      labels: podSecurityLabels("baseline", "v1.33"),
    });
    const deps = run.dependsOn.get(`${spec.name}-rancher-manifest`) ?? [];
    assert.ok(deps.includes(`${spec.name}-rancher-cattle-system`), deps.join(", "));
    // The manifest re-declares cattle-system; its provider adopts the existing namespace instead of failing.
    const manifest = run.resources.find((r) => r.name === `${spec.name}-rancher-manifest`);
    assert.ok(manifest);
    const provider = run.resources.find((r) => r.name === `${spec.name}-kubernetes-registration`);
    assert.equal(String(provider?.inputs["upsertExistingObjects"]), "true");
  });
});
