/**
 * The resolved cluster specification: what programs and components receive after a cluster document
 * has been parsed, merged with its environment, defaulted and validated. Everything here is plain data;
 * nothing is optional that has a default (defaults are applied once, in `resolve.ts`).
 */
import type { CapacitySettings } from "./capacity";
import type { PolicySettings } from "./policy-section";

/** Ingress topology: Octavia load balancers, or keepalived ingress nodes moving a VIP (clouds without Octavia). */
export type Topology = OctaviaTopology | KeepalivedTopology;

export interface OctaviaTopology {
  readonly mode: "octavia";
  /** Octavia provider driver (`amphora`, `ovn`). */
  readonly provider: string;
}

export interface KeepalivedTopology {
  readonly mode: "keepalived";
  /** Fixed address of the ingress VIP on the cluster subnet, outside the DHCP pool; held by the ingress nodes. */
  readonly vip: string;
  /** Fixed address of the API VIP on the cluster subnet, outside the DHCP pool; held by the servers. */
  readonly apiVip: string;
  /** Number of dedicated ingress nodes carrying the VIP. */
  readonly ingressNodes: number;
  /** keepalived `virtual_router_id` (1–255) of the ingress VIP group (spec/router-ids.ts). */
  readonly virtualRouterId: number;
  /** keepalived `virtual_router_id` (1–255) of the API VIP group; never equal to `virtualRouterId`. */
  readonly apiVirtualRouterId: number;
  /** keepalived `advert_int`. */
  readonly advertIntervalSeconds: number;
  /**
   * Network interface the VIPs are brought up on, when the image's name for the cluster NIC is known.
   * Unset: keepalived finds it at boot (the interface holding the node's address, else the default route's).
   */
  readonly interfaceName?: string;
}

export type NodeRole = "server" | "agent" | "gpu" | "ingress";

export type ServerGroupPolicy = "anti-affinity" | "soft-anti-affinity" | "affinity" | "soft-affinity";

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** A named group of identical RKE2 agents. Nodes are keyed `<pool>-<index>`. */
export interface NodePool {
  readonly name: string;
  readonly role: "agent" | "gpu";
  readonly count: number;
  readonly flavor: string;
  /** Glance image ID (IDs, not names: a name can be re-pointed at another image). */
  readonly imageId: string;
  readonly availabilityZones: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly serverGroupPolicy: ServerGroupPolicy;
  /** Root volume size; 0 boots from the flavor's ephemeral disk. */
  readonly rootVolumeGb: number;
}

export interface ControlPlane {
  readonly count: number;
  readonly flavor: string;
  readonly imageId: string;
  readonly availabilityZones: readonly string[];
  readonly serverGroupPolicy: ServerGroupPolicy;
  readonly rootVolumeGb: number;
}

export interface IngressNodes {
  readonly flavor: string;
  readonly imageId: string;
  readonly availabilityZones: readonly string[];
}

export type Cni = "canal" | "cilium" | "calico";

/** etcd snapshots to S3; the credentials stay in Vault and reach the cluster as a kube-system Secret. */
export interface EtcdS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly folder: string;
  /** Empty: RKE2's default region. */
  readonly region: string;
  /** Vault KV path with `access_key_id` and `secret_access_key`. */
  readonly credentialPath: string;
}

/** Where the RKE2 release artifacts come from. */
export type Rke2ArtifactSource =
  | { readonly mode: "online" }
  /** A mirror of the GitHub release downloads (`INSTALL_RKE2_ARTIFACT_URL`). */
  | { readonly mode: "mirror"; readonly url: string }
  /** Files already on the node image (`INSTALL_RKE2_ARTIFACT_PATH`), `install.sh` among them. */
  | { readonly mode: "airgap"; readonly path: string };

/** How nodes install RKE2 and pull images (environment `rke2Install`). */
export interface Rke2Install {
  readonly installerUrl: string;
  /** Pinned sha256 of the install script; undefined: not pinned. */
  readonly installerSha256: string | undefined;
  readonly artifacts: Rke2ArtifactSource;
  /** Attempts of each download and of the install. */
  readonly attempts: number;
  /** RKE2 `system-default-registry` (servers); empty: unset. */
  readonly systemDefaultRegistry: string;
  /** registries.yaml mirrors: registry → endpoints. */
  readonly registryMirrors: Readonly<Record<string, readonly string[]>>;
  /** registries.yaml credentials: registry host[:port] → Vault KV path (fields `username`, `password`). */
  readonly registryCredentials: Readonly<Record<string, string>>;
}

export interface Rke2Settings {
  /** RKE2 release, e.g. `v1.33.3+rke2r1`. Never defaulted. */
  readonly version: string;
  readonly cni: Cni;
  /** RKE2 `profile`; `cis` hardens the node (kernel parameters, PSA, etcd user). Empty string: off. */
  readonly cisProfile: "cis" | "";
  readonly secretsEncryption: boolean;
  readonly etcdSnapshotScheduleCron: string;
  readonly etcdSnapshotRetention: number;
  /** Snapshots also go to S3 (RKE2 `etcd-s3` with `etcd-s3-config-secret`); undefined: off. */
  readonly etcdS3: EtcdS3 | undefined;
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly clusterDns: string;
  /** `write-kubeconfig-mode`. */
  readonly writeKubeconfigMode: string;
  readonly install: Rke2Install;
  /** Agents system-upgrade-controller upgrades at a time (servers: one at a time). */
  readonly upgradeAgentConcurrency: number;
  /**
   * RKE2 `cloud-provider-name` on every node: `external` when the OpenStack cloud controller manager runs
   * (every cluster whose OpenStack credentials come from Vault), empty otherwise.
   */
  readonly cloudProviderName: "external" | "";
}

