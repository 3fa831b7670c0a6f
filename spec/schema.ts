/**
 * The structure of the two spec documents, as zod schemas. The validator, the TypeScript input types
 * and the editor JSON Schema (`schema/*.schema.json`) all come from here. Semantic rules that span
 * fields or documents (CIDR overlaps, odd server counts, GPU flavors…) live in `semantics.ts`.
 */
import { z } from "zod";
import { ADDON_NAMES } from "./addons";
import { CapacitySection } from "./capacity";
import { CLUSTER_API_VERSION, DEFAULTS, ENVIRONMENT_API_VERSION } from "./defaults";
import { approvedSection, policySection } from "./policy-section";

const name = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
    "must be a DNS label: lower-case letters, digits and '-', 1–40 long",
  )
  .describe(
    "A DNS label: lower-case letters, digits and '-', starting with a letter, at most 40 characters.",
  );
const count = z.number().int().min(0);
const labels = z.record(z.string(), z.string());
const cidr = z.string().describe("IPv4 CIDR, e.g. 10.0.50.0/24.");
const address = z.string().describe("IPv4 address.");
const imageId = z
  .string()
  .regex(/^[0-9a-fA-F-]{8,64}$/, "must be a Glance image ID (names can be re-pointed)")
  .describe("Glance image ID. IDs, not names: a name can be re-pointed at another image.");
