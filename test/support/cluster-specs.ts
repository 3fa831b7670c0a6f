/**
 * Resolved cluster specs for component and program tests, written by hand so that these tests do not
 * depend on the spec loader: the reference `ecmwf-ai-platform` (3 servers, 6 workers, 2 GPU workers,
 * keepalived) as the prod environment resolves it, and its octavia variant.
 */
import { ClusterSpec, NodePool, OctaviaTopology } from "../../spec/types";
import { resolveInstall } from "../../spec/resolve";

const AGENT_IMAGE = "6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b";
const GPU_IMAGE = "7a2b3c4d-9e8f-4a1b-8c2d-3e4f5a6b7c8d";
const ZONES = ["az1", "az2", "az3"] as const;

/** A pool as the spec's defaults would make it. */
export function pool(
  name: string,
  role: "agent" | "gpu",
  count: number,
  overrides: Partial<NodePool> = {},
): NodePool {
  return {
    name,
    role,
    count,
    flavor: role === "gpu" ? "g1.a100.2xlarge" : "m1.2xlarge",
    imageId: role === "gpu" ? GPU_IMAGE : AGENT_IMAGE,
    availabilityZones: ZONES,
    labels: {},
    taints: role === "gpu" ? [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }] : [],
    serverGroupPolicy: "soft-anti-affinity",
    rootVolumeGb: 0,
    ...overrides,
  };
}

/** The reference cluster, keepalived topology; `overrides` replace top-level fields. */
export function referenceClusterSpec(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    name: "ecmwf-ai-platform",
    environment: "prod",
    production: true,
    labels: {
      "addons.cert-manager": "enabled",
      "addons.external-dns": "enabled",
      "addons.gpu-operator": "enabled",
      "addons.vault-secrets-operator": "enabled",
    },
    protect: true,
    topology: {
      mode: "keepalived",
      vip: "10.0.50.10",
      apiVip: "10.0.50.9",
      ingressNodes: 2,
      virtualRouterId: 50,
      apiVirtualRouterId: 51,
      advertIntervalSeconds: 1,
      interfaceName: "ens3",
    },
    network: {
      subnetCidr: "10.0.50.0/24",
      gatewayIp: "10.0.50.1",
      dnsServers: ["10.0.0.2", "10.0.0.3"],
      allocationPool: { start: "10.0.50.64", end: "10.0.50.254" },
      mtu: 1450,
    },
    openstack: {
      cloud: "ecmwf-prod",
      region: "RegionOne",
      externalNetwork: "external-internet",
      floatingIpPool: "external-internet",
      octaviaAvailable: true,
      gpuFlavors: ["g1.*", "gpu.*"],
    },
    controlPlane: {
      count: 3,
      flavor: "m1.xlarge",
      imageId: AGENT_IMAGE,
      availabilityZones: ZONES,
      serverGroupPolicy: "anti-affinity",
      rootVolumeGb: 0,
    },
    pools: [pool("workers", "agent", 6), pool("gpu-workers", "gpu", 2)],
    ingress: { flavor: "m1.large", imageId: AGENT_IMAGE, availabilityZones: ZONES },
    rke2: {
      version: "v1.33.3+rke2r1",
      cni: "canal",
      cisProfile: "cis",
      secretsEncryption: true,
      etcdSnapshotScheduleCron: "0 */6 * * *",
      etcdSnapshotRetention: 8,
      podCidr: "10.42.0.0/16",
      serviceCidr: "10.43.0.0/16",
      clusterDns: "10.43.0.10",
      writeKubeconfigMode: "0600",
      install: resolveInstall(undefined),
      upgradeAgentConcurrency: 1,
      etcdS3: undefined,
      cloudProviderName: "external",
    },
    adminCidrs: ["192.168.100.0/24"],
    vault: {
      enabled: true,
      address: "https://vault.platform.example.org:8200",
      kvMount: "secret",
      openstackCredentialPath: "platform/prod/openstack",
      awsCredentialPath: "platform/prod/route53",
      sshPublicKeyPath: "platform/prod/ssh",
      clusterPathPrefix: "clusters/prod",
      awsSecretsMount: "aws",
    },
    dns: { enabled: true, zone: "ai.example.org", privateZone: false, ttlSeconds: 300 },
    rancher: { enabled: true, url: "https://rancher.platform.example.org" },
    backend: { url: "", secretsProvider: "passphrase" },
    policyEnforcement: "mandatory",
    policy: {
      approved: {
        images: [AGENT_IMAGE, GPU_IMAGE].sort(),
        flavors: ["g1.a100.2xlarge", "m1.2xlarge", "m1.large", "m1.xlarge"],
        registries: [],
      },
      exceptions: [],
      adminAddressCeiling: 1024,
    },
    addons: {
      values: {},
      gpuDrivers: "operator",
      acmeEmail: "platform-team@example.org",
    },
    source: {
      clusterFile: "stacks/prod/ecmwf-ai-platform.yaml",
      environmentFile: "stacks/prod/environment.yaml",
    },
    ...overrides,
  };
}

/** The reference cluster with Octavia load balancers instead of keepalived ingress nodes. */
export function octaviaClusterSpec(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  const topology: OctaviaTopology = { mode: "octavia", provider: "amphora" };
  return referenceClusterSpec({ topology, ...overrides });
}
