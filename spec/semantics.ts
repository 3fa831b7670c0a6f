/**
 * Rules that span fields or documents: CIDRs and their overlaps, the server count, the VIP and the
 * DHCP pool, pool names, GPU flavors, add-on selection. They run on structurally valid documents so
 * that each rule can trust its inputs; structural issues are reported beside them.
 */
import { ADDON_ENABLED, ADDON_NAMES, addonLabel, isAddonName } from "./addons";
import { DEFAULTS, RESERVED_POOL_NAMES, RKE2_VERSION_PATTERN } from "./defaults";
import type { ClusterDocument, EnvironmentDocument, PoolInput } from "./schema";
import { show, type PathSegment, type SpecIssue } from "./issues";
import {
  broadcast,
  cidrContains,
  cidrsOverlap,
  cidrSize,
  formatIpv4,
  isCidr,
  parseCidr,
  parseIpv4,
  type Cidr,
} from "./ipv4";
import type { YamlSource } from "./yaml-source";
import { checkClusterRouterIds, checkEnvironmentRouterIds } from "./router-ids";
import type { Lenient } from "./structure";
import { checkCapacityEnvironment, checkFlavorShapes, flavorUses } from "./capacity";

export type { Lenient } from "./structure";
type LenientCluster = Lenient<ClusterDocument>;
type LenientPool = Lenient<PoolInput>;

const P = ["spec", "parameters"] as const;

/** Smallest and largest subnet prefix: room for fixed addresses and a DHCP pool, and no silly sizes. */
export const SUBNET_PREFIX_RANGE = { min: 16, max: 26 } as const;
/** Longest service CIDR prefix: /28 leaves room for the tenth address. */
const SERVICE_PREFIX_MAX = 28;

/** Checks one environment document on its own. */
/**
 * Checks one environment document on its own. It may be lenient (only the fields structure proved), so
 * that an environment with a structural issue still gets every other problem reported.
 */
export function checkEnvironment(env: Lenient<EnvironmentDocument>, src: YamlSource): SpecIssue[] {
  const spec = env.spec ?? {};
  const issues: SpecIssue[] = checkCapacityEnvironment(spec.capacity, src);
  (spec.adminCidrs ?? []).forEach((c, i) => {
    if (c !== undefined) checkAdminCidr(c, ["spec", "adminCidrs", i], src, issues);
  });
  checkDnsServers(spec.openstack?.dnsServers, ["spec", "openstack", "dnsServers"], src, issues);
  const rke2 = spec.defaults?.rke2;
  const pod = rke2?.podCidr
    ? checkCidr(rke2.podCidr, ["spec", "defaults", "rke2", "podCidr"], src, issues)
    : undefined;
  const svc = rke2?.serviceCidr
    ? checkServiceCidr(rke2.serviceCidr, ["spec", "defaults", "rke2", "serviceCidr"], src, issues)
    : undefined;
  if (pod && svc && cidrsOverlap(pod, svc)) {
    issues.push(
      src.issue(
        ["spec", "defaults", "rke2", "serviceCidr"],
        `pod and service CIDRs overlap (got ${pod.text} and ${svc.text}; allowed: disjoint ranges)`,
      ),
    );
  }
  const topology = spec.defaults?.topology;
  if (
    topology?.mode === "keepalived" &&
    topology.vip !== undefined &&
    parseIpv4(topology.vip) === undefined
  ) {
    issues.push(
      src.issue(["spec", "defaults", "topology", "vip"], `not an IPv4 address (got ${show(topology.vip)})`),
    );
  }
  const install = spec.rke2Install;
  if (install?.artifactPath !== undefined && install.artifactUrl !== undefined) {
    issues.push(
      src.issue(
        ["spec", "rke2Install", "artifactPath"],
        `an air-gapped artifact path and an artifact mirror URL exclude each other (got both; allowed: artifactPath or artifactUrl)`,
      ),
    );
  }
  const vaultOn = spec.vault !== undefined && spec.vault.enabled !== false;
  for (const host of Object.keys(install?.registryCredentials ?? {})) {
    if (!vaultOn) {
      issues.push(
        src.issue(
          ["spec", "rke2Install", "registryCredentials", host],
          `registry credentials come from Vault, which this environment does not enable (got a Vault path for ${show(host)}; allowed: registryCredentials only with an enabled spec.vault)`,
          true,
        ),
      );
    }
  }
  if (spec.defaults?.topology?.mode === "octavia" && spec.openstack?.octaviaAvailable !== true) {
    issues.push(
      src.issue(
        ["spec", "defaults", "topology", "mode"],
        `octavia is not available in this environment (got "octavia"; allowed: "keepalived" unless spec.openstack.octaviaAvailable is true)`,
      ),
    );
  }
  // The router-ID rules need the whole order: a hole in it was reported by the structure check.
  const keepalived = spec.keepalived;
  const order = keepalived?.clusterOrder;
  if (order === undefined || order.every((n) => n !== undefined)) {
    const routerIds = {
      routerIdScope: keepalived?.routerIdScope,
      clusterOrder: order as readonly string[] | undefined,
    };
    const whole = {
      metadata: { name: env.metadata?.name ?? "" },
      spec: { keepalived: keepalived && routerIds },
    };
    issues.push(...checkEnvironmentRouterIds(whole, src));
  }
  // The Rancher add-on serves at the URL's host and registration goes over verified TLS
  // (components/addons/rancher.ts refuses anything but https).
  if (spec.rancher?.url !== undefined && !spec.rancher.url.startsWith("https://")) {
    issues.push(
      src.issue(
        ["spec", "rancher", "url"],
        `must be https (got ${show(spec.rancher.url)}; allowed: https://…)`,
      ),
    );
  }
  const gpuFlavors = (spec.openstack?.gpuFlavors ?? []).filter((f) => f !== undefined);
  if (spec.flavors?.gpu !== undefined && !isGpuFlavor(spec.flavors.gpu, gpuFlavors)) {
    issues.push(
      src.issue(
        ["spec", "flavors", "gpu"],
        `not a GPU flavor (got ${show(spec.flavors.gpu)}; allowed: ${gpuFlavorListOf(gpuFlavors)})`,
      ),
    );
  }
  return issues;
}