export interface Network {
  readonly subnetCidr: string;
  readonly gatewayIp: string;
  readonly dnsServers: readonly string[];
  /** DHCP allocation pool; addresses below `start` are left for the gateway, the VIP and fixed addresses. */
  readonly allocationPool: { readonly start: string; readonly end: string };
  readonly mtu: number;
}

export interface OpenStackSettings {
  /** Entry in `clouds.yaml` (used when credentials do not come from Vault). */
  readonly cloud: string;
  readonly region: string;
  /** Name of the external network the router uplinks to. */
  readonly externalNetwork: string;
  /** Its ID, when the environment gives it: then nothing looks the network up by name. */
  readonly externalNetworkId?: string;
  /** Pool floating IPs are allocated from. */
  readonly floatingIpPool: string;
  readonly octaviaAvailable: boolean;
  /** Flavor names (glob `*`) that carry GPUs. */
  readonly gpuFlavors: readonly string[];
}

export interface VaultSettings {
  readonly enabled: boolean;
  readonly address: string;
  /** KV v2 mount. */
  readonly kvMount: string;
  readonly openstackCredentialPath: string;
  readonly awsCredentialPath: string;
  readonly sshPublicKeyPath: string;
  /** Per-cluster secrets are written under `<clusterPathPrefix>/<cluster>`. */
  readonly clusterPathPrefix: string;
  /** Mount of Vault's AWS secrets engine: each cluster's external-dns gets its own Route53 credentials there. */
  readonly awsSecretsMount: string;
}

export interface DnsSettings {
  readonly enabled: boolean;
  /** Route53 hosted zone, e.g. `ai.example.org`. */
  readonly zone: string;
  readonly privateZone: boolean;
  readonly ttlSeconds: number;
}

export interface RancherSettings {
  readonly enabled: boolean;
  readonly url: string;
}

export interface BackendSettings {
  /** Pulumi backend URL; empty means the project's local file backend. */
  readonly url: string;
  /** `passphrase` or a `hashivault://` key. */
  readonly secretsProvider: string;
}

export type EnforcementLevel = "mandatory" | "advisory";

interface JupyterHubAuthCommon {
  /** Vault KV path (under the mount) holding `client_id` and `client_secret` (OAuth) or `bind_password` (LDAP). */
  readonly credentialPath: string;
  readonly allowedGroups: readonly string[];
  readonly adminUsers: readonly string[];
}

/** How JupyterHub users log in: one shape per authenticator, each with what it needs to log anyone in. */
export type JupyterHubAuth =
  | (JupyterHubAuthCommon & { readonly type: "github" | "gitlab"; readonly url?: string })
  | (JupyterHubAuthCommon & {
      readonly type: "generic-oauth";
      readonly authorizeUrl: string;
      readonly tokenUrl: string;
      readonly userdataUrl: string;
      readonly scopes: readonly string[];
      readonly usernameClaim: string;
      readonly groupsClaim: string;
    })
  | (JupyterHubAuthCommon & {
      readonly type: "azuread";
      readonly tenantId: string;
      readonly usernameClaim?: string;
    })
  | (JupyterHubAuthCommon & {
      readonly type: "ldap";
      readonly serverAddress: string;
      readonly bindDn: string;
      readonly userSearchBase: string;
      readonly userAttribute: string;
    });

/** Add-on settings. Which add-ons a cluster gets is decided by the catalogue's label selectors on `labels`. */
export interface AddonSettings {
  /** Extra Helm values per add-on from the spec, merged over the derived values. */
  readonly values: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly jupyterhubAuth?: JupyterHubAuth;
  /**
   * Who provides the NVIDIA kernel driver on GPU nodes: the gpu-operator's driver container (`operator`),
   * or the GPU image itself (`preinstalled`: the operator's driver is off).
   */
  readonly gpuDrivers: "operator" | "preinstalled";
  /** ACME account e-mail for cert-manager's issuer. */
  readonly acmeEmail: string;
}

/** One cluster, fully resolved. */
export interface ClusterSpec {
  readonly name: string;
  readonly environment: string;
  readonly production: boolean;
  /** Cluster labels (from `metadata.labels` plus `addons.<name>: enabled` for each listed add-on). */
  readonly labels: Readonly<Record<string, string>>;
  readonly protect: boolean;
  readonly topology: Topology;
  readonly network: Network;
  readonly openstack: OpenStackSettings;
  readonly controlPlane: ControlPlane;
  readonly pools: readonly NodePool[];
  readonly ingress: IngressNodes;
  readonly rke2: Rke2Settings;
  readonly adminCidrs: readonly string[];
  readonly vault: VaultSettings;
  readonly dns: DnsSettings;
  readonly rancher: RancherSettings;
  readonly backend: BackendSettings;
  readonly policyEnforcement: EnforcementLevel;
  /** The environment's approved lists, exceptions and admin-range ceiling (spec/policy-section.ts). */
  readonly policy: PolicySettings;
  readonly addons: AddonSettings;
  /** The environment's flavor shapes and project quotas; absent when it declares none (no accounting). */
  readonly capacity?: CapacitySettings;
  /** Where the spec came from (for messages and the stack config). */
  readonly source: { readonly clusterFile: string; readonly environmentFile: string };
}
