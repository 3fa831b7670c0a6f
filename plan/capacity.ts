/**
 * Capacity and quota accounting: what each cluster and each environment of a plan takes from the
 * OpenStack project (its planned resources' usage × the environment's flavor shapes), what the change
 * adds or frees against a baseline plan, the headroom under every declared quota, and a monthly cost
 * where the flavors have prices. Pure: the plan report and the environments' settings in, numbers out.
 */
import { QUOTA_KEYS, type CapacitySettings, type QuotaKey } from "../spec/capacity";
import type { ClusterReport, PlanReport } from "./report";
import type { ResourceUsage } from "./usage";

/** An amount per quota key. */
export type Amounts = Readonly<Record<QuotaKey, number>>;

/** 365 × 24 / 12: the average month, in hours, the estimate is based on. */
export const HOURS_PER_MONTH = 730;

export interface ClusterCapacity {
  readonly name: string;
  /** What the planned cluster takes. */
  readonly used: Amounts;
  /** `used` minus the baseline's (negative: freed). Only with a baseline. */
  readonly added?: Amounts;
  /** Instances × price × HOURS_PER_MONTH; absent when a flavor it uses has no price. */
  readonly monthlyCost?: number;
}

export interface EnvironmentCapacity {
  readonly environment: string;
  /** The environment file the quotas come from (for messages). */
  readonly file: string;
  /** ISO 4217, empty when no flavor has a price. */
  readonly currency: string;
  /** Only the declared quotas. */
  readonly quota: Readonly<Partial<Record<QuotaKey, number>>>;
  /** The planned clusters together. */
  readonly used: Amounts;
  /** Against the baseline (clusters gone from the plan free what they used). Only with a baseline. */
  readonly added?: Amounts;
  /** quota − used, for the declared quotas (negative: over quota). */
  readonly headroom: Readonly<Partial<Record<QuotaKey, number>>>;
  /** Sum of the clusters' estimates; absent when one has none. */
  readonly monthlyCost?: number;
  readonly clusters: ClusterCapacity[];
  /** Clusters the baseline has and this plan has not: their use is freed. */
  readonly removedClusters: string[];
}

export interface CapacityReport {
  readonly environments: EnvironmentCapacity[];
}

/** A quota the plan does not fit in. */
export interface QuotaExcess {
  readonly environment: string;
  readonly file: string;
  readonly quota: QuotaKey;
  readonly limit: number;
  /** With a baseline: what the change adds; without: what the planned fleet uses. */
  readonly need: number;
  /** With a baseline: quota − baseline use; without: the whole quota. */
  readonly headroom: number;
  readonly withBaseline: boolean;
}

const ZERO: Amounts = Object.fromEntries(QUOTA_KEYS.map((k) => [k, 0])) as Record<QuotaKey, number>;

function combine(a: Amounts, b: Amounts, sign: 1 | -1): Amounts {
  return Object.fromEntries(QUOTA_KEYS.map((k) => [k, a[k] + sign * b[k]])) as Record<QuotaKey, number>;
}

/** Cents are enough for an estimate, and keep reports byte-stable. */
const money = (n: number): number => Math.round(n * 100) / 100;

/** The amounts a cluster's usage takes, given the flavor shapes. */
export function amountsOf(usage: ResourceUsage, settings: CapacitySettings): Amounts {
  let instances = 0;
  let cores = 0;
  let ramMiB = 0;
  let gpus = 0;
  for (const [flavor, n] of Object.entries(usage.instancesByFlavor)) {
    instances += n;
    const shape = settings.flavors[flavor];
    if (shape === undefined) {
      // The spec layer requires a shape for every flavor a cluster uses; a baseline may predate one.
      throw new CapacityError(`no shape for flavor "${flavor}" (add it to spec.capacity.flavors)`);
    }
    cores += n * shape.vcpus;
    ramMiB += n * shape.ramMiB;
    gpus += n * shape.gpus;
  }
  return {
    instances,
    cores,
    ramMiB,
    gpus,
    volumes: usage.volumes,
    volumeGiB: usage.volumeGiB,
    floatingIps: usage.floatingIps,
    loadBalancers: usage.loadBalancers,
    securityGroups: usage.securityGroups,
    securityGroupRules: usage.securityGroupRules,
    serverGroups: usage.serverGroups,
  };
}

/** A cluster's monthly estimate; undefined when one of its flavors has no price. */
export function monthlyCostOf(usage: ResourceUsage, settings: CapacitySettings): number | undefined {
  let perHour = 0;
  for (const [flavor, n] of Object.entries(usage.instancesByFlavor)) {
    const price = settings.flavors[flavor]?.pricePerHour;
    if (price === undefined) return undefined;
    perHour += n * price;
  }
  return money(perHour * HOURS_PER_MONTH);
}

/** Accounting that cannot be done (a baseline flavor without a shape). */
export class CapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CapacityError";
  }
}

const usageOrZero = (c: ClusterReport | undefined, s: CapacitySettings): Amounts =>
  c?.usage === undefined ? ZERO : amountsOf(c.usage, s);

