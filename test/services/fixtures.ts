/**
 * ClusterSpec fixtures for the platform-services tests, built in code (the resolved spec is plain data).
 * `referenceSpec()` mirrors the reference XCluster document: 3 servers, 6 workers, 2 GPU workers and the
 * add-ons cert-manager, external-dns, vault-secrets-operator and gpu-operator.
 */
import type { ClusterSpec, JupyterHubAuth, NodePool } from "../../spec/types";
import { addonLabel, ADDON_ENABLED, type AddonName } from "../../spec/addons";
import { DEFAULT_GPU_TAINT } from "../../components/conventions";
import { resolveInstall } from "../../spec/resolve";

/** `addons.<name>: enabled` for each name, as the spec resolver derives them from `spec.addons`. */
export function addonLabels(names: readonly AddonName[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [addonLabel(n), ADDON_ENABLED]));
}

function pool(name: string, role: "agent" | "gpu", count: number): NodePool {
  return {
    name,
    role,
    count,
    flavor: role === "gpu" ? "g1.a100" : "m1.xlarge",
    imageId: "11111111-2222-3333-4444-555555555555",
    availabilityZones: ["nova"],
    labels: role === "gpu" ? { "nvidia.com/gpu.present": "true" } : {},
    taints: role === "gpu" ? [{ ...DEFAULT_GPU_TAINT }] : [],
    serverGroupPolicy: "soft-anti-affinity",
    rootVolumeGb: 100,
  };
}

/** The reference cluster (GPU workers; the reference add-on list). */
export function referenceSpec(): ClusterSpec {
  return {
    name: "ecmwf-ai-platform",
    environment: "dev",
    production: false,
    labels: {
      team: "ai",
      ...addonLabels(["cert-manager", "external-dns", "vault-secrets-operator", "gpu-operator"]),
    },
    protect: false,
    topology: { mode: "octavia", provider: "amphora" },
    network: {
      subnetCidr: "10.0.50.0/24",
      gatewayIp: "10.0.50.1",
      dnsServers: ["10.0.0.2"],
      allocationPool: { start: "10.0.50.20", end: "10.0.50.250" },
      mtu: 1450,
    },
    openstack: {
      cloud: "dev-cloud",
      region: "RegionOne",
      externalNetwork: "external-internet",
      floatingIpPool: "external-internet",
      octaviaAvailable: true,
      gpuFlavors: ["g1.*"],
    },
    controlPlane: {
      count: 3,
      flavor: "m1.large",
      imageId: "11111111-2222-3333-4444-555555555555",
      availabilityZones: ["nova"],
      serverGroupPolicy: "anti-affinity",
      rootVolumeGb: 50,
    },
    pools: [pool("workers", "agent", 6), pool("gpu", "gpu", 2)],
    ingress: {
      flavor: "m1.medium",
      imageId: "11111111-2222-3333-4444-555555555555",
      availabilityZones: ["nova"],
    },
    rke2: {
      version: "v1.33.3+rke2r1",
      cni: "canal",
      cisProfile: "cis",
      secretsEncryption: true,
      etcdSnapshotScheduleCron: "0 */6 * * *",
      etcdSnapshotRetention: 10,
      podCidr: "10.42.0.0/16",
      serviceCidr: "10.43.0.0/16",
      clusterDns: "10.43.0.10",
      writeKubeconfigMode: "0600",
      install: resolveInstall(undefined),
      upgradeAgentConcurrency: 1,
      etcdS3: undefined,
      cloudProviderName: "external",
    },
    adminCidrs: ["198.51.100.0/24"],
    vault: {
      enabled: true,
      address: "https://vault.example.org:8200",
      kvMount: "kv",
      openstackCredentialPath: "platform/openstack/dev",
      awsCredentialPath: "platform/aws/route53",
      sshPublicKeyPath: "platform/ssh/nodes",
      clusterPathPrefix: "clusters",
      awsSecretsMount: "aws",
    },
    dns: { enabled: true, zone: "ai.example.org", privateZone: false, ttlSeconds: 300 },
    rancher: { enabled: true, url: "https://rancher.example.org" },
    backend: { url: "", secretsProvider: "passphrase" },
    policyEnforcement: "advisory",
    policy: {
      approved: {
        images: ["11111111-2222-3333-4444-555555555555"],
        flavors: ["g1.a100", "m1.large", "m1.medium", "m1.xlarge"],
        registries: [],
      },
      exceptions: [],
      adminAddressCeiling: 65536,
    },
    addons: { values: {}, gpuDrivers: "operator", acmeEmail: "platform@example.org" },
    source: {
      clusterFile: "stacks/dev/ecmwf-ai-platform.yaml",
      environmentFile: "stacks/dev/environment.yaml",
    },
  };
}

