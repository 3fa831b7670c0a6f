import { strict as assert } from "assert";
import {
  clusterSelectionLabels,
  explainSelection,
  matchesSelector,
  selectAddons,
} from "../../components/addons/select";
import type { AddonDefinition, LabelSelector } from "../../components/addons/addon";
import { CATALOGUE } from "../../components/addons/catalogue";
import { GPU_CLUSTER_LABEL } from "../../components/addons/cluster-facts";
import { bareLabSpec, cpuNotebookSpec, gpuNotebookSpec, referenceSpec } from "./fixtures";

const names = (spec: ReturnType<typeof referenceSpec>): string[] =>
  selectAddons(spec).map((s) => s.addon.name);

/** The OpenStack cloud provider add-ons every Vault-backed fixture cluster gets first. */
const CLOUD_PROVIDER = ["openstack-cloud-controller-manager", "openstack-cinder-csi"];

describe("add-on selection", () => {
  describe("label selectors", () => {
    const labels = { "addons.x": "enabled", tier: "gold" };
    const cases: [string, LabelSelector, boolean][] = [
      ["matchLabels equal", { matchLabels: { "addons.x": "enabled" } }, true],
      ["matchLabels different value", { matchLabels: { "addons.x": "disabled" } }, false],
      ["matchLabels missing key", { matchLabels: { "addons.y": "enabled" } }, false],
      [
        "In with the value",
        { matchExpressions: [{ key: "tier", operator: "In", values: ["gold", "silver"] }] },
        true,
      ],
      [
        "In without the value",
        { matchExpressions: [{ key: "tier", operator: "In", values: ["silver"] }] },
        false,
      ],
      ["In on a missing key", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
      [
        "NotIn with the value",
        { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["gold"] }] },
        false,
      ],
      [
        "NotIn on a missing key",
        { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] },
        true,
      ],
      ["Exists", { matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
      ["Exists on a missing key", { matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
      ["DoesNotExist", { matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
      [
        "labels and expressions together",
        { matchLabels: { "addons.x": "enabled" }, matchExpressions: [{ key: "tier", operator: "Exists" }] },
        true,
      ],
      [
        "one failing requirement among several",
        { matchLabels: { "addons.x": "enabled" }, matchExpressions: [{ key: "zone", operator: "Exists" }] },
        false,
      ],
      ["empty selector (selects nothing)", {}, false],
    ];
    for (const [name, selector, expected] of cases) {
      it(`${expected ? "matches" : "does not match"}: ${name}`, () => {
        assert.equal(matchesSelector(labels, selector), expected);
      });
    }
  });

  it("derives the GPU label from the pools, overriding a user-set value", () => {
    assert.equal(clusterSelectionLabels(referenceSpec())[GPU_CLUSTER_LABEL], "true");
    const cpu = cpuNotebookSpec();
    assert.equal(
      clusterSelectionLabels({ ...cpu, labels: { ...cpu.labels, [GPU_CLUSTER_LABEL]: "true" } })[
        GPU_CLUSTER_LABEL
      ],
      "false",
    );
    const emptyGpuPool = {
      ...referenceSpec(),
      pools: referenceSpec().pools.map((p) => ({ ...p, count: p.role === "gpu" ? 0 : p.count })),
    };
    assert.equal(clusterSelectionLabels(emptyGpuPool)[GPU_CLUSTER_LABEL], "false");
  });

  it("gives the reference cluster its four listed add-ons, gpu-operator because it has GPU pools", () => {
    assert.deepEqual(names(referenceSpec()), [
      ...CLOUD_PROVIDER,
      "cert-manager",
      // external-dns gets its Route53 credentials through the operator, so the operator comes first.
      "vault-secrets-operator",
      "external-dns",
      "gpu-operator",
    ]);
    const gpu = explainSelection(referenceSpec()).find((d) => d.name === "gpu-operator");
    assert.equal(gpu?.selected, true);
    assert.match(gpu?.reason ?? "", /addons\.gpu-operator=enabled/);
    assert.match(gpu?.reason ?? "", /xcluster\.dev\/gpu in \[true\]/);
  });

  it("leaves gpu-operator off a CPU-only cluster that lists it, and says why", () => {
    const spec = cpuNotebookSpec();
    assert.deepEqual(names(spec), [...CLOUD_PROVIDER, "cert-manager", "jupyterhub"]);
    const gpu = explainSelection(spec).find((d) => d.name === "gpu-operator");
    assert.equal(gpu?.selected, false);
    assert.match(gpu?.reason ?? "", /xcluster\.dev\/gpu in \[true\] \(got xcluster\.dev\/gpu=false\)/);
  });

  it("selects cert-manager for jupyterhub as a dependency, before it", () => {
    const decisions = explainSelection(cpuNotebookSpec());
    assert.equal(decisions.find((d) => d.name === "cert-manager")?.reason, "required by jupyterhub");
  });

  it("gives the GPU notebook cluster the whole stack in dependency order", () => {
    assert.deepEqual(names(gpuNotebookSpec()), [
      ...CLOUD_PROVIDER,
      "cert-manager",
      // external-dns gets its Route53 credentials through the operator, so the operator comes first.
      "vault-secrets-operator",
      "external-dns",
      "gpu-operator",
      "jupyterhub",
    ]);
  });

  it("gives a cluster without add-on labels nothing, naming the missing label", () => {
    assert.deepEqual(names(bareLabSpec()), []);
    const decisions = explainSelection(bareLabSpec());
    assert.ok(decisions.every((d) => !d.selected));
    assert.match(
      decisions.find((d) => d.name === "cert-manager")?.reason ?? "",
      /got no addons\.cert-manager label/,
    );
  });

  it("gives every cluster whose credentials come from Vault the OpenStack cloud provider, and no other cluster", () => {
    const withVault = {
      ...bareLabSpec(),
      rke2: { ...bareLabSpec().rke2, cloudProviderName: "external" as const },
    };
    assert.deepEqual(names(withVault), CLOUD_PROVIDER);
    const ccm = explainSelection(bareLabSpec()).find((d) => d.name === "openstack-cloud-controller-manager");
    assert.match(
      ccm?.reason ?? "",
      /xcluster\.dev\/openstack-cloud-provider=true \(got xcluster\.dev\/openstack-cloud-provider=false\)/,
    );
  });

  it("orders dependencies first even when the catalogue lists them later", () => {
    const [a, b] = [CATALOGUE[2], { ...CATALOGUE[3], dependsOn: [] }] as [AddonDefinition, AddonDefinition];
    const late = { ...a, dependsOn: [b.name] };
    const order = selectAddons(referenceSpec(), [late, b]).map((s) => s.addon.name);
    assert.deepEqual(order, [b.name, a.name]);
  });

  it("rejects a dependency cycle in the catalogue", () => {
    const [a, b] = [CATALOGUE[0], CATALOGUE[1]] as [AddonDefinition, AddonDefinition];
    const cyclic = [
      { ...a, dependsOn: [b.name] },
      { ...b, dependsOn: [a.name] },
    ];
    assert.throws(() => selectAddons(referenceSpec(), cyclic), /dependency cycle/);
  });

  it("rejects a dependency outside the catalogue", () => {
    const [a] = [CATALOGUE[0]] as [AddonDefinition];
    assert.throws(
      () => selectAddons(referenceSpec(), [{ ...a, dependsOn: ["rancher"] }]),
      /not in the catalogue/,
    );
  });
});
