import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadFleet } from "../../spec";
import { selectAddons } from "../../components/addons/select";
import { ofType } from "../support/pulumi";
import { planPlatform } from "./harness";
import { metadataEgressPolicyObjects } from "../../components/metadata-egress-policy";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const fleet = loadFleet([path.join(REPO_ROOT, "stacks")], { cwd: REPO_ROOT });

describe("platform services for every committed spec", () => {
  it("loads the committed fleet without issues", () => {
    assert.deepEqual(fleet.issues, []);
    assert.ok(fleet.clusters.length > 0);
  });

  for (const spec of fleet.clusters) {
    it(`plans ${spec.environment}/${spec.name}: selected add-ons, Vault paths, secret outputs`, async () => {
      const run = await planPlatform(spec);
      const expected = selectAddons(spec).map((s) => s.addon.chart);
      const charts = ofType(run.resources, "kubernetes:helm.sh/v3:Release").map((r) =>
        String(r.inputs["chart"]),
      );
      assert.deepEqual(charts.sort(), [...expected].sort());
      assert.deepEqual(
        run.result.outputs.addons,
        selectAddons(spec).map((s) => s.addon.name),
      );
      for (const w of ofType(run.resources, "vault:kv/secretV2:SecretV2")) {
        assert.equal(w.inputs["mount"], spec.vault.kvMount);
        assert.ok(String(w.inputs["name"]).startsWith(`${spec.vault.clusterPathPrefix}/${spec.name}/`));
      }
      assert.equal(await pulumi.isSecret(run.result.outputs.kubeconfig), true);
      assert.equal(ofType(run.resources, "aws:route53/record:Record").length, spec.dns.enabled ? 2 : 0);
      assert.equal(
        ofType(run.resources, "rancher2:index/cluster:Cluster").length,
        spec.rancher.enabled ? 1 : 0,
      );
      // Pods cannot reach the metadata service, in the API of the cluster's own CNI.
      const metadata = run.resources.find((r) => r.name === `${spec.name}-metadata-egress-objects`);
      assert.deepEqual(
        metadata?.inputs["objs"],
        metadataEgressPolicyObjects(spec.rke2.cni, spec.rke2.version),
      );
    });
  }
});