/**
 * Checks one cluster document against its (valid) environment. The document may be lenient (fields
 * that failed structural validation removed), so that these rules still report on the rest.
 */
export function checkCluster(c: LenientCluster, src: YamlSource, env: EnvironmentDocument): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const p = c.spec?.parameters ?? {};
  const production = env.spec.production ?? DEFAULTS.production;

  if (p.rke2Version !== undefined && !RKE2_VERSION_PATTERN.test(p.rke2Version)) {
    issues.push(
      src.issue(
        [...P, "rke2Version"],
        `malformed RKE2 version (got ${show(p.rke2Version)}; allowed: vX.Y.Z+rke2rN, e.g. v1.33.3+rke2r1)`,
      ),
    );
  }

  if (p.numberOfMasters === undefined) {
    // Reported by the structural check.
  } else if (p.numberOfMasters < 1 || p.numberOfMasters % 2 === 0) {
    issues.push(
      src.issue(
        [...P, "numberOfMasters"],
        `etcd needs an odd number of servers (got ${p.numberOfMasters}; allowed: ${production ? "3, 5, 7" : "1, 3, 5"}…)`,
      ),
    );
  } else if (p.numberOfMasters === 1 && production) {
    issues.push(
      src.issue(
        [...P, "numberOfMasters"],
        `a single server is allowed only in non-production environments (got 1; allowed: 3, 5, 7… in production environment "${env.metadata.name}")`,
      ),
    );
  }

  const subnet =
    p.subnetCidr === undefined ? undefined : checkCidr(p.subnetCidr, [...P, "subnetCidr"], src, issues);
  const sized =
    subnet !== undefined &&
    subnet.prefixLength >= SUBNET_PREFIX_RANGE.min &&
    subnet.prefixLength <= SUBNET_PREFIX_RANGE.max;
  if (subnet && !sized) {
    issues.push(
      src.issue(
        [...P, "subnetCidr"],
        `subnet size out of range (got /${subnet.prefixLength}; allowed: /${SUBNET_PREFIX_RANGE.min} to /${SUBNET_PREFIX_RANGE.max})`,
      ),
    );
  }
  const rke2 = { ...env.spec.defaults?.rke2, ...p.rke2 };
  const podPath = p.rke2?.podCidr ? [...P, "rke2", "podCidr"] : [...P, "subnetCidr"];
  const svcPath = p.rke2?.serviceCidr ? [...P, "rke2", "serviceCidr"] : [...P, "subnetCidr"];
  const pod = p.rke2?.podCidr
    ? checkCidr(p.rke2.podCidr, podPath, src, issues)
    : cidrOf(rke2.podCidr ?? DEFAULTS.podCidr);
  const svc = p.rke2?.serviceCidr
    ? checkServiceCidr(p.rke2.serviceCidr, svcPath, src, issues)
    : cidrOf(rke2.serviceCidr ?? DEFAULTS.serviceCidr);
  if (subnet && pod && cidrsOverlap(subnet, pod)) {
    issues.push(
      src.issue(
        podPath,
        `subnet and pod CIDR overlap (got subnet ${subnet.text} and pod CIDR ${pod.text}; allowed: disjoint ranges)`,
      ),
    );
  }
  if (subnet && svc && cidrsOverlap(subnet, svc)) {
    issues.push(
      src.issue(
        svcPath,
        `subnet and service CIDR overlap (got subnet ${subnet.text} and service CIDR ${svc.text}; allowed: disjoint ranges)`,
      ),
    );
  }
  if (pod && svc && cidrsOverlap(pod, svc)) {
    issues.push(
      src.issue(
        svcPath,
        `pod and service CIDRs overlap (got ${pod.text} and ${svc.text}; allowed: disjoint ranges)`,
      ),
    );
  }
  (p.adminCidrs ?? []).forEach((a, i) => {
    if (a !== undefined) checkAdminCidr(a, [...P, "adminCidrs", i], src, issues);
  });
  checkDnsServers(p.network?.dnsServers, [...P, "network", "dnsServers"], src, issues);

  // A subnet of the wrong size is the root cause: the address plan inside it is not checked as well.
  if (subnet && sized) checkAddressPlan(c, src, env, subnet, issues);
  issues.push(...checkClusterRouterIds(c, src, env));
  checkPools(c, src, env, issues);
  issues.push(...checkFlavorShapes(flavorUses(c, env), env.spec.capacity, env.metadata.name, src));
  checkAddons(c, src, env, issues);

  const vaultOn = env.spec.vault !== undefined && env.spec.vault.enabled !== false;
  if (p.rke2?.etcdSnapshots?.s3 !== undefined && !vaultOn) {
    issues.push(
      src.issue(
        [...P, "rke2", "etcdSnapshots", "s3", "credentialPath"],
        `S3 credentials come from Vault, which environment "${env.metadata.name}" does not enable (got a credentialPath; allowed: etcd snapshots to S3 only with spec.vault in the environment)`,
      ),
    );
  }
  if (p.topology?.mode === "octavia" && env.spec.openstack.octaviaAvailable !== true) {
    issues.push(
      src.issue(
        [...P, "topology", "mode"],
        `octavia is not available in environment "${env.metadata.name}" (got "octavia"; allowed: "keepalived")`,
      ),
    );
  }
  return issues;
}