/** Neutron resource IDs are UUIDs in their canonical lower-case form. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const serverGroupPolicy = z.enum(["anti-affinity", "soft-anti-affinity", "affinity", "soft-affinity"]);
const availabilityZones = z
  .array(z.string().min(1))
  .describe("Availability zones, used round-robin. Default: none (the cloud's default).");

const taint = z.strictObject({
  key: z.string().min(1).describe("Taint key, e.g. nvidia.com/gpu."),
  value: z.string().default("").describe('Taint value. Default: "".'),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

const topology = z
  .discriminatedUnion("mode", [
    z.strictObject({
      mode: z.literal("octavia"),
      provider: z
        .string()
        .optional()
        .describe(`Octavia provider driver. Default: ${DEFAULTS.octaviaProvider}.`),
    }),
    z.strictObject({
      mode: z.literal("keepalived"),
      vip: address
        .optional()
        .describe(
          `Ingress VIP (held by the ingress nodes) on the cluster subnet, outside the DHCP pool. Default: subnet address + ${DEFAULTS.vipOffset}.`,
        ),
      apiVip: address
        .optional()
        .describe(
          `API VIP (Kubernetes API and RKE2 registration, held by the servers) on the cluster subnet, outside the DHCP pool. Default: subnet address + ${DEFAULTS.apiVipOffset}.`,
        ),
      ingressNodes: z
        .number()
        .int()
        .min(2)
        .max(9)
        .optional()
        .describe(`Dedicated ingress nodes. Default: ${DEFAULTS.ingressNodes}.`),
      virtualRouterId: z
        .number()
        .int()
        .min(1)
        .max(255)
        .optional()
        .describe(
          "keepalived virtual_router_id of the ingress VIP group. Unique only inside the cluster (its own network) unless the environment sets keepalived.routerIdScope. Default: derived from the cluster name.",
        ),
      apiVirtualRouterId: z
        .number()
        .int()
        .min(1)
        .max(255)
        .optional()
        .describe(
          "keepalived virtual_router_id of the API VIP group; differs from virtualRouterId (both groups share the cluster's network). Default: the next free ID after virtualRouterId.",
        ),
      advertIntervalSeconds: z
        .number()
        .int()
        .min(1)
        .max(255)
        .optional()
        .describe(`keepalived advert_int. Default: ${DEFAULTS.advertIntervalSeconds}.`),
      interfaceName: z
        .string()
        .regex(
          // The renderer's rule (components/keepalived/render.ts): it starts with a letter or digit.
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/,
          "must be a Linux interface name (1–15 letters, digits, '_', '.', '-'; starting with a letter or digit)",
        )
        .optional()
        .describe(
          "Interface keepalived brings the VIPs up on. Default: found at boot on each node (the interface holding the node's address, else the default route's).",
        ),
    }),
  ])
  .describe(
    "Ingress topology: Octavia load balancers, or keepalived ingress nodes moving a VIP. Default: keepalived.",
  );

const rke2 = z
  .strictObject({
    cni: z.enum(["canal", "cilium", "calico"]).optional().describe(`Default: ${DEFAULTS.cni}.`),
    cisProfile: z.boolean().optional().describe("Run RKE2 with `profile: cis`. Default: true."),
    secretsEncryption: z.boolean().optional().describe("Encrypt Secrets at rest in etcd. Default: true."),
    etcdSnapshots: z
      .strictObject({
        scheduleCron: z
          .string()
          .min(1)
          .optional()
          .describe(`Default: "${DEFAULTS.etcdSnapshotScheduleCron}".`),
        retention: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe(`Snapshots kept. Default: ${DEFAULTS.etcdSnapshotRetention}.`),
        s3: z
          .strictObject({
            endpoint: z
              .string()
              .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "must be a host name, optionally with :port (no scheme)")
              .describe("S3 endpoint (RKE2 etcd-s3-endpoint), e.g. s3.eu-west-1.amazonaws.com."),
            bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
            folder: z.string().min(1).optional().describe("Default: the cluster name."),
            region: z.string().min(1).optional().describe("Default: RKE2's (us-east-1)."),
            credentialPath: z
              .string()
              .min(1)
              .describe(
                "Vault KV path holding access_key_id and secret_access_key; never literal credentials.",
              ),
          })
          .optional()
          .describe(
            "Also send snapshots to S3, over verified TLS. Default: off (snapshots stay on the servers).",
          ),
      })
      .optional(),
    podCidr: cidr.optional().describe(`Default: ${DEFAULTS.podCidr}.`),
    serviceCidr: cidr.optional().describe(`Default: ${DEFAULTS.serviceCidr}.`),
    upgrade: z
      .strictObject({
        agentConcurrency: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe(
            `Agents drained and upgraded at a time by system-upgrade-controller (servers: always one). Default: ${DEFAULTS.upgradeAgentConcurrency}.`,
          ),
      })
      .optional()
      .describe("How a change of rke2Version is rolled out in the cluster."),
  })
  .describe("RKE2 settings.");

const httpsUrl = z
  .string()
  .regex(
    /^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/+-]*)?$/,
    "must be an https URL without query or spaces",
  );
const registryHost = z
  .string()
  .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "must be a registry host name, optionally with :port");

/** Where nodes get RKE2 from: mirrors and air-gapped installs (components/rke2/install-script.ts). */
const rke2Install = z
  .strictObject({
    installerUrl: httpsUrl
      .optional()
      .describe(`RKE2's install script. Default: ${DEFAULTS.rke2InstallerUrl}.`),
    installerSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be a sha256 (64 lowercase hex digits)")
      .optional()
      .describe("Pin the install script's sha256. Default: not pinned (fetched over verified TLS)."),
    artifactUrl: httpsUrl
      .optional()
      .describe(
        "A mirror of RKE2's release downloads (INSTALL_RKE2_ARTIFACT_URL). Default: GitHub releases.",
      ),
    artifactPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]*$/, "must be an absolute path")
      .optional()
      .describe(
        "Air-gapped: a directory on the node image holding install.sh, rke2.linux-<arch>.tar.gz, sha256sum-<arch>.txt and the image tarballs (INSTALL_RKE2_ARTIFACT_PATH). Excludes artifactUrl.",
      ),
    systemDefaultRegistry: registryHost
      .optional()
      .describe(
        "RKE2 `system-default-registry` on servers: pull RKE2's own images from here. Default: unset.",
      ),
    registryMirrors: z
      .record(registryHost, z.array(httpsUrl).min(1))
      .optional()
      .describe("registries.yaml mirrors: registry → endpoints, on every node. Default: none."),
    registryCredentials: z
      .record(registryHost, z.string().min(1))
      .optional()
      .describe(
        "registries.yaml credentials: registry host[:port] (a mirror endpoint's) → Vault KV path holding username and password. Needs spec.vault; never literal credentials. Default: none.",
      ),
  })
  .describe("How nodes install RKE2 and pull images: mirrors, air-gapped artifacts.");

