/**
 * The policy-pack config file for one cluster: the JSON that `pulumi preview --policy-pack-config <file>`
 * and the automation API's `policyPackConfigs` read, and that `evaluatePolicies` takes offline.
 *
 * Format (pulumi/pulumi `LoadPolicyPackConfigFromFile` + `ReconcilePolicyPackConfig`): one key per policy,
 * each `{ "enforcementLevel": …, <configSchema properties> }`, plus `"all"`. The engine applies only the
 * enforcement level of `"all"` (before the per-policy entries, which therefore win) and never its
 * properties, so every rule gets its facts in its own entry, limited to the keys its schema declares.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { policies } from "./policies";
import { defaultEnforcement, priorityOf, XclusterPolicy } from "./lib/rule";
import { PolicyExceptionSetting, Settings } from "./lib/settings";

/** What an environment asks for: P0 rules block, or everything only warns. */
export type EnvironmentEnforcement = "mandatory" | "advisory";

export interface PolicyPackConfigArgs {
  /** The environment's policy level; `advisory` turns every mandatory rule into a warning. */
  readonly enforcement: EnvironmentEnforcement;
  /** Production clusters get the production-only rules (HA, CIS profile, off-site etcd backups). */
  readonly production: boolean;
  /** Cluster name, as in the `cluster=` tag. */
  readonly clusterName: string;
  /** Environment name, as in the `environment=` tag. @default unchecked */
  readonly environment?: string;
  /** Operator/VPN ranges allowed to reach SSH and the Kubernetes API. */
  readonly adminCidrs: readonly string[];
  /** Most public IPv4 addresses the admin ranges may open (`policy.adminAddressCeiling`). @default 1024 */
  readonly adminAddressCeiling?: number;
  /** Glance image IDs approved for the environment (empty: any ID, still no image names). */
  readonly approvedImageIds: readonly string[];
  /** `vault.clusterPathPrefix`; the cluster may write only under `<prefix>/<clusterName>/`. Empty: unchecked. */
  readonly vaultPathPrefix: string;
  /** KV v2 mount the cluster writes to. @default any mount */
  readonly vaultMount?: string;
  /** The cluster subnet (`network.subnetCidr`). @default inferred from the stack's subnets where possible */
  readonly subnetCidr?: string;
  /** VIP addresses (keepalived VIP). @default inferred from the port tagged `role=vip` where possible */
  readonly vipAddresses?: readonly string[];
  /** Names/addresses every server certificate must cover (API DNS name, API floating IP). @default none */
  readonly requiredTlsSans?: readonly string[];
  /** Flavor globs that carry GPUs (`openstack.gpuFlavors`). @default none (role=gpu only) */
  readonly gpuFlavors?: readonly string[];
  /** Nova flavors (glob `*`) approved for the environment. @default any flavor */
  readonly approvedFlavors?: readonly string[];
  /** Container registries images in add-on values may name. @default any registry */
  readonly approvedRegistries?: readonly string[];
  /** Chart repositories add-ons may come from. @default the vendors' official repositories */
  readonly approvedChartRepositories?: readonly string[];
  /** Lowest acceptable gpu-operator chart version. @default "24.9.2" */
  readonly minGpuOperatorVersion?: string;
  /** Route53 zone IDs that are private. @default none (every zone public) */
  readonly privateZoneIds?: readonly string[];
  /**
   * The environment's named exceptions: each rule listed only advises until its `expires` date
   * (inclusive). An expired one no longer lowers its rule, and policy-001 reports it.
   */
  readonly exceptions?: readonly PolicyExceptionSetting[];
  /** The date exceptions are judged against (YYYY-MM-DD, UTC); the caller reads the clock, never a rule. */
  readonly today?: string;
  /** Per-rule enforcement overrides (e.g. `{ "os-ha-001-odd-server-count": "disabled" }`); they win over all else. */
  readonly overrides?: Readonly<Record<string, EnforcementLevel>>;
}