function checkAddressPlan(
  c: LenientCluster,
  src: YamlSource,
  env: EnvironmentDocument,
  subnet: Cidr,
  issues: SpecIssue[],
): void {
  const p = c.spec?.parameters ?? {};
  const poolPath = [...P, "network", "allocationPool"];
  const range = allocationPoolOf(p, subnet);
  if (p.network?.allocationPool) {
    const { start, end } = p.network.allocationPool;
    for (const [field, value] of [
      ["start", start],
      ["end", end],
    ] as const) {
      if (value === undefined) continue;
      const a = parseIpv4(value);
      if (a === undefined)
        issues.push(src.issue([...poolPath, field], `not an IPv4 address (got ${show(value)})`));
      else if (!cidrContains(subnet, a) || a === subnet.network || a === broadcast(subnet)) {
        issues.push(
          src.issue(
            [...poolPath, field],
            `outside the usable addresses of ${subnet.text} (got ${show(value)})`,
          ),
        );
      }
    }
    if (range && range.start > range.end)
      issues.push(src.issue(poolPath, `start after end (got ${show(start)} to ${show(end)})`));
    const gateway = subnet.network + 1;
    if (range && range.start <= gateway && gateway <= range.end) {
      issues.push(
        src.issue(
          [...poolPath, "start"],
          `the DHCP pool includes the gateway ${formatIpv4(gateway)}, which DHCP would hand out (got ${show(start)} to ${show(end)}; allowed: a pool above the fixed addresses)`,
        ),
      );
    }
  }
  const topology = p.topology ?? env.spec.defaults?.topology;
  if (topology?.mode === "keepalived") {
    const fromCluster = p.topology?.mode === "keepalived";
    const check = (field: "vip" | "apiVip", what: string, text: string | undefined) => {
      if (text === undefined) return;
      const path = fromCluster ? [...P, "topology", field] : ["spec", "parameters"];
      const vip = parseIpv4(text);
      if (vip === undefined) issues.push(src.issue(path, `not an IPv4 address (got ${show(text)})`));
      else if (!cidrContains(subnet, vip) || vip === subnet.network || vip === broadcast(subnet)) {
        issues.push(
          src.issue(
            path,
            `${what} outside the cluster subnet (got ${show(text)}; allowed: a host address of ${subnet.text})`,
          ),
        );
      } else if (vip === subnet.network + 1) {
        issues.push(
          src.issue(
            path,
            `${what} is the subnet's gateway (got ${show(text)}; allowed: another address below the DHCP pool)`,
          ),
        );
      } else if (range && vip >= range.start && vip <= range.end) {
        issues.push(
          src.issue(
            path,
            `${what} inside the DHCP allocation pool (got ${show(text)}; allowed: an address outside the pool)`,
          ),
        );
      }
    };
    check("vip", "VIP", topology.vip);
    check("apiVip", "API VIP", topology.apiVip);
    const vipAt = parseIpv4(topology.vip ?? "") ?? subnet.network + DEFAULTS.vipOffset;
    const apiVipAt = parseIpv4(topology.apiVip ?? "") ?? subnet.network + DEFAULTS.apiVipOffset;
    if (vipAt === apiVipAt) {
      issues.push(
        src.issue(
          fromCluster
            ? [...P, "topology", topology.apiVip !== undefined ? "apiVip" : "vip"]
            : ["spec", "parameters"],
          `the API VIP and the ingress VIP are the same address (got ${formatIpv4(vipAt)}; allowed: two different addresses, held by different nodes)`,
        ),
      );
    }
  }
  if (range && range.start <= range.end && p.numberOfMasters !== undefined) {
    // Servers and ingress nodes take fixed addresses below the DHCP pool (components/rke2/fixed-addresses.ts):
    // servers from subnet+11, ingress nodes and the Octavia API VIP from subnet+5, skipping the VIPs.
    // keepalived reserves both VIPs first; the Octavia API VIP is one of the counted fixed addresses.
    const keepalived = topology?.mode !== "octavia";
    const reserved = keepalived
      ? [
          parseIpv4((topology?.mode === "keepalived" ? topology.vip : undefined) ?? "") ??
            subnet.network + DEFAULTS.vipOffset,
          parseIpv4((topology?.mode === "keepalived" ? topology.apiVip : undefined) ?? "") ??
            subnet.network + DEFAULTS.apiVipOffset,
        ]
      : [];
    const free = (from: number) =>
      range.start -
      (subnet.network + from) -
      new Set(reserved.filter((a) => a >= subnet.network + from && a < range.start)).size;
    const ingressNodes =
      topology !== undefined && "ingressNodes" in topology ? topology.ingressNodes : undefined;
    const ingress = topology?.mode === "octavia" ? 1 : (ingressNodes ?? DEFAULTS.ingressNodes);
    const needed = p.numberOfMasters + ingress;
    const where = p.network?.allocationPool ? [...poolPath, "start"] : [...P, "subnetCidr"];
    const room = (what: string, count: number, from: number) =>
      `no room for ${count} ${what} address(es) from ${formatIpv4(subnet.network + from)} below the DHCP pool ` +
      `(got ${Math.max(0, free(from))} free before ${formatIpv4(range.start)}; allowed: a pool that starts after them)`;
    if (free(DEFAULTS.serverAddressOffset) < p.numberOfMasters) {
      issues.push(src.issue(where, room("server", p.numberOfMasters, DEFAULTS.serverAddressOffset)));
    } else if (free(DEFAULTS.fixedAddressOffset) < needed) {
      issues.push(src.issue(where, room("fixed server and ingress", needed, DEFAULTS.fixedAddressOffset)));
    }
  }
  if (range && range.start <= range.end) {
    const agents =
      (p.numberOfWorkers ?? 0) + (p.numberOfGpuWorkers ?? 0) + sum(p.workerPools) + sum(p.gpuPools);
    const capacity = range.end - range.start + 1;
    if (agents > capacity) {
      issues.push(
        src.issue(
          [...P, "subnetCidr"],
          `the DHCP pool is too small for the agents (got ${agents} agents for ${capacity} addresses; allowed: at most ${capacity})`,
        ),
      );
    }
  }
}

