/**
 * Specs platform users write (issue 14, "How it is proven"): each a small variation of the reference
 * XCluster document, with the verdict the pack must reach — the rules that fail as mandatory, or none.
 * Clean ones include unusual but hardened clusters; violating ones include the evasions of each class
 * the issue found slipping through. `class` names the class a violating spec belongs to.
 */
import { parse } from "yaml";
import { REFERENCE_XCLUSTER } from "../support/spec-files";

/** A cluster document being varied (YAML as objects). */
export type Doc = {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    parameters: Record<string, unknown> & { rke2?: Record<string, unknown> };
    addons: string[];
    addonValues?: Record<string, unknown>;
  };
};

/** The classes of specs that slipped through. */
export type Class =
  | "self-approval"
  | "production rules that only advised"
  | "secrets in forms the rule did not read"
  | "notebook hardening"
  | "tolerations matching every taint"
  | "silent schedules"
  | "admin ranges";

export interface CorpusCase {
  readonly what: string;
  /** The environment directory it sits in: stacks/prod's (production, mandatory) or stacks/dev's. */
  readonly env?: "prod" | "dev";
  readonly change: (d: Doc) => void;
  /** The rules that must fail as mandatory; empty: clean. */
  readonly mandatory: readonly string[];
  readonly class?: Class;
}

/** The reference document with `name` and its own subnet (clusters of one environment must differ). */
export function referenceDoc(name: string, index: number): Doc {
  const d = parse(REFERENCE_XCLUSTER) as Doc;
  d.metadata.name = name;
  d.spec.parameters["subnetCidr"] = `10.1.${index}.0/24`;
  // One worker and one GPU worker instead of six and two: pool sizes decide nothing any rule reads, and
  // the corpus plans faster.
  d.spec.parameters["numberOfWorkers"] = 1;
  d.spec.parameters["numberOfGpuWorkers"] = 1;
  return d;
}

const values = (d: Doc, addon: string): Record<string, unknown> => {
  d.spec.addonValues ??= {};
  return (d.spec.addonValues[addon] ??= {}) as Record<string, unknown>;
};
const withAddon = (d: Doc, addon: string): void => {
  if (!d.spec.addons.includes(addon)) d.spec.addons.push(addon);
};
const jhub = (d: Doc): Record<string, unknown> => {
  withAddon(d, "jupyterhub");
  return values(d, "jupyterhub");
};
const rke2 = (d: Doc): Record<string, unknown> => (d.spec.parameters.rke2 ??= {});

/** A flavor the cloud has (the corpus environment lists its shape) but the platform team did not approve. */
export const UNAPPROVED_FLAVOR = "m1.4xlarge";
const UNAPPROVED_IMAGE = "0badc0de-0000-4000-8000-000000000001";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7y0fWq3N\n-----END RSA PRIVATE KEY-----\n";
const JWT =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6InNhIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";

