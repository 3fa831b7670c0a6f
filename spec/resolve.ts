/**
 * Merges a valid cluster document with its environment and applies every default once, producing the
 * plain `ClusterSpec` that programs and components receive.
 */
import { ADDON_ENABLED, addonLabel } from "./addons";
import { DEFAULTS } from "./defaults";
import { resolveCapacity } from "./capacity";
import { allocationPoolOf } from "./semantics";
import { formatIpv4, isCidr, nthAddress, parseCidr } from "./ipv4";
import type { ClusterDocument, EnvironmentDocument, PoolInput } from "./schema";
import type { ClusterSpec, JupyterHubAuth, NodePool, Rke2Install, Taint, Topology } from "./types";
import { routerIdScopeOf, routerIdsFor } from "./router-ids";
import { resolvePolicySettings } from "./policy-section";
import { DEFAULT_GPU_TAINT } from "../components/conventions";

export interface ResolveSources {
  readonly clusterFile: string;
  readonly environmentFile: string;
}

/** Requires documents that passed `checkStructure` and `checkCluster` (it does not re-validate). */
export function resolveCluster(
  c: ClusterDocument,
  env: EnvironmentDocument,
  sources: ResolveSources,
): ClusterSpec {
  const p = c.spec.parameters;
  const e = env.spec;
  const subnet = parseCidr(p.subnetCidr);
  if (!isCidr(subnet)) throw new Error(`resolveCluster needs a validated spec: bad subnet ${p.subnetCidr}`);
  const production = e.production ?? DEFAULTS.production;
  const flavors = { ...e.flavors, ...p.flavors };
  const images = { ...e.images, ...p.images };
  const zones = e.openstack.availabilityZones ?? [];

  const labels: Record<string, string> = { ...c.metadata.labels };
  for (const name of c.spec.addons ?? []) labels[addonLabel(name)] = ADDON_ENABLED;

  const pool = allocationPoolOf(p, subnet);
  if (!pool) throw new Error(`resolveCluster needs a validated spec: bad allocation pool`);

  const rke2 = { ...e.defaults?.rke2, ...p.rke2 };
  const snapshots = { ...e.defaults?.rke2?.etcdSnapshots, ...p.rke2?.etcdSnapshots };
  const serviceCidr = rke2.serviceCidr ?? DEFAULTS.serviceCidr;
  const serviceNet = parseCidr(serviceCidr);

  const agentPool = (input: PoolInput, role: "agent" | "gpu"): NodePool => ({
    name: input.name,
    role,
    count: input.count,
    flavor: input.flavor ?? (role === "gpu" ? (flavors.gpu ?? "") : flavors.agent),
    imageId: input.imageId ?? (role === "gpu" ? (images.gpu ?? images.agent) : images.agent),
    availabilityZones: input.availabilityZones ?? zones,
    labels: { ...input.labels },
    taints:
      input.taints?.map((t): Taint => ({ key: t.key, value: t.value, effect: t.effect })) ??
      (role === "gpu" ? [{ ...DEFAULT_GPU_TAINT }] : []),
    serverGroupPolicy: input.serverGroupPolicy ?? DEFAULTS.serverGroupPolicyPools,
    rootVolumeGb: input.rootVolumeGb ?? DEFAULTS.rootVolumeGb,
  });
  const pools: NodePool[] = [];
  if (p.numberOfWorkers > 0)
    pools.push(agentPool({ name: DEFAULTS.workerPoolName, count: p.numberOfWorkers }, "agent"));
  if (p.numberOfGpuWorkers > 0)
    pools.push(agentPool({ name: DEFAULTS.gpuPoolName, count: p.numberOfGpuWorkers }, "gpu"));
  for (const wp of p.workerPools ?? []) pools.push(agentPool(wp, "agent"));
  for (const gp of p.gpuPools ?? []) pools.push(agentPool(gp, "gpu"));

  const topologyInput = p.topology ?? e.defaults?.topology ?? { mode: "keepalived" as const };
  const topology: Topology =
    topologyInput.mode === "octavia"
      ? { mode: "octavia", provider: topologyInput.provider ?? DEFAULTS.octaviaProvider }
      : {
          mode: "keepalived",
          vip: topologyInput.vip ?? nthAddress(subnet, DEFAULTS.vipOffset),
          apiVip: topologyInput.apiVip ?? nthAddress(subnet, DEFAULTS.apiVipOffset),
          ingressNodes: topologyInput.ingressNodes ?? DEFAULTS.ingressNodes,
          ...resolvedRouterIds(c.metadata.name, topologyInput, env),
          advertIntervalSeconds: topologyInput.advertIntervalSeconds ?? DEFAULTS.advertIntervalSeconds,
          ...(topologyInput.interfaceName !== undefined
            ? { interfaceName: topologyInput.interfaceName }
            : {}),
        };

  const vault = e.vault;
  const dns = e.dns;
  const auth = e.jupyterhub?.auth;
  return {
    name: c.metadata.name,
    environment: env.metadata.name,
    production,
    labels,
    protect: p.protect ?? production,
    topology,
    network: {
      subnetCidr: subnet.text,
      gatewayIp: nthAddress(subnet, 1),
      dnsServers: p.network?.dnsServers ?? e.openstack.dnsServers ?? [],
      allocationPool: { start: formatIpv4(pool.start), end: formatIpv4(pool.end) },
      mtu: p.network?.mtu ?? DEFAULTS.mtu,
    },
    openstack: {
      cloud: e.openstack.cloud,
      region: e.openstack.region,
      externalNetwork: e.openstack.externalNetwork,
      ...(e.openstack.externalNetworkId !== undefined
        ? { externalNetworkId: e.openstack.externalNetworkId }
        : {}),
      floatingIpPool: p.floatingIpPool,
      octaviaAvailable: e.openstack.octaviaAvailable ?? false,
      gpuFlavors: e.openstack.gpuFlavors ?? [],
    },
    controlPlane: {
      count: p.numberOfMasters,
      flavor: flavors.server,
      imageId: images.server,
      availabilityZones: p.controlPlane?.availabilityZones ?? zones,
      serverGroupPolicy: p.controlPlane?.serverGroupPolicy ?? DEFAULTS.serverGroupPolicyServers,
      rootVolumeGb: p.controlPlane?.rootVolumeGb ?? DEFAULTS.rootVolumeGb,
    },
    pools,
    ingress: {
      flavor: flavors.ingress ?? flavors.agent,
      imageId: images.ingress ?? images.agent,
      availabilityZones: zones,
    },
    rke2: {
      // The OpenStack cloud controller manager needs application credentials, which only come from Vault;
      // without it an `external` cloud provider would leave every node tainted uninitialized forever.
      cloudProviderName: vault !== undefined && vault.enabled !== false ? "external" : "",
      version: p.rke2Version,
      cni: rke2.cni ?? DEFAULTS.cni,
      cisProfile: (rke2.cisProfile ?? DEFAULTS.cisProfile) ? "cis" : "",
      secretsEncryption: rke2.secretsEncryption ?? DEFAULTS.secretsEncryption,
      etcdSnapshotScheduleCron: snapshots.scheduleCron ?? DEFAULTS.etcdSnapshotScheduleCron,
      etcdSnapshotRetention: snapshots.retention ?? DEFAULTS.etcdSnapshotRetention,
      etcdS3:
        snapshots.s3 === undefined
          ? undefined
          : {
              endpoint: snapshots.s3.endpoint,
              bucket: snapshots.s3.bucket,
              folder: snapshots.s3.folder ?? c.metadata.name,
              region: snapshots.s3.region ?? "",
              credentialPath: snapshots.s3.credentialPath,
            },
      podCidr: rke2.podCidr ?? DEFAULTS.podCidr,
      serviceCidr,
      // RKE2 puts CoreDNS at the tenth address of the service range.
      clusterDns: isCidr(serviceNet) ? nthAddress(serviceNet, 10) : "",
      writeKubeconfigMode: DEFAULTS.writeKubeconfigMode,
      install: resolveInstall(e.rke2Install),
      upgradeAgentConcurrency: rke2.upgrade?.agentConcurrency ?? DEFAULTS.upgradeAgentConcurrency,
    },
    adminCidrs: p.adminCidrs ?? e.adminCidrs ?? [],
    vault: {
      enabled: vault !== undefined && vault.enabled !== false,
      address: vault?.address ?? "",
      kvMount: vault?.kvMount ?? DEFAULTS.vaultKvMount,
      openstackCredentialPath: vault?.openstackCredentialPath ?? "",
      awsCredentialPath: vault?.awsCredentialPath ?? "",
      sshPublicKeyPath: vault?.sshPublicKeyPath ?? "",
      clusterPathPrefix: vault?.clusterPathPrefix ?? "",
      awsSecretsMount: vault?.awsSecretsMount ?? DEFAULTS.vaultAwsSecretsMount,
    },
    dns: {
      enabled: dns !== undefined && dns.enabled !== false,
      zone: dns?.zone ?? "",
      privateZone: dns?.privateZone ?? false,
      ttlSeconds: dns?.ttlSeconds ?? DEFAULTS.dnsTtlSeconds,
    },
    rancher: { enabled: e.rancher !== undefined && e.rancher.enabled !== false, url: e.rancher?.url ?? "" },
    backend: {
      url: e.backend?.url ?? "",
      secretsProvider: e.backend?.secretsProvider ?? DEFAULTS.secretsProvider,
    },
    policyEnforcement: e.policy?.enforcement ?? DEFAULTS.policyEnforcement,
    policy: resolvePolicySettings({ ...e, production }),
    addons: {
      values: { ...c.spec.addonValues },
      ...(auth
        ? {
            jupyterhubAuth: resolveJupyterHubAuth(auth),
          }
        : {}),
      gpuDrivers: e.gpuDrivers ?? DEFAULTS.gpuDrivers,
      acmeEmail: e.acmeEmail ?? "",
    },
    ...(e.capacity !== undefined ? { capacity: resolveCapacity(e.capacity) } : {}),
    source: { clusterFile: sources.clusterFile, environmentFile: sources.environmentFile },
  };
}