function sum(pools: readonly (LenientPool | undefined)[] | undefined): number {
  return (pools ?? []).reduce((n, pl) => n + (pl?.count ?? 0), 0);
}

/** The DHCP pool as integers: the spec's, or the default one. Undefined when the spec's is malformed. */
export function allocationPoolOf(
  p: Lenient<ClusterDocument["spec"]["parameters"]>,
  subnet: Cidr,
): { start: number; end: number } | undefined {
  if (p.network?.allocationPool) {
    const start = parseIpv4(p.network.allocationPool.start ?? "");
    const end = parseIpv4(p.network.allocationPool.end ?? "");
    return start === undefined || end === undefined ? undefined : { start, end };
  }
  const offset = Math.min(DEFAULTS.allocationPoolStartOffset, Math.floor(cidrSize(subnet) / 4));
  return { start: subnet.network + offset, end: broadcast(subnet) - 1 };
}

function checkPools(c: LenientCluster, src: YamlSource, env: EnvironmentDocument, issues: SpecIssue[]): void {
  const p = c.spec?.parameters ?? {};
  const seen = new Map<string, string>();
  if ((p.numberOfWorkers ?? 0) > 0) seen.set(DEFAULTS.workerPoolName, "numberOfWorkers");
  if ((p.numberOfGpuWorkers ?? 0) > 0) seen.set(DEFAULTS.gpuPoolName, "numberOfGpuWorkers");
  for (const [list, key] of [
    [p.workerPools, "workerPools"],
    [p.gpuPools, "gpuPools"],
  ] as const) {
    (list ?? []).forEach((pool, i) => {
      if (pool?.name === undefined) return;
      if ((RESERVED_POOL_NAMES as readonly string[]).includes(pool.name)) {
        issues.push(
          src.issue(
            [...P, key, i, "name"],
            `reserved pool name: its nodes would take the names of ${pool.name} nodes (got ${show(pool.name)}; allowed: any other name)`,
          ),
        );
        return;
      }
      const prior = seen.get(pool.name);
      if (prior !== undefined) {
        issues.push(
          src.issue(
            [...P, key, i, "name"],
            `duplicate pool name (got ${show(pool.name)}, already used by ${prior}; allowed: a name used once)`,
          ),
        );
      } else {
        seen.set(pool.name, `${key}[${i}]`);
      }
    });
  }
  const gpuFlavors = env.spec.openstack.gpuFlavors ?? [];
  const clusterGpuFlavor = p.flavors?.gpu ?? env.spec.flavors.gpu;
  const gpuFlavorPath: PathSegment[] =
    p.flavors?.gpu !== undefined ? [...P, "flavors", "gpu"] : [...P, "numberOfGpuWorkers"];
  const needsDefaultGpuFlavor =
    (p.numberOfGpuWorkers ?? 0) > 0 ||
    (p.gpuPools ?? []).some((g) => g !== undefined && g.flavor === undefined);
  if (needsDefaultGpuFlavor) {
    if (clusterGpuFlavor === undefined) {
      issues.push(
        src.issue(
          gpuFlavorPath,
          `GPU nodes need a GPU flavor (got none; allowed: set flavors.gpu here or in environment "${env.metadata.name}")`,
        ),
      );
    } else if (!isGpuFlavor(clusterGpuFlavor, gpuFlavors)) {
      issues.push(
        src.issue(
          gpuFlavorPath,
          `GPU nodes need a GPU flavor (got ${show(clusterGpuFlavor)}; allowed: ${gpuFlavorList(env)})`,
        ),
      );
    }
  }
  (p.gpuPools ?? []).forEach((pool, i) => {
    if (pool?.flavor !== undefined && !isGpuFlavor(pool.flavor, gpuFlavors)) {
      issues.push(
        src.issue(
          [...P, "gpuPools", i, "flavor"],
          `GPU pool without a GPU flavor (got ${show(pool.flavor)}; allowed: ${gpuFlavorList(env)})`,
        ),
      );
    }
  });
}

