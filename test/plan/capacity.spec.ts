/** Tier: pure functions. Counting planned resources, accounting them against flavor shapes and quotas. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { usageOf, QUOTA_TYPES, type ResourceUsage } from "../../plan/usage";
import {
  CapacityError,
  amountsOf,
  excessMessage,
  fleetCapacity,
  monthlyCostOf,
  quotaExcesses,
} from "../../plan/capacity";
import { capacityMarkdown, capacityText } from "../../plan/capacity-tables";
import { reportMarkdown } from "../../plan/markdown";
import type { CapacitySettings } from "../../spec/capacity";
import type { ClusterReport, PlanReport } from "../../plan/report";

const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "plan", "report.schema.json"), "utf8"),
) as object;

const SETTINGS: CapacitySettings = {
  currency: "EUR",
  flavors: {
    "m1.large": { vcpus: 4, ramMiB: 8192, gpus: 0, diskGiB: 80, pricePerHour: 0.12 },
    "g1.a100": { vcpus: 32, ramMiB: 245760, gpus: 2, diskGiB: 200, pricePerHour: 6.4 },
    "m1.free": { vcpus: 2, ramMiB: 4096, gpus: 0, diskGiB: 20 },
  },
  quota: { cores: 100, gpus: 4, floatingIps: 3 },
};
const ENV = new Map([["prod", { capacity: SETTINGS, file: "stacks/prod/environment.yaml" }]]);

const usage = (over: Partial<ResourceUsage>): ResourceUsage => ({
  instancesByFlavor: {},
  volumes: 0,
  volumeGiB: 0,
  floatingIps: 0,
  loadBalancers: 0,
  securityGroups: 0,
  securityGroupRules: 0,
  serverGroups: 0,
  ...over,
});

const planned = (name: string, u: ResourceUsage | undefined, environment = "prod"): ClusterReport => ({
  name,
  environment,
  topology: "keepalived",
  resources: [],
  violations: [],
  ...(u !== undefined ? { usage: u } : { error: "boom" }),
});

describe("capacity accounting", () => {
  it("counts instances per flavor, boot volumes, floating IPs, groups, rules and load balancers from the recorded resources", () => {
    const instance = (flavorName: string, volumeSize?: number) => ({
      type: QUOTA_TYPES.instance,
      inputs: {
        flavorName,
        ...(volumeSize !== undefined
          ? { blockDevices: [{ sourceType: "image", destinationType: "volume", volumeSize }] }
          : {}),
      },
    });
    const counted = usageOf([
      instance("m1.large", 50),
      instance("m1.large", 50),
      instance("g1.a100"),
      { type: QUOTA_TYPES.volume, inputs: { size: 100 } },
      { type: QUOTA_TYPES.floatingIp, inputs: {} },
      { type: QUOTA_TYPES.floatingIp, inputs: {} },
      { type: QUOTA_TYPES.loadBalancer, inputs: {} },
      { type: QUOTA_TYPES.secGroup, inputs: {} },
      { type: QUOTA_TYPES.secGroupRule, inputs: {} },
      { type: QUOTA_TYPES.secGroupRule, inputs: {} },
      { type: QUOTA_TYPES.serverGroup, inputs: {} },
      { type: "openstack:networking/port:Port", inputs: {} },
    ]);
    assert.deepEqual(counted, {
      instancesByFlavor: { "g1.a100": 1, "m1.large": 2 },
      volumes: 3,
      volumeGiB: 200,
      floatingIps: 2,
      loadBalancers: 1,
      securityGroups: 1,
      securityGroupRules: 2,
      serverGroups: 1,
    });
  });

  const amountsTable: [string, ResourceUsage, Partial<Record<string, number>>, number | undefined][] = [
    ["no instances", usage({}), { instances: 0, cores: 0, ramMiB: 0, gpus: 0 }, 0],
    [
      "three CPU nodes",
      usage({ instancesByFlavor: { "m1.large": 3 } }),
      { instances: 3, cores: 12, ramMiB: 24576, gpus: 0 },
      262.8,
    ],
    [
      "CPU and GPU nodes",
      usage({ instancesByFlavor: { "g1.a100": 2, "m1.large": 3 } }),
      { instances: 5, cores: 76, ramMiB: 516096, gpus: 4 },
      9606.8,
    ],
    [
      "a flavor without a price",
      usage({ instancesByFlavor: { "m1.free": 1, "m1.large": 1 } }),
      { instances: 2, cores: 6, ramMiB: 12288, gpus: 0 },
      undefined,
    ],
  ];
  for (const [name, u, expected, cost] of amountsTable) {
    it(`multiplies instances by their flavor's shape and prices them per month: ${name}`, () => {
      const amounts = amountsOf(u, SETTINGS);
      for (const [k, v] of Object.entries(expected)) assert.equal(amounts[k as keyof typeof amounts], v, k);
      assert.equal(monthlyCostOf(u, SETTINGS), cost);
    });
  }

  it("rejects a baseline flavor the environment has no shape for", () => {
    assert.throws(
      () => amountsOf(usage({ instancesByFlavor: { "m1.gone": 1 } }), SETTINGS),
      (e: unknown) => e instanceof CapacityError && /no shape for flavor "m1.gone"/.test(e.message),
    );
  });

  it("sums clusters per environment and gives the headroom under each declared quota", () => {
    const report: PlanReport = {
      clusters: [
        planned("a", usage({ instancesByFlavor: { "m1.large": 5 }, floatingIps: 1 })),
        planned("b", usage({ instancesByFlavor: { "g1.a100": 1 }, floatingIps: 1 })),
        planned("elsewhere", usage({ instancesByFlavor: { "m1.large": 50 } }), "dev"),
      ],
    };
    const cap = fleetCapacity(report, ENV);
    assert.equal(cap.environments.length, 1);
    const prod = cap.environments[0]!;
    assert.equal(prod.used.cores, 52);
    assert.equal(prod.used.gpus, 2);
    assert.deepEqual(prod.headroom, { cores: 48, gpus: 2, floatingIps: 1 });
    assert.equal(prod.added, undefined);
    assert.deepEqual(
      prod.clusters.map((c) => [c.name, c.used.cores, c.monthlyCost]),
      [
        ["a", 20, 438],
        ["b", 32, 4672],
      ],
    );
    assert.equal(prod.monthlyCost, 5110);
    assert.deepEqual(quotaExcesses(cap), []);
  });

  it("reports what the change adds and frees against the baseline, removed clusters included", () => {
    const baseline: PlanReport = {
      clusters: [
        planned("a", usage({ instancesByFlavor: { "m1.large": 5 }, floatingIps: 1 })),
        planned("gone", usage({ instancesByFlavor: { "m1.large": 2 }, floatingIps: 1 })),
      ],
    };
    const now: PlanReport = {
      clusters: [
        planned("a", usage({ instancesByFlavor: { "m1.large": 7 }, floatingIps: 1 })),
        planned("new", usage({ instancesByFlavor: { "g1.a100": 1 }, floatingIps: 1 })),
      ],
    };
    const prod = fleetCapacity(now, ENV, baseline).environments[0]!;
    assert.equal(prod.added?.cores, 28 + 32 - 20 - 8);
    assert.equal(prod.added?.floatingIps, 0);
    assert.deepEqual(
      prod.clusters.map((c) => [c.name, c.added?.cores]),
      [
        ["a", 8],
        ["new", 32],
      ],
    );
    assert.deepEqual(prod.removedClusters, ["gone"]);
  });

  it("rejects a fleet over quota, naming the environment file, the quota, the need and the headroom", () => {
    const report: PlanReport = {
      clusters: [planned("a", usage({ instancesByFlavor: { "g1.a100": 3, "m1.large": 2 } }))],
    };
    const excesses = quotaExcesses(fleetCapacity(report, ENV));
    assert.deepEqual(
      excesses.map((x) => [x.quota, x.need, x.headroom]),
      [
        ["cores", 104, 100],
        ["gpus", 6, 4],
      ],
    );
    assert.equal(
      excessMessage(excesses[1]!),
      "stacks/prod/environment.yaml: spec.capacity.quota.gpus: environment prod is over quota: the planned fleet needs 6 GPUs, but the quota is 4 (2 short; allowed: raise the project quota, or plan fewer/smaller resources)",
    );
  });

  it("rejects a change that adds to a quota, with the headroom left after the baseline", () => {
    const baseline: PlanReport = { clusters: [planned("a", usage({ floatingIps: 2 }))] };
    const now: PlanReport = {
      clusters: [planned("a", usage({ floatingIps: 2 })), planned("b", usage({ floatingIps: 2 }))],
    };
    const [x] = quotaExcesses(fleetCapacity(now, ENV, baseline));
    assert.equal(
      excessMessage(x!),
      "stacks/prod/environment.yaml: spec.capacity.quota.floatingIps: environment prod is over quota: this change adds 2 floating IPs, but the headroom under the quota of 3 is 1 (1 short; allowed: raise the project quota, or plan fewer/smaller resources)",
    );
  });

  it("lets a change through that frees capacity under a quota the project already exceeds", () => {
    const baseline: PlanReport = { clusters: [planned("a", usage({ floatingIps: 5 }))] };
    const now: PlanReport = { clusters: [planned("a", usage({ floatingIps: 4 }))] };
    const cap = fleetCapacity(now, ENV, baseline);
    assert.equal(cap.environments[0]?.headroom.floatingIps, -1);
    assert.deepEqual(quotaExcesses(cap), []);
  });

  it("writes the capacity tables into the Markdown report and the JSON report validates", () => {
    const baseline: PlanReport = {
      clusters: [planned("a", usage({ instancesByFlavor: { "m1.large": 2 } }))],
    };
    const now: PlanReport = {
      clusters: [planned("a", usage({ instancesByFlavor: { "m1.large": 3 }, floatingIps: 4 }))],
    };
    const report: PlanReport = { ...now, capacity: fleetCapacity(now, ENV, baseline) };
    const md = reportMarkdown(report);
    assert.ok(md.includes("## Capacity: prod"), md);
    assert.ok(md.includes("| cores | 12 | +4 | 100 | 88 |"), md);
    assert.ok(md.includes("| floatingIps | 4 | +4 | 3 | **-1 OVER** |"), md);
    assert.ok(md.includes("| a | 3 | 12 | 24 | 0 | +4 | 262.80 EUR |"), md);
    assert.ok(md.includes("monthly estimate 262.80 EUR (730 h × instance prices)."), md);
    assert.deepEqual(capacityMarkdown(report.capacity!).slice(0, 1), ["## Capacity: prod"]);
    assert.match(
      capacityText(report.capacity!),
      /capacity of environment prod:[\s\S]*floatingIps\s+│ 4\s+│ \+4\s+│ 3\s+│ -1 OVER/,
    );
    const ajv = new Ajv({ allErrors: true });
    assert.ok(ajv.validate(SCHEMA, JSON.parse(JSON.stringify(report))), ajv.errorsText());
  });
});
