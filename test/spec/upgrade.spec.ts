/** Tier: pure functions. Which RKE2 version changes a running cluster may take. */
import { strict as assert } from "assert";
import { upgradeProblem } from "../../spec/upgrade";

describe("RKE2 upgrade paths", () => {
  const allowed: [string, string][] = [
    ["v1.33.3+rke2r1", "v1.33.3+rke2r1"],
    ["v1.33.3+rke2r1", "v1.33.5+rke2r1"],
    ["v1.33.3+rke2r1", "v1.33.3+rke2r2"],
    ["v1.33.3+rke2r1", "v1.34.1+rke2r1"],
    ["v1.33.9+rke2r3", "v1.34.0+rke2r1"],
  ];
  for (const [from, to] of allowed) {
    it(`allows ${from} → ${to}`, () => assert.equal(upgradeProblem(from, to), undefined));
  }

  it("rejects a patch downgrade, naming both versions", () => {
    assert.equal(
      upgradeProblem("v1.33.5+rke2r1", "v1.33.3+rke2r1"),
      "downgrade from v1.33.5+rke2r1 to v1.33.3+rke2r1 (allowed: v1.33.5+rke2r1 or newer; RKE2 and etcd cannot go back)",
    );
  });

  it("rejects an RKE2 release downgrade within the same Kubernetes version", () => {
    assert.match(upgradeProblem("v1.33.3+rke2r2", "v1.33.3+rke2r1") ?? "", /^downgrade/);
  });

  it("rejects a minor downgrade", () => {
    assert.match(upgradeProblem("v1.34.0+rke2r1", "v1.33.9+rke2r1") ?? "", /^downgrade/);
  });

  it("rejects skipping a minor version, saying how far it may go", () => {
    assert.equal(
      upgradeProblem("v1.33.3+rke2r1", "v1.35.0+rke2r1"),
      "upgrade from v1.33.3+rke2r1 to v1.35.0+rke2r1 skips a minor version (allowed: up to v1.34.x; " +
        "upgrade one minor version at a time, as the Kubernetes version skew policy requires)",
    );
  });

  it("rejects a major version change", () => {
    assert.match(upgradeProblem("v1.33.3+rke2r1", "v2.0.0+rke2r1") ?? "", /skips a minor version/);
  });

  it("rejects a version that is not an RKE2 release", () => {
    assert.match(upgradeProblem("v1.33.3+rke2r1", "1.33.5") ?? "", /not an RKE2 release \(got 1\.33\.5/);
  });
});