const roleMap = <T extends z.ZodType>(t: T) =>
  z.strictObject({ server: t.optional(), agent: t.optional(), gpu: t.optional(), ingress: t.optional() });

const pool = z.strictObject({
  name: name.describe("Pool name; nodes are named <cluster>-<pool>-<index>. A DNS label."),
  count: count.describe("Nodes in the pool."),
  flavor: z
    .string()
    .min(1)
    .optional()
    .describe("Nova flavor. Default: the environment's flavor for the role."),
  imageId: imageId.optional().describe("Default: the environment's image for the role."),
  availabilityZones: availabilityZones.optional(),
  labels: labels.optional().describe("Kubernetes node labels."),
  taints: z
    .array(taint)
    .optional()
    .describe("Kubernetes node taints. GPU pools default to nvidia.com/gpu=present:NoSchedule."),
  serverGroupPolicy: serverGroupPolicy.optional().describe(`Default: ${DEFAULTS.serverGroupPolicyPools}.`),
  rootVolumeGb: count
    .optional()
    .describe("Boot from a volume of this size; 0 boots from the flavor's disk. Default: 0."),
});

const network = z.strictObject({
  dnsServers: z.array(address).optional().describe("Default: the environment's DNS servers."),
  allocationPool: z
    .strictObject({ start: address, end: address })
    .optional()
    .describe(
      `DHCP pool. Default: subnet address + ${DEFAULTS.allocationPoolStartOffset} to the last usable address.`,
    ),
  mtu: z.number().int().min(1280).max(9000).optional().describe(`Default: ${DEFAULTS.mtu}.`),
});

export const ClusterDocument = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal(CLUSTER_API_VERSION),
    kind: z.literal("XCluster"),
    metadata: z.strictObject({
      name,
      labels: labels.optional().describe("Cluster labels; add-ons are selected by them."),
      annotations: labels.optional(),
    }),
    spec: z.strictObject({
      parameters: z.strictObject({
        numberOfMasters: z
          .number()
          .int()
          .describe("RKE2 servers: odd; 1 only in non-production environments."),
        numberOfWorkers: count.describe(`Agents in the default pool "${DEFAULTS.workerPoolName}".`),
        numberOfGpuWorkers: count.describe(`GPU agents in the default pool "${DEFAULTS.gpuPoolName}".`),
        rke2Version: z.string().describe("RKE2 release, vX.Y.Z+rke2rN. Required: never defaulted."),
        subnetCidr: cidr,
        floatingIpPool: z.string().min(1).describe("External network floating IPs come from."),
        topology: topology.optional(),
        network: network.optional(),
        workerPools: z.array(pool).optional().describe("Named agent pools, in addition to the default pool."),
        gpuPools: z
          .array(pool)
          .optional()
          .describe("Named GPU agent pools, in addition to the default GPU pool."),
        controlPlane: z
          .strictObject({
            availabilityZones: availabilityZones.optional(),
            serverGroupPolicy: serverGroupPolicy
              .optional()
              .describe(`Default: ${DEFAULTS.serverGroupPolicyServers}.`),
            rootVolumeGb: count.optional(),
          })
          .optional(),
        flavors: roleMap(z.string().min(1))
          .optional()
          .describe("Overrides the environment's flavors per role."),
        images: roleMap(imageId).optional().describe("Overrides the environment's image IDs per role."),
        rke2: rke2.optional(),
        adminCidrs: z.array(cidr).optional().describe("Overrides the environment's admin CIDRs."),
        protect: z
          .boolean()
          .optional()
          .describe("Refuse destroy and mark resources protected. Default: production."),
      }),
      addons: z
        .array(z.enum(ADDON_NAMES))
        .optional()
        .describe("Add-ons; each sets the label addons.<name>: enabled."),
      addonValues: z
        .partialRecord(z.enum(ADDON_NAMES), z.record(z.string(), z.unknown()))
        .optional()
        .describe("Extra Helm values per add-on."),
    }),
  })
  .describe("One cluster: the reference XCluster API, extended.");