/** Both groups' IDs (spec/router-ids.ts); validation has already rejected a cluster missing from the order. */
function resolvedRouterIds(
  name: string,
  t: { readonly virtualRouterId?: number | undefined; readonly apiVirtualRouterId?: number | undefined },
  env: EnvironmentDocument,
): { virtualRouterId: number; apiVirtualRouterId: number } {
  const ids = routerIdsFor(
    name,
    { ingress: t.virtualRouterId, api: t.apiVirtualRouterId },
    routerIdScopeOf(env),
  );
  if (ids === undefined) throw new Error(`resolveCluster needs a validated spec: no router IDs for ${name}`);
  return { virtualRouterId: ids.ingress, apiVirtualRouterId: ids.api };
}

/** The environment's install settings with their defaults. */
export function resolveInstall(i: EnvironmentDocument["spec"]["rke2Install"]): Rke2Install {
  return {
    installerUrl: i?.installerUrl ?? DEFAULTS.rke2InstallerUrl,
    installerSha256: i?.installerSha256,
    artifacts:
      i?.artifactPath !== undefined
        ? { mode: "airgap", path: i.artifactPath }
        : i?.artifactUrl !== undefined
          ? { mode: "mirror", url: i.artifactUrl }
          : { mode: "online" },
    attempts: DEFAULTS.rke2InstallAttempts,
    systemDefaultRegistry: i?.systemDefaultRegistry ?? "",
    registryMirrors: Object.fromEntries(
      Object.entries(i?.registryMirrors ?? {}).map(([k, v]) => [k, [...v]]),
    ),
    registryCredentials: { ...(i?.registryCredentials ?? {}) },
  };
}

