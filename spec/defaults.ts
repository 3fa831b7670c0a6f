/**
 * Every default the spec applies, named once. Version-like values (RKE2 release, images) have no
 * default: they must be written in the spec or its environment.
 */
export const DEFAULTS = {
  /** RKE2's install script (rke2 install.sh, served at this address). */
  rke2InstallerUrl: "https://get.rke2.io",
  /** Attempts of each RKE2 download and of the install itself. */
  rke2InstallAttempts: 5,
  /** Agents system-upgrade-controller drains and upgrades at a time. */
  upgradeAgentConcurrency: 1,
  /** keepalived: dedicated ingress nodes carrying the VIP. */
  ingressNodes: 2,
  /** keepalived `advert_int`. */
  advertIntervalSeconds: 1,
  /** The VIP sits at this offset from the subnet's network address (10.0.50.0/24 → 10.0.50.10). */
  vipOffset: 10,
  /** keepalived: the API VIP (held by the servers) sits here, just below the ingress VIP (→ 10.0.50.9). */
  apiVipOffset: 9,
  /** The DHCP allocation pool starts here; addresses below are for the gateway, the VIP and fixed node ports. */
  allocationPoolStartOffset: 64,
  mtu: 1450,
  octaviaProvider: "amphora",
  cni: "canal",
  cisProfile: true,
  secretsEncryption: true,
  /** RKE2's own default is every 12 hours with 5 kept; a fleet keeps two days at 6-hour spacing. */
  etcdSnapshotScheduleCron: "0 */6 * * *",
  etcdSnapshotRetention: 8,
  podCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
  writeKubeconfigMode: "0600",
  serverGroupPolicyServers: "anti-affinity",
  serverGroupPolicyPools: "soft-anti-affinity",
  rootVolumeGb: 0,
  production: true,
  policyEnforcement: "mandatory",
  secretsProvider: "passphrase",
  vaultKvMount: "secret",
  vaultAwsSecretsMount: "aws",
  dnsTtlSeconds: 300,
  /** generic-oauth: the userinfo field with the user's groups (OIDC providers' usual `groups` claim). */
  oauthGroupsClaim: "groups",
  /** GPU nodes get the NVIDIA driver from the gpu-operator unless the environment says the image has it. */
  gpuDrivers: "operator",
  /** LDAP: the attribute with the login name (OpenLDAP's `uid`; Active Directory uses sAMAccountName). */
  ldapUserAttribute: "uid",
  /** Default pool names for the reference `numberOfWorkers` / `numberOfGpuWorkers` shorthands. */
  workerPoolName: "workers",
  gpuPoolName: "gpu-workers",
  /** Fixed node addresses (servers, ingress nodes, the Octavia API VIP) start at this offset. */
  fixedAddressOffset: 5,
  /** Servers' fixed addresses start here (components/rke2/fixed-addresses.ts). */
  serverAddressOffset: 11,
} as const;

/** Pool names that would give pool nodes the names of servers or ingress nodes. */
export const RESERVED_POOL_NAMES = ["server", "ingress"] as const;

/** `vX.Y.Z+rke2rN`, as RKE2 publishes its releases. */
export const RKE2_VERSION_PATTERN = /^v\d+\.\d+\.\d+\+rke2r\d+$/;

export const CLUSTER_API_VERSION = "crossplane.ecmwf.int/v1alpha1";
export const ENVIRONMENT_API_VERSION = "xcluster.dev/v1alpha1";
export const ENVIRONMENT_FILE = "environment.yaml";
