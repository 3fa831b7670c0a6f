/** Tier: pure (the spec loader on throwaway files). The environment's flavor shapes and quotas. */
import { strict as assert } from "assert";
import { baseCluster, baseEnvironment, loadFiles } from "../support/spec-files";

const SHAPES = {
  "m1.large": { vcpus: 4, ramMiB: 8192, diskGiB: 80, pricePerHour: 0.12 },
  "g1.large": { vcpus: 16, ramMiB: 65536, gpus: 1, diskGiB: 100, pricePerHour: 2.5 },
};

describe("environment capacity (flavor shapes and quotas)", () => {
  it("resolves shapes and declared quotas onto every cluster of the environment", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({
        capacity: { currency: "EUR", flavors: SHAPES, quota: { cores: 100, floatingIps: 3 } },
      }),
      "c1.yaml": baseCluster(),
    });
    assert.deepEqual(fleet.messages, []);
    assert.deepEqual(fleet.clusters[0]?.capacity, {
      currency: "EUR",
      flavors: {
        "m1.large": { vcpus: 4, ramMiB: 8192, gpus: 0, diskGiB: 80, pricePerHour: 0.12 },
        "g1.large": { vcpus: 16, ramMiB: 65536, gpus: 1, diskGiB: 100, pricePerHour: 2.5 },
      },
      quota: { cores: 100, floatingIps: 3 },
    });
  });

  it("leaves a cluster without capacity when its environment declares none", () => {
    const fleet = loadFiles({ "environment.yaml": baseEnvironment(), "c1.yaml": baseCluster() });
    assert.deepEqual(fleet.messages, []);
    assert.equal(fleet.clusters[0]?.capacity, undefined);
  });

  it("rejects a flavor a pool uses without a shape, at the pool's flavor field", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({ capacity: { currency: "EUR", flavors: SHAPES } }),
      "c1.yaml": baseCluster({ workerPools: [{ name: "big", count: 2, flavor: "m1.huge" }] }),
    });
    assert.deepEqual(fleet.messages, [
      'c1.yaml:16:17: spec.parameters.workerPools[0].flavor: no shape for flavor "m1.huge" used by pool "big" (allowed: a flavor listed in environment "prod" spec.capacity.flavors: m1.large, g1.large)',
    ]);
  });

  it("rejects an inherited flavor without a shape, at the count that asks for the nodes", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({
        capacity: { flavors: { "m1.large": { vcpus: 4, ramMiB: 8192, diskGiB: 80 } } },
      }),
      "c1.yaml": baseCluster({ numberOfGpuWorkers: 1 }),
    });
    assert.deepEqual(fleet.messages, [
      'c1.yaml:9:25: spec.parameters.numberOfGpuWorkers: no shape for flavor "g1.large" used by the default GPU pool (allowed: a flavor listed in environment "prod" spec.capacity.flavors: m1.large)',
    ]);
  });

  it("rejects prices without a currency, naming the priced flavors", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({ capacity: { flavors: SHAPES } }),
      "c1.yaml": baseCluster(),
    });
    assert.deepEqual(fleet.messages, [
      "environment.yaml:24:5: spec.capacity.currency: flavors have prices but no currency (got nothing, prices on m1.large, g1.large; allowed: an ISO 4217 code such as EUR)",
    ]);
  });

  it("rejects a negative quota and a shape without vCPUs", () => {
    const fleet = loadFiles({
      "environment.yaml": baseEnvironment({
        capacity: {
          currency: "EUR",
          flavors: { "m1.large": { vcpus: 0, ramMiB: 8192, diskGiB: 80 } },
          quota: { cores: -1 },
        },
      }),
      "c1.yaml": baseCluster(),
    });
    assert.equal(fleet.clusters.length, 0);
    assert.equal(fleet.messages.length, 2, fleet.messages.join("\n"));
    assert.match(fleet.messages[0]!, /spec\.capacity\.flavors\.m1\.large\.vcpus: .*got 0/);
    assert.match(fleet.messages[1]!, /spec\.capacity\.quota\.cores: .*got -1/);
  });
});
