/**
 * Tier: Pulumi mocks (the whole cluster program). Mocks never run providers, so the gate resolves at
 * once here; what this checks is the wiring: what waits behind the gate and what does not. The waiting
 * itself runs on the real engine against a loopback endpoint in test/engine/readiness-gate.spec.ts.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { READINESS_GATE_MODULE, READINESS_GATE_TYPE, ReadinessGate } from "../../components/readiness-gate";
import type { RecordedResource } from "../../plan/mocks";
import { renderCluster } from "../../plan/render-cluster";
import { clusterProgram } from "../../programs/program";
import type { ClusterSpec } from "../../spec/types";
import { referenceClusterSpec } from "../support/cluster-specs";
import { isRecordedSecret, recordedValue } from "./rke2-mock-helpers";

const GATE = `pulumi-nodejs:dynamic/${READINESS_GATE_MODULE}:${READINESS_GATE_TYPE}`;

/** Every resource, and the names of the resources each one was told to depend on. */
async function render(
  spec: ClusterSpec,
): Promise<{ resources: RecordedResource[]; dependsOn: Map<string, string[]> }> {
  const dependsOn = new Map<string, string[]>();
  const resources = await renderCluster(spec, {
    program: (s) => {
      pulumi.runtime.registerStackTransformation((a) => {
        const deps = a.opts.dependsOn;
        const list = deps === undefined ? [] : Array.isArray(deps) ? deps : [deps];
        const names = list.filter((d): d is ReadinessGate => d instanceof ReadinessGate).map(() => "gate");
        dependsOn.set(`${a.type}::${a.name}`, names);
        return undefined;
      });
      return clusterProgram(s);
    },
  });
  return { resources, dependsOn };
}

describe("the readiness gate in the cluster program (mocks)", function () {
  this.timeout(120_000);

  it("puts add-ons, the Rancher registration and the Vault writes behind a gate on the public API endpoint", async () => {
    const spec = referenceClusterSpec();
    const { resources, dependsOn } = await render(spec);
    const gates = resources.filter((r) => r.type === GATE);
    assert.deepEqual(
      gates.map((g) => g.name),
      [`${spec.name}-api-ready`],
    );
    const gate = gates[0] as RecordedResource;
    // The API's floating IP (the plan's fake public address) on 6443, checked with the cluster's own CA.
    assert.match(String(recordedValue(gate.inputs["apiUrl"])), /^https:\/\/203\.0\.113\.\d+:6443$/);
    assert.match(String(recordedValue(gate.inputs["caCert"])), /BEGIN CERTIFICATE/);
    assert.ok(isRecordedSecret(gate.inputs["clientKey"]), "the admin key stays secret");
    const behind = [...dependsOn]
      .filter(([, d]) => d.includes("gate"))
      .map(([k]) => k)
      .sort();
    // The four components and every resource under them wait (a component's own dependsOn would not
    // reach its children); nothing else does.
    const gated = ["addons", "rancher", "upgrades", "vault", "metadata-egress"].map(
      (c) => `${spec.name}-${c}`,
    );
    const under = (key: string): boolean => {
      const name = key.slice(key.indexOf("::") + 2);
      // Each node's drain runs against the cluster's API too (components/node-drain.ts).
      if (key.includes(":NodeDrain::") && name.endsWith("-drain")) return true;
      // Vault's Kubernetes auth mount is configured in Vault alone (the CA and the API URL are values).
      if (name === `${spec.name}-vault-auth` || name.startsWith(`${spec.name}-vault-auth-`)) return false;
      return gated.some((c) => name === c || name.startsWith(`${c}-`));
    };
    for (const c of [
      `xcluster:addons:Addons::${spec.name}-addons`,
      `xcluster:rancher:Registration::${spec.name}-rancher`,
      `xcluster:rke2:UpgradePlans::${spec.name}-upgrades`,
      `xcluster:vault:ClusterSecrets::${spec.name}-vault`,
    ]) {
      assert.ok(behind.includes(c), c);
    }
    assert.ok(behind.length > 20, `children wait too (${behind.length} behind the gate)`);
    // The providers that talk to the new cluster are configured only once it answers: a provider that
    // finds the API unreachable when configured stays so for the whole run.
    for (const p of [`${spec.name}-kubernetes`, `${spec.name}-kubernetes-registration`]) {
      assert.ok(behind.includes(`pulumi:providers:kubernetes::${p}`), p);
    }
    for (const key of dependsOn.keys()) {
      if (key.startsWith("pulumi:providers:")) continue;
      assert.equal(behind.includes(key), under(key), key);
    }
    assert.deepEqual(
      dependsOn.get(`xcluster:dns:ClusterDns::${spec.name}-dns`),
      [],
      "DNS does not talk to the cluster",
    );
  });

  it("puts the upgrade plans behind the gate even when no other service talks to the cluster", async () => {
    const spec = referenceClusterSpec({
      labels: {},
      vault: { ...referenceClusterSpec().vault, enabled: false },
      // Without Vault there is no cloud provider either (ADR 0010).
      rke2: { ...referenceClusterSpec().rke2, cloudProviderName: "" },
      rancher: { enabled: false, url: "" },
    });
    const { resources, dependsOn } = await render(spec);
    assert.equal(resources.filter((r) => r.type === GATE).length, 1);
    const behind = [...dependsOn].filter(([, d]) => d.includes("gate")).map(([k]) => k);
    assert.ok(behind.includes(`xcluster:rke2:UpgradePlans::${spec.name}-upgrades`));
    // Only the upgrade plans and what they create (the controller and the two Plans), the cluster-wide
    // metadata-service block and the node drains wait.
    for (const key of behind) {
      assert.match(
        key,
        new RegExp(`::${spec.name}-(upgrades($|-)|metadata-egress($|-)|kubernetes$|.*-drain$)`),
      );
    }
    assert.ok(
      behind.some((k) => k.startsWith("kubernetes:upgrade.cattle.io/v1:Plan::")),
      "the Plans wait",
    );
  });

  it("rejects a timeout that is not a positive number of seconds", () => {
    assert.throws(
      () =>
        new ReadinessGate("g", {
          apiUrl: "https://x:6443",
          caCert: "",
          clientCert: "",
          clientKey: "",
          timeoutSeconds: 0,
        }),
      /readiness gate g: timeoutSeconds must be a positive number of seconds \(got 0\)/,
    );
  });
});
