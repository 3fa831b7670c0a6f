/**
 * The environment's capacity section: the shape of each Nova flavor the fleet uses (what one instance
 * costs in cores, RAM, GPUs, disk and money) and the OpenStack project's quotas. `xcluster plan` adds up
 * what the planned resources need against these numbers (plan/capacity.ts) and refuses a fleet that does
 * not fit before any stack is touched.
 *
 * Quota names follow the services' own quota keys, with units in the name: Nova `cores`, `ram` (MiB),
 * `instances`, `server_groups`; Neutron `floatingip`, `security_group`, `security_group_rule`; Cinder
 * `volumes`, `gigabytes`; Octavia `load_balancer`. Nova has no GPU quota of its own (GPUs are a Placement
 * resource class or a flavor property), so `gpus` is the fleet's budget as agreed with the cloud operator.
 * Nova's names and units: openstack/nova `doc/source/admin/quotas.rst` ("cores: number of instance cores
 * (VCPUs)", "ram: megabytes of instance ram", "instances", "server-groups"). The Neutron, Cinder and
 * Octavia keys are those `openstack quota show` prints for a project (not verified against their source here).
 */
import { z } from "zod";
import { show, type PathSegment, type SpecIssue } from "./issues";
import type { YamlSource } from "./yaml-source";
import type { ClusterDocument, EnvironmentDocument } from "./schema";
import type { Lenient } from "./structure";

const whole = z.number().int().min(0);

const flavorShape = z
  .strictObject({
    vcpus: z.number().int().min(1).describe("vCPUs (Nova flavor `vcpus`)."),
    ramMiB: z.number().int().min(1).describe("RAM in MiB (Nova flavor `ram`)."),
    gpus: whole.optional().describe("GPUs passed through to the instance. Default: 0."),
    diskGiB: whole.describe("Root disk in GiB (Nova flavor `disk`; 0 for volume-only flavors)."),
    pricePerHour: z
      .number()
      .min(0)
      .optional()
      .describe("Price of one instance-hour, in `capacity.currency`. Default: none (no cost estimate)."),
  })
  .describe("What one instance of the flavor takes from the project.");

const quota = z
  .strictObject({
    cores: whole.optional().describe("Nova `cores`: vCPUs."),
    ramMiB: whole.optional().describe("Nova `ram`, in MiB."),
    instances: whole.optional().describe("Nova `instances`."),
    gpus: whole.optional().describe("GPUs the project may use (no Nova quota; the operator's budget)."),
    floatingIps: whole.optional().describe("Neutron `floatingip`."),
    volumes: whole.optional().describe("Cinder `volumes`."),
    volumeGiB: whole.optional().describe("Cinder `gigabytes`."),
    loadBalancers: whole.optional().describe("Octavia `load_balancer`."),
    securityGroups: whole.optional().describe("Neutron `security_group`."),
    securityGroupRules: whole.optional().describe("Neutron `security_group_rule`."),
    serverGroups: whole.optional().describe("Nova `server_groups`."),
  })
  .describe("The project's quotas. A quota left out is not checked (OpenStack's -1, unlimited).");

export const CapacitySection = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
      .optional()
      .describe("Currency of `pricePerHour` (ISO 4217). Required when a flavor has a price."),
    flavors: z
      .record(z.string().min(1), flavorShape)
      .describe("Shape per Nova flavor name. Every flavor a cluster of the environment uses needs one."),
    quota: quota.optional(),
  })
  .describe(
    "Flavor shapes and project quotas: plan reports what the fleet uses and refuses what does not fit. Default: no accounting.",
  );

export type CapacitySectionInput = z.infer<typeof CapacitySection>;

/** One flavor's shape, resolved. */
export interface FlavorShape {
  readonly vcpus: number;
  readonly ramMiB: number;
  readonly gpus: number;
  readonly diskGiB: number;
  /** Absent when the environment gives no price. */
  readonly pricePerHour?: number;
}

