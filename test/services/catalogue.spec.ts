import { strict as assert } from "assert";
import { ADDON_NAMES, SYSTEM_ADDON_NAMES } from "../../spec/addons";
import { CATALOGUE, addonDefinition } from "../../components/addons/catalogue";
import { MIN_GPU_OPERATOR_VERSION } from "../../components/addons/gpu-operator";
import { addonValues } from "../../components/addons/values";
import { FIXTURES, gpuNotebookSpec } from "./fixtures";

/** Exact SemVer, optionally `v`-prefixed: no ranges, wildcards, tags or pre-releases. */
const EXACT_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

function versionTuple(v: string): [number, number, number] {
  const m = EXACT_VERSION.exec(v);
  assert.ok(m, `not an exact version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function atLeast(v: string, min: string): boolean {
  const [a, b] = [versionTuple(v), versionTuple(min)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** Keys whose literal string value would be a secret in Helm values (policy HELM-003's list). */
const SECRET_KEY =
  /(password|passwd|secret|token|apikey|accesskey|secretaccesskey|clientsecret|privatekey)$/i;

function literalSecrets(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => literalSecrets(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = path === "" ? k : `${path}.${k}`;
    if (SECRET_KEY.test(k) && typeof v === "string" && v !== "") return [here];
    return literalSecrets(v, here);
  });
}

describe("add-on catalogue", () => {
  it("defines exactly the add-on names the spec accepts, plus the system add-ons users cannot list", () => {
    assert.deepEqual(CATALOGUE.map((a) => a.name).sort(), [...ADDON_NAMES, ...SYSTEM_ADDON_NAMES].sort());
  });

  it("finds each add-on by name and rejects an unknown one", () => {
    for (const name of ADDON_NAMES) assert.equal(addonDefinition(name).name, name);
    assert.throws(() => addonDefinition("nope" as never), /not in the catalogue/);
  });

  for (const addon of CATALOGUE) {
    it(`pins ${addon.name} to an exact chart version from an https repository`, () => {
      assert.match(addon.version, EXACT_VERSION);
      assert.match(addon.repository, /^https:\/\//);
      assert.notEqual(addon.namespace, "default");
      // kube-system only for the cloud provider, which RKE2's Pod Security exemption exists for.
      if (addon.namespace === "kube-system")
        assert.ok(addon.existingNamespace && addon.foundation, addon.name);
    });

    it(`gives ${addon.name} a non-empty selector and dependencies from the catalogue`, () => {
      const requirements =
        Object.keys(addon.selector.matchLabels ?? {}).length + (addon.selector.matchExpressions ?? []).length;
      assert.ok(requirements > 0);
      for (const d of addon.dependsOn)
        assert.ok(
          CATALOGUE.some((a) => a.name === d),
          `${addon.name} depends on unknown ${d}`,
        );
    });
  }

  it("pins these chart versions", () => {
    assert.deepEqual(Object.fromEntries(CATALOGUE.map((a) => [a.name, a.version])), {
      "openstack-cloud-controller-manager": "2.33.1",
      "openstack-cinder-csi": "2.33.1",
      "cert-manager": "v1.20.3",
      "external-dns": "1.20.0",
      "vault-secrets-operator": "1.3.0",
      "gpu-operator": "v25.10.1",
      jupyterhub: "4.4.0",
      rancher: "2.13.1",
    });
  });

  it("keeps gpu-operator at or above the release that fixed the 2025 Container Toolkit CVEs", () => {
    const gpu = addonDefinition("gpu-operator");
    assert.ok(atLeast(gpu.version, "24.9.2"), "policy GPU-001 minimum (CVE-2025-23359)");
    assert.ok(atLeast(gpu.version, MIN_GPU_OPERATOR_VERSION), "CVE-2025-23266");
    assert.ok(!atLeast("v25.3.0", MIN_GPU_OPERATOR_VERSION), "25.3.0 is still affected by CVE-2025-23266");
  });

  it("uses distinct namespaces (kube-system aside), privileged only for the GPU operator, Rancher's cattle-system and kube-system", () => {
    const namespaces = CATALOGUE.filter((a) => !a.existingNamespace).map((a) => a.namespace);
    assert.equal(new Set(namespaces).size, namespaces.length);
    const privileged = CATALOGUE.filter((a) => a.podSecurity.level === "privileged").map((a) => a.namespace);
    assert.deepEqual([...new Set(privileged)], ["kube-system", "gpu-operator", "cattle-system"]);
  });

  it("says why for every namespace that is not restricted", () => {
    for (const a of CATALOGUE) {
      if (a.podSecurity.level !== "restricted") assert.ok(a.podSecurity.reason.length > 20, a.name);
    }
  });

  it("puts no literal secret into any add-on's values for any fixture", () => {
    const withAuth = gpuNotebookSpec();
    for (const make of [...FIXTURES, () => withAuth]) {
      const spec = make();
      for (const addon of CATALOGUE) {
        if (addon.name === "jupyterhub" && spec.addons.jupyterhubAuth === undefined) continue;
        assert.deepEqual(literalSecrets(addonValues(addon, spec)), [], `${addon.name} on ${spec.name}`);
      }
    }
  });
});
