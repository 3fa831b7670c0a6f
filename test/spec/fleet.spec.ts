import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadFleet } from "../../spec";
import { EXAMPLE_FLEET, REFERENCE_XCLUSTER, REPO_ROOT, loadFiles } from "../support/spec-files";

describe("the committed example fleet", () => {
  it("validates every spec under stacks/ without a single issue", () => {
    const fleet = loadFleet([path.join(REPO_ROOT, "stacks")], { cwd: REPO_ROOT });
    assert.deepEqual(fleet.issues, []);
    assert.ok(fleet.clusters.some((c) => c.name === "ecmwf-ai-platform" && c.environment === "prod"));
  });

  it("validates every spec of the example fleet's fixture copy (test/support/example-fleet)", () => {
    const fleet = loadFleet([EXAMPLE_FLEET], { cwd: EXAMPLE_FLEET });
    assert.deepEqual(fleet.issues, []);
    assert.deepEqual(fleet.clusters.map((c) => `${c.environment}/${c.name}`).sort(), [
      "dev/sandbox",
      "prod/ecmwf-ai-platform",
      "prod/eo-data-services",
    ]);
  });

  it("holds the reference ecmwf-ai-platform document verbatim", () => {
    assert.equal(
      fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/ecmwf-ai-platform.yaml"), "utf8"),
      REFERENCE_XCLUSTER,
    );
  });

  it("validates the reference document verbatim inside an environment and resolves it to 3 servers, 6 workers, 2 GPU workers", () => {
    const env = fs.readFileSync(path.join(REPO_ROOT, "stacks/prod/environment.yaml"), "utf8");
    const fleet = loadFiles({ "environment.yaml": env, "ecmwf-ai-platform.yaml": REFERENCE_XCLUSTER });
    assert.deepEqual(fleet.messages, []);
    const spec = fleet.clusters[0]!;
    assert.equal(spec.controlPlane.count, 3);
    assert.deepEqual(
      spec.pools.map((p) => [p.name, p.role, p.count]),
      [
        ["workers", "agent", 6],
        ["gpu-workers", "gpu", 2],
      ],
    );
    assert.deepEqual(spec.pools[1]!.taints, [
      { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" },
    ]);
    assert.equal(spec.labels["addons.gpu-operator"], "enabled");
    assert.equal(spec.openstack.floatingIpPool, "external-internet");
  });

  it("keeps the dev sandbox at one server because dev is not production", () => {
    const fleet = loadFleet([path.join(REPO_ROOT, "stacks/dev")], { cwd: REPO_ROOT });
    const sandbox = fleet.clusters.find((c) => c.name === "sandbox")!;
    assert.equal(sandbox.controlPlane.count, 1);
    assert.equal(sandbox.production, false);
  });

  it("filters by environment", () => {
    const fleet = loadFleet([EXAMPLE_FLEET], { cwd: EXAMPLE_FLEET, environment: "dev" });
    assert.deepEqual(
      fleet.clusters.map((c) => c.name),
      ["sandbox"],
    );
  });
});