/** The quota keys, in report order. */
export const QUOTA_KEYS = [
  "instances",
  "cores",
  "ramMiB",
  "gpus",
  "volumes",
  "volumeGiB",
  "floatingIps",
  "loadBalancers",
  "securityGroups",
  "securityGroupRules",
  "serverGroups",
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** The environment's capacity settings, as every cluster of it carries them. */
export interface CapacitySettings {
  /** ISO 4217; empty when no flavor has a price. */
  readonly currency: string;
  readonly flavors: Readonly<Record<string, FlavorShape>>;
  /** Only the quotas the environment declares. */
  readonly quota: Readonly<Partial<Record<QuotaKey, number>>>;
}

export function resolveCapacity(input: CapacitySectionInput): CapacitySettings {
  const flavors: Record<string, FlavorShape> = {};
  for (const [name, s] of Object.entries(input.flavors)) {
    flavors[name] = {
      vcpus: s.vcpus,
      ramMiB: s.ramMiB,
      gpus: s.gpus ?? 0,
      diskGiB: s.diskGiB,
      ...(s.pricePerHour !== undefined ? { pricePerHour: s.pricePerHour } : {}),
    };
  }
  return { currency: input.currency ?? "", flavors, quota: { ...input.quota } };
}

/** Environment rule: prices need a currency. */
export function checkCapacityEnvironment(
  section: Lenient<CapacitySectionInput> | undefined,
  src: YamlSource,
): SpecIssue[] {
  if (section === undefined || section.currency !== undefined) return [];
  const priced = Object.entries(section.flavors ?? {}).filter(([, s]) => s?.pricePerHour !== undefined);
  if (priced.length === 0) return [];
  return [
    src.issue(
      ["spec", "capacity", "currency"],
      `flavors have prices but no currency (got nothing, prices on ${priced.map(([n]) => n).join(", ")}; allowed: an ISO 4217 code such as EUR)`,
    ),
  ];
}

/** A flavor a cluster uses, and where it was written (for the issue's position). */
export interface FlavorUse {
  readonly flavor: string;
  readonly path: readonly PathSegment[];
  /** What uses it, for the message: `servers`, `pool "workers"`, `ingress nodes`. */
  readonly usedBy: string;
}

/** Cluster rule: with a capacity section, every flavor the cluster uses has a shape. */
export function checkFlavorShapes(
  uses: readonly FlavorUse[],
  section: CapacitySectionInput | undefined,
  environment: string,
  src: YamlSource,
): SpecIssue[] {
  if (section === undefined) return [];
  const known = Object.keys(section.flavors);
  return uses
    .filter((u) => !Object.prototype.hasOwnProperty.call(section.flavors, u.flavor))
    .map((u) =>
      src.issue(
        u.path,
        `no shape for flavor ${show(u.flavor)} used by ${u.usedBy} (allowed: a flavor listed in environment "${environment}" spec.capacity.flavors: ${known.join(", ") || "none"})`,
      ),
    );
}

const P = ["spec", "parameters"] as const;

/** Every flavor a (possibly lenient) cluster document uses, with the field that decided it. */
export function flavorUses(c: Lenient<ClusterDocument>, env: EnvironmentDocument): FlavorUse[] {
  const p = c.spec?.parameters ?? {};
  const flavors = { ...env.spec.flavors, ...p.flavors };
  const role = (r: "server" | "agent" | "gpu" | "ingress", fallback: PathSegment[]): PathSegment[] =>
    p.flavors?.[r] !== undefined ? [...P, "flavors", r] : fallback;
  const uses: FlavorUse[] = [];
  const add = (flavor: string | undefined, path: PathSegment[], usedBy: string) => {
    if (flavor !== undefined) uses.push({ flavor, path, usedBy });
  };
  add(flavors.server, role("server", [...P, "numberOfMasters"]), "the servers");
  if ((p.numberOfWorkers ?? 0) > 0)
    add(flavors.agent, role("agent", [...P, "numberOfWorkers"]), "the default worker pool");
  if ((p.numberOfGpuWorkers ?? 0) > 0)
    add(flavors.gpu, role("gpu", [...P, "numberOfGpuWorkers"]), "the default GPU pool");
  for (const [list, key, r] of [
    [p.workerPools, "workerPools", "agent"],
    [p.gpuPools, "gpuPools", "gpu"],
  ] as const) {
    (list ?? []).forEach((pool, i) => {
      if (pool === undefined || (pool.count ?? 0) === 0) return;
      const by = `pool ${show(pool.name)}`;
      if (pool.flavor !== undefined) add(pool.flavor, [...P, key, i, "flavor"], by);
      else add(flavors[r], role(r, [...P, key, i]), by);
    });
  }
  const topology = p.topology ?? env.spec.defaults?.topology;
  if (topology === undefined || topology.mode === "keepalived")
    add(flavors.ingress ?? flavors.agent, role("ingress", [...P, "topology"]), "the ingress nodes");
  return uses;
}