export const CORPUS: readonly CorpusCase[] = [
  // ---- clean: hardened, some unusual ----
  { what: "the reference document", change: () => undefined, mandatory: [] },
  {
    what: "Octavia load balancers with Cilium",
    change: (d) => {
      d.spec.parameters["topology"] = { mode: "octavia" };
      rke2(d)["cni"] = "cilium";
    },
    mandatory: [],
  },
  {
    what: "five servers across three zones",
    change: (d) => {
      d.spec.parameters["numberOfMasters"] = 5;
      d.spec.parameters["controlPlane"] = { availabilityZones: ["az1", "az2", "az3"] };
    },
    mandatory: [],
  },
  {
    what: "no add-ons at all",
    change: (d) => {
      d.spec.addons = [];
      d.spec.parameters["numberOfGpuWorkers"] = 0;
    },
    mandatory: [],
  },
  {
    what: "every add-on",
    change: (d) => {
      for (const a of ["jupyterhub", "rancher"]) withAddon(d, a);
    },
    mandatory: [],
  },
  { what: "Calico as the CNI", change: (d) => void (rke2(d)["cni"] = "calico"), mandatory: [] },
  {
    what: "three keepalived ingress nodes and no workers",
    change: (d) => {
      d.spec.parameters["topology"] = { mode: "keepalived", ingressNodes: 3 };
      d.spec.parameters["numberOfWorkers"] = 0;
    },
    mandatory: [],
  },
  {
    what: "a tainted worker pool and a second GPU pool, spread over zones",
    change: (d) => {
      d.spec.parameters["workerPools"] = [
        {
          name: "ingest",
          count: 2,
          flavor: "m1.xlarge",
          availabilityZones: ["az1", "az2"],
          labels: { workload: "ingest" },
          taints: [{ key: "workload", value: "ingest", effect: "NoSchedule" }],
        },
      ];
      d.spec.parameters["gpuPools"] = [{ name: "notebooks", count: 1, availabilityZones: ["az3"] }];
    },
    mandatory: [],
  },
  {
    what: "hourly etcd snapshots kept two days",
    change: (d) => void (rke2(d)["etcdSnapshots"] = { scheduleCron: "0 * * * *", retention: 48 }),
    mandatory: [],
  },
  {
    what: "admin ranges of three public /24s (under the production ceiling)",
    change: (d) =>
      void (d.spec.parameters["adminCidrs"] = ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"]),
    mandatory: [],
  },
  {
    what: "a private /16 VPN range beside a public /24 (private space is judged apart)",
    change: (d) => void (d.spec.parameters["adminCidrs"] = ["10.20.0.0/16", "198.51.100.0/24"]),
    mandatory: [],
  },
  {
    what: "an approved image and flavor chosen by the cluster",
    change: (d) => {
      d.spec.parameters["images"] = { server: "6f1a2c3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b" };
      d.spec.parameters["flavors"] = { server: "m1.2xlarge" };
    },
    mandatory: [],
  },
  {
    what: "JupyterHub with hardened notebooks from an approved registry, pinned",
    change: (d) =>
      void Object.assign(jhub(d), {
        singleuser: {
          uid: 1000,
          allowPrivilegeEscalation: false,
          image: { name: "quay.io/jupyter/scipy-notebook", tag: "2026-08-03" },
          storage: { capacity: "20Gi" },
        },
      }),
    mandatory: [],
  },
  {
    what: "gpu-operator tolerating one more taint by key",
    change: (d) =>
      void Object.assign(values(d, "gpu-operator"), {
        daemonsets: {
          tolerations: [
            { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
            { key: "dedicated", operator: "Equal", value: "ml", effect: "NoSchedule" },
          ],
        },
      }),
    mandatory: [],
  },
  {
    what: "look-alikes of secrets in add-on values (a password policy, a checksum, a secret's name)",
    change: (d) =>
      void Object.assign(jhub(d), {
        hub: { existingSecret: "jhub-oauth", config: { Authenticator: { passwordPolicy: "min-length-12" } } },
        singleuser: {
          extraEnv: [
            {
              name: "DATA_SHA256",
              value: "4246ba0881642ebfe0b56d3ff81aafe80169bfaeea1c86bf56b9dc6b76f28dc1",
            },
          ],
        },
      }),
    mandatory: [],
  },
  {
    what: "external-dns told again what it already does (domain filter, upsert-only)",
    change: (d) =>
      void Object.assign(values(d, "external-dns"), {
        policy: "upsert-only",
        domainFilters: ["ai.example.org"],
      }),
    mandatory: [],
  },
  {
    what: "a one-server sandbox with the dev environment's add-ons, advisory",
    env: "dev",
    change: (d) => {
      d.spec.parameters["numberOfMasters"] = 1;
      d.spec.parameters["numberOfGpuWorkers"] = 0;
      d.spec.addons = ["cert-manager", "external-dns", "vault-secrets-operator"];
    },
    mandatory: [],
  },
  {
    what: "dev: a mutable image tag only advises where the environment is not production",
    env: "dev",
    change: (d) => {
      d.spec.parameters["numberOfGpuWorkers"] = 0;
      d.spec.addons = ["cert-manager"];
      values(d, "cert-manager")["image"] = { tag: "latest" };
    },
    mandatory: [],
  },

  // ---- self-approval: the approved lists come from the environment ----
  {
    what: "a cluster overrides its server image with an arbitrary ID",
    class: "self-approval",
    change: (d) => void (d.spec.parameters["images"] = { server: UNAPPROVED_IMAGE }),
    mandatory: ["os-image-001-approved-images"],
  },
  {
    what: "a GPU pool with its own unapproved image",
    class: "self-approval",
    change: (d) =>
      void (d.spec.parameters["gpuPools"] = [{ name: "own", count: 1, imageId: UNAPPROVED_IMAGE }]),
    mandatory: ["os-image-001-approved-images"],
  },
  {
    what: "a cluster overrides its agent flavor with one outside the approved list",
    class: "self-approval",
    change: (d) => void (d.spec.parameters["flavors"] = { agent: UNAPPROVED_FLAVOR }),
    mandatory: ["os-flavor-001-approved-flavors"],
  },
  {
    what: "add-on values pull the notebook image from Docker Hub",
    class: "self-approval",
    change: (d) =>
      void Object.assign(jhub(d), {
        singleuser: { image: { name: "jupyter/scipy-notebook", tag: "2026-08-03" } },
      }),
    mandatory: ["helm-005-approved-registries"],
  },

  // ---- production rules that only advised ----
  {
    what: "vault-secrets-operator skips Vault's TLS verification",
    class: "production rules that only advised",
    change: (d) =>
      void (values(d, "vault-secrets-operator")["defaultVaultConnection"] = { skipTLSVerify: true }),
    mandatory: ["vso-001-vault-tls"],
  },
  {
    what: "a mutable image tag (latest) in add-on values",
    class: "production rules that only advised",
    change: (d) => void (values(d, "cert-manager")["image"] = { tag: "latest" }),
    mandatory: ["helm-004-namespace-and-image-tags"],
  },
  {
    what: "external-dns may delete any record (no domain filter, policy sync)",
    class: "production rules that only advised",
    change: (d) => void Object.assign(values(d, "external-dns"), { domainFilters: [], policy: "sync" }),
    mandatory: ["extdns-001-scoped"],
  },

  // ---- secrets in forms the rule did not read ----
  {
    what: "a password in an env list (name/value pair)",
    class: "secrets in forms the rule did not read",
    change: (d) =>
      void Object.assign(jhub(d), {
        singleuser: { extraEnv: [{ name: "DB_PASSWORD", value: "s3cr3t-Passw0rd" }] },
      }),
    mandatory: ["helm-003-no-literal-secrets-in-values"],
  },
  {
    what: "an AWS access key under a key the rule does not expect",
    class: "secrets in forms the rule did not read",
    change: (d) => void (values(d, "external-dns")["extraArgs"] = { "aws-id": "AKIAIOSFODNN7EXAMPLE" }),
    mandatory: ["helm-003-no-literal-secrets-in-values"],
  },
  {
    what: "a PEM private key in add-on values",
    class: "secrets in forms the rule did not read",
    change: (d) => void (values(d, "cert-manager")["webhook"] = { tlsBundle: PEM }),
    mandatory: ["helm-003-no-literal-secrets-in-values"],
  },
  {
    what: "a service-account JWT in add-on values",
    class: "secrets in forms the rule did not read",
    change: (d) => void (values(d, "vault-secrets-operator")["bootstrap"] = { reviewer: JWT }),
    mandatory: ["helm-003-no-literal-secrets-in-values"],
  },
  {
    what: "a long random string under an innocent key",
    class: "secrets in forms the rule did not read",
    change: (d) =>
      void (values(d, "cert-manager")["extraEnv"] = [
        { name: "SEED", value: "q8Zk2LmX7pR4tN9vB3cW6yH1jD5fG0sAeUiOo" },
      ]),
    mandatory: ["helm-003-no-literal-secrets-in-values"],
  },

  // ---- notebook hardening ----
  {
    what: "notebooks run as root (uid 0)",
    class: "notebook hardening",
    change: (d) => void Object.assign(jhub(d), { singleuser: { uid: 0 } }),
    mandatory: ["jhub-003-notebook-security"],
  },
  {
    what: "notebooks may escalate privileges",
    class: "notebook hardening",
    change: (d) => void Object.assign(jhub(d), { singleuser: { allowPrivilegeEscalation: true } }),
    mandatory: ["jhub-003-notebook-security"],
  },
  {
    what: "a profile override mounts a node directory",
    class: "notebook hardening",
    change: (d) =>
      void Object.assign(jhub(d), {
        singleuser: {
          profileList: [
            {
              display_name: "admin",
              kubespawner_override: { volumes: [{ name: "h", hostPath: { path: "/" } }] },
            },
          ],
        },
      }),
    mandatory: ["jhub-003-notebook-security"],
  },
  {
    what: "notebooks on the node's network through extraPodConfig",
    class: "notebook hardening",
    change: (d) => void Object.assign(jhub(d), { singleuser: { extraPodConfig: { hostNetwork: true } } }),
    mandatory: ["jhub-003-notebook-security"],
  },
  {
    what: "the hub's KubeSpawner config runs notebooks as root",
    class: "notebook hardening",
    change: (d) =>
      void Object.assign(jhub(d), {
        hub: { config: { KubeSpawner: { container_security_context: { runAsUser: 0 } } } },
      }),
    mandatory: ["jhub-003-notebook-security"],
  },

  // ---- tolerations that match every taint on privileged workloads ----
  {
    what: "gpu-operator's daemonsets tolerate every taint",
    class: "tolerations matching every taint",
    change: (d) => void (values(d, "gpu-operator")["daemonsets"] = { tolerations: [{ operator: "Exists" }] }),
    mandatory: ["k8s-tol-001-privileged-tolerations"],
  },
  {
    what: 'gpu-operator\'s feature discovery tolerates every NoExecute taint with key "" (nested values)',
    class: "tolerations matching every taint",
    change: (d) =>
      void (values(d, "gpu-operator")["node-feature-discovery"] = {
        worker: { tolerations: [{ key: "", operator: "Exists", effect: "NoExecute" }] },
      }),
    mandatory: ["k8s-tol-001-privileged-tolerations"],
  },
  {
    what: "gpu-operator's validator gets a match-all toleration written as YAML text",
    class: "tolerations matching every taint",
    change: (d) =>
      void (values(d, "gpu-operator")["validator"] = { tolerations: '- operator: Exists\n  effect: ""\n' }),
    mandatory: ["k8s-tol-001-privileged-tolerations"],
  },
  {
    what: "Rancher's privileged namespace gets a match-all toleration",
    class: "tolerations matching every taint",
    change: (d) => {
      withAddon(d, "rancher");
      values(d, "rancher")["tolerations"] = [{ operator: "Exists" }];
    },
    mandatory: ["k8s-tol-001-privileged-tolerations"],
  },

  // ---- silent schedules ----
  {
    what: "an etcd snapshot schedule on a date that does not exist (31 February)",
    class: "silent schedules",
    change: (d) => void (rke2(d)["etcdSnapshots"] = { scheduleCron: "0 0 31 2 *" }),
    mandatory: ["rke2-003-etcd-snapshots"],
  },
  {
    what: "weekly etcd snapshots in production",
    class: "silent schedules",
    change: (d) => void (rke2(d)["etcdSnapshots"] = { scheduleCron: "0 3 * * 0" }),
    mandatory: ["rke2-003-etcd-snapshots"],
  },

  // ---- admin ranges: the space the whole list opens ----
  {
    what: "admin ranges of two /1 halves",
    class: "admin ranges",
    change: (d) => void (d.spec.parameters["adminCidrs"] = ["0.0.0.0/1", "128.0.0.0/1"]),
    // SSH and the API from ranges wider than /16 count as the world (policy/lib/net.ts operatorRanges).
    mandatory: [
      "net-001-admin-address-space",
      "os-sg-001-sensitive-ports",
      "os-sg-002-public-ingress-web-only",
    ],
  },
  {
    what: "a public /8 as an admin range",
    class: "admin ranges",
    change: (d) => void (d.spec.parameters["adminCidrs"] = ["192.168.100.0/24", "51.0.0.0/8"]),
    mandatory: [
      "net-001-admin-address-space",
      "os-sg-001-sensitive-ports",
      "os-sg-002-public-ingress-web-only",
    ],
  },
  {
    what: "eight public /24s that add up past the production ceiling",
    class: "admin ranges",
    change: (d) =>
      void (d.spec.parameters["adminCidrs"] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `198.51.${100 + i}.0/24`)),
    mandatory: ["net-001-admin-address-space"],
  },

  // ---- hardening switched off ----
  {
    what: "the CIS profile switched off",
    change: (d) => void (rke2(d)["cisProfile"] = false),
    mandatory: ["rke2-001-cis-profile"],
  },
  {
    what: "secrets encryption switched off",
    change: (d) => void (rke2(d)["secretsEncryption"] = false),
    mandatory: ["rke2-002-secrets-encryption"],
  },
  {
    what: "servers in a soft anti-affinity group",
    change: (d) => void (d.spec.parameters["controlPlane"] = { serverGroupPolicy: "soft-anti-affinity" }),
    mandatory: ["os-ha-002-server-anti-affinity"],
  },
];