const oauthUrl = z
  .string()
  .regex(/^https:\/\/[^\s/]+/, "must be an https URL")
  .describe("An https URL.");
const authCommon = {
  credentialPath: z
    .string()
    .min(1)
    .describe("Vault KV path with client_id/client_secret (or the LDAP bind password)."),
  allowedGroups: z
    .array(z.string().min(1))
    .optional()
    .describe("Groups (organisations for github) whose members may log in. Default: none (admins only)."),
  adminUsers: z.array(z.string().min(1)).optional().describe("JupyterHub admins. Default: none."),
};
/** One shape per authenticator, with exactly the settings it needs to log anyone in (docs/services.md). */
const jupyterhubAuth = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("github"),
      ...authCommon,
      url: oauthUrl.optional().describe("GitHub Enterprise URL. Default: https://github.com."),
    }),
    z.strictObject({
      type: z.literal("gitlab"),
      ...authCommon,
      url: oauthUrl.optional().describe("GitLab URL. Default: https://gitlab.com."),
    }),
    z.strictObject({
      type: z.literal("generic-oauth"),
      ...authCommon,
      authorizeUrl: oauthUrl.describe("The provider's OAuth2 authorization endpoint."),
      tokenUrl: oauthUrl.describe("The provider's token endpoint."),
      userdataUrl: oauthUrl.describe("The provider's userinfo endpoint."),
      scopes: z
        .array(z.string().min(1))
        .min(1)
        .describe('Scopes to request, e.g. ["openid", "profile", "email"].'),
      usernameClaim: z.string().min(1).describe("Userinfo field that is the JupyterHub user name."),
      groupsClaim: z
        .string()
        .min(1)
        .optional()
        .describe(`Userinfo field listing the user's groups. Default: ${DEFAULTS.oauthGroupsClaim}.`),
    }),
    z.strictObject({
      type: z.literal("azuread"),
      ...authCommon,
      tenantId: z.string().min(1).describe("Entra ID (Azure AD) tenant ID."),
      usernameClaim: z
        .string()
        .min(1)
        .optional()
        .describe("Token claim that is the JupyterHub user name. Default: the authenticator's (name)."),
    }),
    z.strictObject({
      type: z.literal("ldap"),
      ...authCommon,
      serverAddress: z.string().min(1).describe("LDAP server host name (StartTLS before bind on 389)."),
      bindDn: z.string().min(1).describe("DN of the search account the hub binds as to look users up."),
      userSearchBase: z.string().min(1).describe("Base DN under which users are looked up."),
      userAttribute: z
        .string()
        .min(1)
        .optional()
        .describe(`Attribute holding the login name. Default: ${DEFAULTS.ldapUserAttribute}.`),
    }),
  ])
  .describe("How JupyterHub users log in.");