/** A CPU-only cluster that lists gpu-operator and jupyterhub (GitHub login), but not cert-manager. */
export function cpuNotebookSpec(): ClusterSpec {
  const ref = referenceSpec();
  return {
    ...ref,
    name: "eo-notebooks",
    labels: { team: "eo", ...addonLabels(["gpu-operator", "jupyterhub"]) },
    pools: [pool("workers", "agent", 4)],
    addons: {
      ...ref.addons,
      jupyterhubAuth: {
        type: "github",
        credentialPath: "platform/jupyterhub/eo-notebooks",
        allowedGroups: ["eo-team"],
        adminUsers: ["alice"],
      },
    },
  };
}

/** A GPU cluster with the whole notebook stack (generic OAuth login). */
export function gpuNotebookSpec(): ClusterSpec {
  const ref = referenceSpec();
  return {
    ...ref,
    name: "ml-notebooks",
    labels: {
      ...addonLabels([
        "cert-manager",
        "external-dns",
        "vault-secrets-operator",
        "gpu-operator",
        "jupyterhub",
      ]),
    },
    addons: {
      ...ref.addons,
      jupyterhubAuth: {
        type: "generic-oauth",
        credentialPath: "platform/jupyterhub/ml-notebooks",
        allowedGroups: ["ml-users"],
        adminUsers: ["bob"],
        authorizeUrl: "https://sso.example.org/realms/ml/protocol/openid-connect/auth",
        tokenUrl: "https://sso.example.org/realms/ml/protocol/openid-connect/token",
        userdataUrl: "https://sso.example.org/realms/ml/protocol/openid-connect/userinfo",
        scopes: ["openid", "profile", "email"],
        usernameClaim: "preferred_username",
        groupsClaim: "groups",
      },
    },
  };
}

/** A lab without Vault, DNS or Rancher, and without add-ons. */
export function bareLabSpec(): ClusterSpec {
  const ref = referenceSpec();
  return {
    ...ref,
    name: "lab",
    labels: {},
    vault: { ...ref.vault, enabled: false },
    // Without Vault there are no OpenStack credentials for the cloud provider (spec/resolve.ts).
    rke2: { ...ref.rke2, cloudProviderName: "" },
    dns: { ...ref.dns, enabled: false },
    rancher: { ...ref.rancher, enabled: false },
  };
}

/** The spec with Vault off, as the resolver makes it: no Vault, so no OpenStack cloud provider either. */
export function withoutVault(spec: ClusterSpec): ClusterSpec {
  return { ...spec, vault: { ...spec.vault, enabled: false }, rke2: { ...spec.rke2, cloudProviderName: "" } };
}

/** Every fixture, for table-driven tests. */
export const FIXTURES: readonly (() => ClusterSpec)[] = [
  referenceSpec,
  cpuNotebookSpec,
  gpuNotebookSpec,
  bareLabSpec,
];

/** One complete authenticator of each type, as the spec resolver produces them. */
export const AUTH_EXAMPLES: Readonly<Record<JupyterHubAuth["type"], JupyterHubAuth>> = {
  github: { type: "github", credentialPath: "p/jh", allowedGroups: ["g1"], adminUsers: ["a1"] },
  gitlab: {
    type: "gitlab",
    credentialPath: "p/jh",
    allowedGroups: ["g1"],
    adminUsers: ["a1"],
    url: "https://gitlab.example.org",
  },
  "generic-oauth": {
    type: "generic-oauth",
    credentialPath: "p/jh",
    allowedGroups: ["g1"],
    adminUsers: ["a1"],
    authorizeUrl: "https://sso.example.org/auth",
    tokenUrl: "https://sso.example.org/token",
    userdataUrl: "https://sso.example.org/userinfo",
    scopes: ["openid", "profile", "email", "groups"],
    usernameClaim: "preferred_username",
    groupsClaim: "groups",
  },
  azuread: {
    type: "azuread",
    credentialPath: "p/jh",
    allowedGroups: ["g1"],
    adminUsers: ["a1"],
    tenantId: "00000000-1111-2222-3333-444444444444",
  },
  ldap: {
    type: "ldap",
    credentialPath: "p/jh",
    allowedGroups: ["g1"],
    adminUsers: ["a1"],
    serverAddress: "ldap.example.org",
    bindDn: "cn=jupyterhub,ou=services,dc=example,dc=org",
    userSearchBase: "ou=people,dc=example,dc=org",
    userAttribute: "uid",
  },
};