function checkAddons(
  c: LenientCluster,
  src: YamlSource,
  env: EnvironmentDocument,
  issues: SpecIssue[],
): void {
  const p = c.spec?.parameters ?? {};
  const labels = c.metadata?.labels ?? {};
  const addons: readonly (string | undefined)[] = c.spec?.addons ?? [];
  for (const key of Object.keys(labels)) {
    if (key.startsWith("addons.") && !isAddonName(key.slice("addons.".length))) {
      issues.push(
        src.issue(
          ["metadata", "labels", key],
          `label selects an unknown add-on (got ${show(key)}; allowed: ${ADDON_NAMES.map(addonLabel).join(", ")})`,
          true,
        ),
      );
    }
  }
  const selected = (name: string) => addons.includes(name) || labels[addonLabel(name)] === ADDON_ENABLED;
  const where = (name: string): PathSegment[] => {
    const i = addons.indexOf(name);
    return i >= 0 ? ["spec", "addons", i] : ["metadata", "labels", addonLabel(name)];
  };
  const gpuNodes = (p.numberOfGpuWorkers ?? 0) + sum(p.gpuPools);
  if (selected("gpu-operator") && gpuNodes === 0) {
    issues.push(
      src.issue(
        where("gpu-operator"),
        `gpu-operator on a cluster without GPU nodes (got 0 GPU nodes; allowed: numberOfGpuWorkers or gpuPools with at least one node)`,
      ),
    );
  }
  if (selected("jupyterhub") && env.spec.jupyterhub?.auth === undefined) {
    issues.push(
      src.issue(
        where("jupyterhub"),
        `jupyterhub needs an authenticator (got none in environment "${env.metadata.name}"; allowed: set spec.jupyterhub.auth there)`,
      ),
    );
  }
  if (selected("rancher") && env.spec.rancher === undefined) {
    issues.push(
      src.issue(
        where("rancher"),
        `the rancher add-on is served at the environment's Rancher URL (got no spec.rancher in environment "${env.metadata.name}"; allowed: set spec.rancher.url there)`,
      ),
    );
  }
  // external-dns's Route53 credentials are limited to the cluster's domain in the environment's zone
  // (components/route53-credentials.ts): without DNS there is no zone to limit them to.
  if (selected("external-dns") && (env.spec.dns === undefined || env.spec.dns.enabled === false)) {
    issues.push(
      src.issue(
        where("external-dns"),
        `external-dns writes records in the environment's Route53 zone (got DNS disabled in environment "${env.metadata.name}"; allowed: enable spec.dns there, or drop the add-on)`,
      ),
    );
  }
  const vaultEnabled = env.spec.vault !== undefined && env.spec.vault.enabled !== false;
  for (const [name, what] of Object.entries(VAULT_SECRETS)) {
    if (selected(name) && !vaultEnabled) {
      issues.push(
        src.issue(
          where(name),
          `${name} reads ${what} from Vault (got no enabled spec.vault in environment "${env.metadata.name}"; allowed: enable Vault there, or drop the add-on)`,
        ),
      );
    }
  }
  for (const name of Object.keys(c.spec?.addonValues ?? {})) {
    if (!selected(name)) {
      issues.push(
        src.issue(
          ["spec", "addonValues", name],
          `values for an add-on this cluster does not select (got ${show(name)}; allowed: ${selectedList(selected)})`,
          true,
        ),
      );
    }
  }
}