export const EnvironmentDocument = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal(ENVIRONMENT_API_VERSION),
    kind: z.literal("XEnvironment"),
    metadata: z.strictObject({ name }),
    spec: z.strictObject({
      production: z
        .boolean()
        .optional()
        .describe("Production rules (≥3 servers, strict policies). Default: true."),
      openstack: z.strictObject({
        cloud: z.string().min(1).describe("clouds.yaml entry, when credentials do not come from Vault."),
        region: z.string().min(1),
        externalNetwork: z.string().min(1).describe("Name of the external network routers uplink to."),
        externalNetworkId: z
          .string()
          .regex(
            UUID,
            "must be a Neutron network ID, a lower-case UUID (`openstack network show NAME -c id`)",
          )
          .optional()
          .describe(
            "ID of the external network. When set, the program uses it and never looks the network up by name, " +
              "so a preview needs no Keystone. Default: looked up by name at every preview.",
          ),
        octaviaAvailable: z.boolean().optional().describe("Whether the cloud runs Octavia. Default: false."),
        gpuFlavors: z
          .array(z.string().min(1))
          .optional()
          .describe("Flavor names (glob *) with GPUs. Default: none."),
        dnsServers: z.array(address).optional().describe("Default: none (the cloud's DHCP default)."),
        availabilityZones: availabilityZones.optional(),
      }),
      flavors: z.strictObject({
        server: z.string().min(1),
        agent: z.string().min(1),
        gpu: z.string().min(1).optional().describe("Required when a cluster has GPU nodes."),
        ingress: z.string().min(1).optional().describe("Default: the agent flavor."),
      }),
      images: z.strictObject({
        server: imageId,
        agent: imageId,
        gpu: imageId.optional().describe("Default: the agent image."),
        ingress: imageId.optional().describe("Default: the agent image."),
      }),
      adminCidrs: z
        .array(cidr)
        .optional()
        .describe("Where SSH and the Kubernetes API may be reached from. Default: nowhere."),
      backend: z
        .strictObject({
          url: z
            .string()
            .optional()
            .describe("Pulumi backend URL. Default: a file backend inside the project."),
          secretsProvider: z
            .string()
            .optional()
            .describe(`"passphrase" or a hashivault:// key. Default: ${DEFAULTS.secretsProvider}.`),
        })
        .optional(),
      vault: z
        .strictObject({
          enabled: z.boolean().optional().describe("Default: true when this section is present."),
          address: z.string().url(),
          kvMount: z.string().min(1).optional().describe(`KV v2 mount. Default: ${DEFAULTS.vaultKvMount}.`),
          openstackCredentialPath: z.string().min(1),
          awsCredentialPath: z.string().min(1),
          sshPublicKeyPath: z.string().min(1),
          clusterPathPrefix: z.string().min(1).describe("Per-cluster secrets go to <prefix>/<cluster>."),
          awsSecretsMount: z
            .string()
            .min(1)
            .optional()
            .describe(
              `Vault AWS secrets engine that issues each cluster's own Route53 credentials. Default: ${DEFAULTS.vaultAwsSecretsMount}.`,
            ),
        })
        .optional(),
      dns: z
        .strictObject({
          enabled: z.boolean().optional(),
          zone: z.string().min(1),
          privateZone: z.boolean().optional().describe("Default: false."),
          ttlSeconds: z
            .number()
            .int()
            .min(30)
            .max(86400)
            .optional()
            .describe(`Default: ${DEFAULTS.dnsTtlSeconds}.`),
        })
        .optional(),
      rancher: z.strictObject({ enabled: z.boolean().optional(), url: z.string().url() }).optional(),
      rke2Install: rke2Install.optional(),
      // issue 14: approved lists and policy enforcement (spec/policy-section.ts).
      approved: approvedSection.optional(),
      policy: policySection.optional(),
      jupyterhub: z.strictObject({ auth: jupyterhubAuth }).optional(),
      acmeEmail: z.string().email().optional().describe("ACME account for cert-manager's issuer."),
      keepalived: z
        .strictObject({
          routerIdScope: z
            .enum(["cluster", "environment"])
            .optional()
            .describe(
              'Where keepalived virtual_router_ids must be unique: "cluster" (each cluster has its own network; default) or "environment" (the clusters share one network; needs clusterOrder).',
            ),
          clusterOrder: z
            .array(name)
            .optional()
            .describe(
              "With routerIdScope environment: every cluster of the environment in creation order. IDs are assigned in this order, so append new clusters at the end and keep removed ones until they are destroyed.",
            ),
        })
        .optional()
        .describe("keepalived settings shared by the environment's clusters."),
      gpuDrivers: z
        .enum(["operator", "preinstalled"])
        .optional()
        .describe(
          `Who installs the NVIDIA driver on GPU nodes: the gpu-operator's driver container (operator), or the GPU image, which then must carry it (preinstalled; gpu-operator driver.enabled=false). Default: ${DEFAULTS.gpuDrivers}.`,
        ),
      capacity: CapacitySection.optional(),
      defaults: z
        .strictObject({ topology: topology.optional(), rke2: rke2.optional() })
        .optional()
        .describe("Cluster settings every cluster in this environment inherits."),
    }),
  })
  .describe("What the clusters of one environment share.");

export type ClusterDocument = z.infer<typeof ClusterDocument>;
export type EnvironmentDocument = z.infer<typeof EnvironmentDocument>;
export type TopologyInput = z.infer<typeof topology>;
export type PoolInput = z.infer<typeof pool>;