/** The environment's authenticator with its defaults applied. */
function resolveJupyterHubAuth(
  auth: NonNullable<NonNullable<EnvironmentDocument["spec"]["jupyterhub"]>["auth"]>,
): JupyterHubAuth {
  const common = {
    credentialPath: auth.credentialPath,
    allowedGroups: auth.allowedGroups ?? [],
    adminUsers: auth.adminUsers ?? [],
  };
  switch (auth.type) {
    case "github":
    case "gitlab":
      return { ...common, type: auth.type, ...(auth.url === undefined ? {} : { url: auth.url }) };
    case "generic-oauth":
      return {
        ...common,
        type: auth.type,
        authorizeUrl: auth.authorizeUrl,
        tokenUrl: auth.tokenUrl,
        userdataUrl: auth.userdataUrl,
        scopes: auth.scopes,
        usernameClaim: auth.usernameClaim,
        groupsClaim: auth.groupsClaim ?? DEFAULTS.oauthGroupsClaim,
      };
    case "azuread":
      return {
        ...common,
        type: auth.type,
        tenantId: auth.tenantId,
        ...(auth.usernameClaim === undefined ? {} : { usernameClaim: auth.usernameClaim }),
      };
    case "ldap":
      return {
        ...common,
        type: auth.type,
        serverAddress: auth.serverAddress,
        bindDn: auth.bindDn,
        userSearchBase: auth.userSearchBase,
        userAttribute: auth.userAttribute ?? DEFAULTS.ldapUserAttribute,
      };
  }
}
