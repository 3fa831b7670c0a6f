/** Tier: pure functions — where a policy finding's spec setting is written (spec/origin.ts), on real files. */
import { strict as assert } from "assert";
import { loadFleet } from "../../spec";
import { settingOrigin } from "../../spec/origin";
import { clusterText } from "../../plan/terminal";
import type { ClusterReport } from "../../plan/report";
import { baseCluster, baseEnvironment, writeFleet } from "../support/spec-files";

function specIn(files: Record<string, string | Record<string, unknown>>) {
  const dir = writeFleet(files);
  const fleet = loadFleet([dir], { cwd: dir });
  assert.deepEqual(fleet.issues, []);
  return { dir, spec: fleet.clusters[0]! };
}

describe("policy findings point to the spec setting behind them", () => {
  it("names the cluster's field and its file:line:col when the cluster writes it", () => {
    const { dir, spec } = specIn({
      "environment.yaml": baseEnvironment(),
      "c1.yaml": baseCluster({ rke2: { cisProfile: false } }),
    });
    assert.equal(
      settingOrigin(spec, "rke2-001-cis-profile", dir),
      "spec.parameters.rke2.cisProfile at c1.yaml:14:19",
    );
  });

  it("names the environment's field when the cluster inherits it", () => {
    const { dir, spec } = specIn({
      "environment.yaml": baseEnvironment({ defaults: { rke2: { secretsEncryption: false } } }),
      "c1.yaml": baseCluster(),
    });
    assert.match(
      settingOrigin(spec, "rke2-002-secrets-encryption", dir) ?? "",
      /^spec\.defaults\.rke2\.secretsEncryption at environment\.yaml:\d+:\d+$/,
    );
  });

  it("says the default applies when neither writes it, and nothing for rules no setting decides", () => {
    const { dir, spec } = specIn({ "environment.yaml": baseEnvironment(), "c1.yaml": baseCluster() });
    assert.equal(
      settingOrigin(spec, "os-ha-002-server-anti-affinity", dir),
      "spec.parameters.controlPlane.serverGroupPolicy (not set: the default applies)",
    );
    assert.equal(settingOrigin(spec, "os-port-001-port-security-enabled", dir), undefined);
  });

  it("prints the origin under the rule's findings in the plan output", () => {
    const report: ClusterReport = {
      name: "c1",
      environment: "prod",
      topology: "keepalived",
      resources: [],
      violations: [
        {
          policy: "rke2-001-cis-profile",
          enforcement: "mandatory",
          severity: "high",
          resource: "c1-server-0",
          message: "no CIS profile",
        },
      ],
    };
    const text = clusterText(
      report,
      new Map([["rke2-001-cis-profile", "spec.parameters.rke2.cisProfile at c1.yaml:14:17"]]),
    );
    assert.match(
      text,
      /✗ rke2-001-cis-profile \[mandatory, high\] 1 finding\(s\)\n {6}set by spec\.parameters\.rke2\.cisProfile at c1\.yaml:14:17\n {6}c1-server-0: no CIS profile/,
    );
  });
});