/**
 * Add-ons whose Kubernetes Secret is filled from Vault (the `secrets` of components/addons/external-dns.ts
 * and jupyterhub.ts): without Vault the Addons component has nothing to fill it with and refuses.
 */
const VAULT_SECRETS: Readonly<Record<string, string>> = {
  "external-dns": "its own Route53 credentials (Vault's AWS secrets engine, vault.awsSecretsMount)",
  jupyterhub: "its authenticator's credentials (jupyterhub.auth.credentialPath)",
};

function selectedList(selected: (name: string) => boolean): string {
  const names = ADDON_NAMES.filter(selected);
  return names.length > 0 ? names.join(", ") : "none selected";
}

function checkCidr(
  text: string,
  path: readonly PathSegment[],
  src: YamlSource,
  issues: SpecIssue[],
): Cidr | undefined {
  const parsed = parseCidr(text);
  if (isCidr(parsed)) return parsed;
  issues.push(
    src.issue(path, `bad CIDR: ${parsed.error} (got ${show(text)}; allowed: a.b.c.d/n with host bits zero)`),
  );
  return undefined;
}

/** Admin ranges reach SSH and the Kubernetes API: a /0 would open both to the internet. */
function checkAdminCidr(
  text: string,
  path: readonly PathSegment[],
  src: YamlSource,
  issues: SpecIssue[],
): void {
  const parsed = checkCidr(text, path, src, issues);
  if (parsed?.prefixLength === 0) {
    issues.push(
      src.issue(
        path,
        `would open SSH and the Kubernetes API to the internet (got ${show(text)}; allowed: a prefix of /1 or longer)`,
      ),
    );
  }
}