/** One policy's entry: its enforcement level and the facts its schema declares. */
export type PolicyConfigEntry = { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;

/** The whole file: `{ "all": {...}, "<rule>": {...} }` (`all` in advisory environments only). */
export type PolicyPackConfig = Record<string, PolicyConfigEntry>;

function facts(args: PolicyPackConfigArgs): Partial<Settings> {
  const prefix = args.vaultPathPrefix.replace(/\/+$/, "");
  const f: Partial<Settings> = {
    production: args.production,
    clusterName: args.clusterName,
    adminCidrs: [...args.adminCidrs],
    approvedImageIds: [...args.approvedImageIds],
    vaultClusterPath: prefix === "" ? "" : `${prefix}/${args.clusterName}`,
  };
  if (args.environment !== undefined) f.environment = args.environment;
  if (args.adminAddressCeiling !== undefined) f.adminAddressCeiling = args.adminAddressCeiling;
  if (args.vaultMount !== undefined) f.vaultMounts = [args.vaultMount];
  if (args.subnetCidr !== undefined) f.clusterCidrs = [args.subnetCidr];
  if (args.vipAddresses !== undefined) f.vipAddresses = [...args.vipAddresses];
  if (args.requiredTlsSans !== undefined) f.requiredTlsSans = [...args.requiredTlsSans];
  if (args.gpuFlavors !== undefined) f.gpuFlavorPatterns = [...args.gpuFlavors];
  if (args.approvedChartRepositories !== undefined)
    f.approvedChartRepositories = [...args.approvedChartRepositories];
  if (args.approvedFlavors !== undefined) f.approvedFlavors = [...args.approvedFlavors];
  if (args.approvedRegistries !== undefined) f.approvedRegistries = [...args.approvedRegistries];
  if (args.minGpuOperatorVersion !== undefined) f.minGpuOperatorVersion = args.minGpuOperatorVersion;
  if (args.privateZoneIds !== undefined) f.privateZoneIds = [...args.privateZoneIds];
  if (args.exceptions !== undefined) f.policyExceptions = args.exceptions.map((x) => ({ ...x }));
  if (args.today !== undefined) f.today = args.today;
  return f;
}

/** Severities that are always mandatory in production, unless the environment names an exception. */
const PRODUCTION_MANDATORY_SEVERITIES: readonly string[] = ["high", "critical"];

/** The exceptions that hold on `today` (all of them when no date is given). */
export function currentExceptions(
  exceptions: readonly PolicyExceptionSetting[],
  today: string | undefined,
): PolicyExceptionSetting[] {
  return exceptions.filter((x) => today === undefined || today === "" || x.expires >= today);
}

/**
 * The level of one rule: the environment's level (P0 mandatory, P1 advisory; everything advisory in an
 * advisory environment), raised to mandatory in production for high and critical rules, lowered to
 * advisory by a current named exception, and last the explicit overrides.
 */
function levelOf(
  p: XclusterPolicy,
  args: PolicyPackConfigArgs,
  excepted: ReadonlySet<string>,
): EnforcementLevel {
  let level: EnforcementLevel =
    args.enforcement === "advisory" ? "advisory" : defaultEnforcement(priorityOf(p));
  if (args.production && PRODUCTION_MANDATORY_SEVERITIES.includes(p.severity ?? "")) level = "mandatory";
  if (excepted.has(p.name)) level = "advisory";
  return args.overrides?.[p.name] ?? level;
}

/** The policy-pack config for one cluster (write it as JSON; pass the file to preview and the automation API). */
export function policyPackConfig(args: PolicyPackConfigArgs): PolicyPackConfig {
  const known = facts(args) as Record<string, unknown>;
  const names = new Set(policies.map((p) => p.name));
  const allowed = () => [...names].join(", ");
  for (const name of Object.keys(args.overrides ?? {})) {
    if (!names.has(name)) throw new Error(`overrides: no policy named ${name} (allowed: ${allowed()})`);
  }
  for (const x of args.exceptions ?? []) {
    if (!names.has(x.rule))
      throw new Error(`policy.exceptions: no policy named ${x.rule} (allowed: ${allowed()})`);
  }
  const excepted = new Set(currentExceptions(args.exceptions ?? [], args.today).map((x) => x.rule));
  // "all" only ever lowers: a rule this file does not list (a newer pack) must not become mandatory by it.
  const config: PolicyPackConfig =
    args.enforcement === "advisory" ? { all: { enforcementLevel: "advisory" } } : {};
  for (const p of policies) {
    const entry: PolicyConfigEntry = { enforcementLevel: levelOf(p, args, excepted) };
    for (const key of Object.keys(p.configSchema?.properties ?? {})) {
      if (known[key] !== undefined) entry[key] = known[key];
    }
    config[p.name] = entry;
  }
  return config;
}