/**
 * The capacity report for every environment of `report` that has settings. `settings` maps an
 * environment name to its capacity settings and file. Clusters that could not be planned count as
 * zero (the plan fails for them anyway).
 */
export function fleetCapacity(
  report: PlanReport,
  settings: ReadonlyMap<string, { readonly capacity: CapacitySettings; readonly file: string }>,
  baseline?: PlanReport,
): CapacityReport {
  const environments: EnvironmentCapacity[] = [];
  for (const [environment, { capacity, file }] of [...settings].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const planned = report.clusters.filter((c) => c.environment === environment);
    if (planned.length === 0) continue;
    const before = baseline?.clusters.filter((c) => c.environment === environment) ?? [];
    const clusters = planned.map((c): ClusterCapacity => {
      const used = usageOrZero(c, capacity);
      const cost = c.usage === undefined ? undefined : monthlyCostOf(c.usage, capacity);
      const prior = before.find((b) => b.name === c.name);
      return {
        name: c.name,
        used,
        ...(baseline !== undefined ? { added: combine(used, usageOrZero(prior, capacity), -1) } : {}),
        ...(cost !== undefined ? { monthlyCost: cost } : {}),
      };
    });
    const used = clusters.reduce((sum, c) => combine(sum, c.used, 1), ZERO);
    const baseUsed = before.reduce((sum, c) => combine(sum, usageOrZero(c, capacity), 1), ZERO);
    const headroom: Partial<Record<QuotaKey, number>> = {};
    for (const k of QUOTA_KEYS) {
      const q = capacity.quota[k];
      if (q !== undefined) headroom[k] = q - used[k];
    }
    const costs = clusters.map((c) => c.monthlyCost);
    environments.push({
      environment,
      file,
      currency: capacity.currency,
      quota: { ...capacity.quota },
      used,
      ...(baseline !== undefined ? { added: combine(used, baseUsed, -1) } : {}),
      headroom,
      ...(costs.every((c) => c !== undefined)
        ? { monthlyCost: money(costs.reduce((a, b) => a + (b ?? 0), 0)) }
        : {}),
      clusters,
      removedClusters: before
        .filter((b) => !planned.some((c) => c.name === b.name))
        .map((b) => b.name)
        .sort(),
    });
  }
  return { environments };
}

/**
 * The quotas the plan does not fit in. With a baseline only a change that adds to an exceeded quota is
 * refused: a change that frees capacity under a quota that was lowered meanwhile must stay possible.
 */
export function quotaExcesses(capacity: CapacityReport): QuotaExcess[] {
  const out: QuotaExcess[] = [];
  for (const e of capacity.environments) {
    for (const k of QUOTA_KEYS) {
      const limit = e.quota[k];
      if (limit === undefined || e.used[k] <= limit) continue;
      const added = e.added?.[k];
      if (added !== undefined && added <= 0) continue;
      out.push({
        environment: e.environment,
        file: e.file,
        quota: k,
        limit,
        need: added ?? e.used[k],
        headroom: added !== undefined ? limit - (e.used[k] - added) : limit,
        withBaseline: added !== undefined,
      });
    }
  }
  return out;
}

/** Units for messages and tables. */
export const QUOTA_UNITS: Readonly<Record<QuotaKey, string>> = {
  instances: "instances",
  cores: "vCPUs",
  ramMiB: "MiB RAM",
  gpus: "GPUs",
  volumes: "volumes",
  volumeGiB: "GiB of volumes",
  floatingIps: "floating IPs",
  loadBalancers: "load balancers",
  securityGroups: "security groups",
  securityGroupRules: "security group rules",
  serverGroups: "server groups",
};

/** `stacks/prod/environment.yaml: spec.capacity.quota.cores: …` — names the quota, the need and the headroom. */
export function excessMessage(x: QuotaExcess): string {
  const unit = QUOTA_UNITS[x.quota];
  const need = x.withBaseline
    ? `this change adds ${x.need} ${unit}, but the headroom under the quota of ${x.limit} is ${x.headroom}`
    : `the planned fleet needs ${x.need} ${unit}, but the quota is ${x.limit}`;
  return (
    `${x.file}: spec.capacity.quota.${x.quota}: environment ${x.environment} is over quota: ${need} ` +
    `(${x.need - x.headroom} short; allowed: raise the project quota, or plan fewer/smaller resources)`
  );
}

/** Each environment's capacity settings and file, from its clusters' specs (environments without are left out). */
export function capacitySettings(
  clusters: readonly {
    readonly environment: string;
    readonly capacity?: CapacitySettings;
    readonly source: { readonly environmentFile: string };
  }[],
): Map<string, { readonly capacity: CapacitySettings; readonly file: string }> {
  const out = new Map<string, { readonly capacity: CapacitySettings; readonly file: string }>();
  for (const c of clusters) {
    if (c.capacity !== undefined && !out.has(c.environment))
      out.set(c.environment, { capacity: c.capacity, file: c.source.environmentFile });
  }
  return out;
}