/**
 * The service range: RKE2 puts CoreDNS at its tenth address (see `clusterDns` in resolve.ts), so it needs
 * at least 16 addresses.
 */
function checkServiceCidr(
  text: string,
  path: readonly PathSegment[],
  src: YamlSource,
  issues: SpecIssue[],
): Cidr | undefined {
  const parsed = checkCidr(text, path, src, issues);
  if (parsed && parsed.prefixLength > SERVICE_PREFIX_MAX) {
    issues.push(
      src.issue(
        path,
        `service range too small for the cluster DNS address at its tenth address (got /${parsed.prefixLength}; allowed: /${SERVICE_PREFIX_MAX} or larger)`,
      ),
    );
    return undefined;
  }
  return parsed;
}

/** Resolvers handed out by DHCP: IPv4 addresses (the subnet is IPv4). */
function checkDnsServers(
  servers: readonly (string | undefined)[] | undefined,
  path: readonly PathSegment[],
  src: YamlSource,
  issues: SpecIssue[],
): void {
  (servers ?? []).forEach((server, i) => {
    if (server !== undefined && parseIpv4(server) === undefined)
      issues.push(src.issue([...path, i], `not an IPv4 address (got ${show(server)}; allowed: a.b.c.d)`));
  });
}

function cidrOf(text: string): Cidr | undefined {
  const parsed = parseCidr(text);
  return isCidr(parsed) ? parsed : undefined;
}

export function isGpuFlavor(flavor: string, patterns: readonly string[]): boolean {
  return patterns.some((pat) => new RegExp(`^${pat.split("*").map(escapeRegExp).join(".*")}$`).test(flavor));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

function gpuFlavorList(env: EnvironmentDocument): string {
  return gpuFlavorListOf(env.spec.openstack.gpuFlavors ?? []);
}

function gpuFlavorListOf(list: readonly string[]): string {
  return list.length > 0
    ? `one of ${list.join(", ")} (environment spec.openstack.gpuFlavors)`
    : "none: the environment lists no spec.openstack.gpuFlavors";
}
