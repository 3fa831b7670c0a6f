/** Cases for the platform rules: providers, Rancher, Route53, Vault, Helm add-ons, Kubernetes. */
import { T } from "../../../policy/lib/types";
import { prov001ProviderTls } from "../../../policy/rules/prov-001-provider-tls";
import { prov002OpenstackApplicationCredentials } from "../../../policy/rules/prov-002-openstack-application-credentials";
import { rancher001HardenedCluster } from "../../../policy/rules/rancher-001-hardened-cluster";
import { rancher002SecureRegistration } from "../../../policy/rules/rancher-002-secure-registration";
import { r53001NoPrivateTargetsInPublicZones } from "../../../policy/rules/r53-001-no-private-targets-in-public-zones";
import { r53002RecordHygiene } from "../../../policy/rules/r53-002-record-hygiene";
import { vault001ClusterPathOnly } from "../../../policy/rules/vault-001-cluster-path-only";
import { helm001PinnedChartVersion } from "../../../policy/rules/helm-001-pinned-chart-version";
import { helm002ApprovedRepositories } from "../../../policy/rules/helm-002-approved-repositories";
import { helm003NoLiteralSecretsInValues } from "../../../policy/rules/helm-003-no-literal-secrets-in-values";
import { helm004NamespaceAndImageTags } from "../../../policy/rules/helm-004-namespace-and-image-tags";
import { helm005ApprovedRegistries } from "../../../policy/rules/helm-005-approved-registries";
import { SETTING_SCHEMAS } from "../../../policy/lib/settings";
import { jhub001Authenticator } from "../../../policy/rules/jhub-001-authenticator";
import { jhub002AccessScope } from "../../../policy/rules/jhub-002-access-scope";
import { jhub003NotebookSecurity } from "../../../policy/rules/jhub-003-notebook-security";
import { metadata001BlockCloudMetadata } from "../../../policy/rules/metadata-001-block-cloud-metadata";
import { gpu001OperatorVersion } from "../../../policy/rules/gpu-001-operator-version";
import { k8sPsa001PrivilegedNamespaces } from "../../../policy/rules/k8s-psa-001-privileged-namespaces";
import { extdns001Scoped } from "../../../policy/rules/extdns-001-scoped";
import { vso001VaultTls } from "../../../policy/rules/vso-001-vault-tls";
import { Props, RuleCases } from "../harness";
import { agent, cloudConfig, agentConfig, helmRelease } from "../fixtures";

const JHUB_REPO = "https://hub.jupyter.org/helm-chart/";
/** helm-002's message tail with the pack's default list (policy/lib/settings.ts). */
const REPOS_NOT_APPROVED = `not in the environment's approved.chartRepositories list (${(
  SETTING_SCHEMAS.approvedChartRepositories.default as string[]
).join(", ")})`;
const REGISTRIES = ["quay.io", "registry.k8s.io"];
const REGISTRIES_NOT_APPROVED =
  "not in the environment's approved.registries list (quay.io, registry.k8s.io)";
const jhubValues = (): Props => ({
  hub: {
    existingSecret: "jhub-oauth",
    config: {
      JupyterHub: { authenticator_class: "generic-oauth" },
      GenericOAuthenticator: { allowed_groups: ["ml-users"], client_id: "jhub" },
    },
  },
  singleuser: { cloudMetadata: { blockWithIptables: true } },
});
const jhub = () => helmRelease("jupyterhub", "4.2.0", JHUB_REPO, jhubValues());
const get = (p: Props, ...path: string[]): Props => path.reduce((o, k) => o[k] as Props, p);
const registration = (line: string) => cloudConfig(agentConfig(), []) + `bootcmd:\n  - ${line}\n`;

export const platformCases: RuleCases[] = [
  {
    policy: jhub003NotebookSecurity,
    type: T.helmRelease,
    props: helmRelease("jupyterhub", "4.4.0", JHUB_REPO, {
      hub: {
        config: {
          KubeSpawner: {
            container_security_context: {
              runAsUser: 1000,
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
            },
          },
        },
      },
      singleuser: { uid: 1000, storage: { capacity: "20Gi" } },
    }),
    notApplicable: [{ when: "the chart is not JupyterHub", change: (p) => (p["chart"] = "cert-manager") }],
    failing: [
      {
        when: "singleuser.uid is 0",
        change: (p) => (get(p, "values", "singleuser")["uid"] = 0),
        expect: ["values.singleuser.uid runs notebooks as root"],
      },
      {
        when: "the KubeSpawner security context runs as root and escalates",
        change: (p) =>
          Object.assign(get(p, "values", "hub", "config", "KubeSpawner", "container_security_context"), {
            runAsUser: 0,
            allowPrivilegeEscalation: true,
          }),
        expect: [
          "values.hub.config.KubeSpawner.container_security_context.runAsUser runs notebooks as root",
          "values.hub.config.KubeSpawner.container_security_context.allowPrivilegeEscalation lets notebooks escalate privileges",
        ],
      },
      {
        when: "singleuser.allowPrivilegeEscalation is true",
        change: (p) => (get(p, "values", "singleuser")["allowPrivilegeEscalation"] = true),
        expect: ["values.singleuser.allowPrivilegeEscalation lets notebooks escalate privileges"],
      },
      {
        when: "a profile override hides root and a hostPath mount",
        change: (p) =>
          (get(p, "values", "singleuser")["profileList"] = [
            {
              display_name: "admin",
              kubespawner_override: { uid: 0, volumes: [{ name: "host", hostPath: { path: "/" } }] },
            },
          ]),
        expect: [
          "values.singleuser.profileList[0].kubespawner_override.uid runs notebooks as root",
          "values.singleuser.profileList[0].kubespawner_override.volumes[0].hostPath mounts a node directory",
        ],
      },
      {
        when: "extra user volumes mount a node directory",
        change: (p) =>
          (get(p, "values", "singleuser", "storage")["extraVolumes"] = [
            { name: "data", hostPath: { path: "/data" } },
          ]),
        expect: ["values.singleuser.storage.extraVolumes[0].hostPath mounts a node directory"],
      },
      {
        when: "extraPodConfig puts notebooks on the host network",
        change: (p) => (get(p, "values", "singleuser")["extraPodConfig"] = { hostNetwork: true }),
        expect: ["values.singleuser.extraPodConfig.hostNetwork puts notebooks on the node's network"],
      },
    ],
  },
  {
    policy: prov001ProviderTls,
    type: "pulumi:providers:vault",
    props: { address: "https://vault.example.org:8200", skipTlsVerify: "false" },
    failing: [
      {
        when: "Vault's TLS check is skipped",
        change: (p) => (p["skipTlsVerify"] = "true"),
        expect: ["vault provider skips TLS verification (skipTlsVerify: true)"],
      },
      {
        when: "Vault is plain http",
        change: (p) => (p["address"] = "http://vault:8200"),
        expect: ["vault provider talks to http://vault:8200 over plain http"],
      },
      {
        when: "OpenStack is insecure",
        type: "pulumi:providers:openstack",
        change: (p) => Object.assign(p, { authUrl: "https://keystone:5000/v3", insecure: true }),
        expect: ["openstack provider skips TLS verification (insecure: true)"],
      },
      {
        when: "Rancher is plain http",
        type: "pulumi:providers:rancher2",
        change: (p) => (p["apiUrl"] = "http://rancher.example.org"),
        expect: ["rancher2 provider talks to http://rancher.example.org over plain http"],
      },
      {
        when: "the kubeconfig skips verification",
        type: "pulumi:providers:kubernetes",
        change: (p) => (p["kubeconfig"] = "clusters:\n- cluster:\n    insecure-skip-tls-verify: true\n"),
        expect: ["kubernetes provider kubeconfig sets insecure-skip-tls-verify: true"],
      },
    ],
  },
  {
    policy: prov002OpenstackApplicationCredentials,
    type: "pulumi:providers:openstack",
    props: {
      authUrl: "https://keystone:5000/v3",
      applicationCredentialId: "id",
      applicationCredentialSecret: "s",
    },
    failing: [
      {
        when: "a password is used",
        change: (p) => Object.assign(p, { userName: "ops", password: "pw" }),
        expect: ["openstack provider authenticates with a password"],
      },
    ],
  },
  {
    policy: rancher001HardenedCluster,
    type: T.rancherClusterV2,
    props: {
      kubernetesVersion: "v1.33.3+rke2r1",
      defaultPodSecurityAdmissionConfigurationTemplateName: "rancher-restricted",
      rkeConfig: { machineGlobalConfig: "profile: cis\n", etcd: { snapshotRetention: 10 } },
    },
    notApplicable: [{ when: "the cluster is imported (no rkeConfig)", change: (p) => delete p["rkeConfig"] }],
    failing: [
      {
        when: "the PSA template is unset",
        change: (p) => delete p["defaultPodSecurityAdmissionConfigurationTemplateName"],
        expect: ["Pod Security template is unset, not rancher-restricted"],
      },
      {
        when: "the CIS profile is missing",
        change: (p) => (get(p, "rkeConfig")["machineGlobalConfig"] = "cni: canal\n"),
        expect: ["machineGlobalConfig does not set profile: cis"],
      },
      {
        when: "snapshots are off",
        change: (p) => (get(p, "rkeConfig")["etcd"] = { disableSnapshots: true }),
        expect: ["rkeConfig.etcd.disableSnapshots turns etcd snapshots off"],
      },
      {
        when: "a registry is insecure",
        change: (p) =>
          (get(p, "rkeConfig")["registries"] = { configs: [{ hostname: "reg.local", insecure: true }] }),
        expect: ["registry reg.local is configured insecure"],
      },
      {
        when: "the version is a range",
        change: (p) => (p["kubernetesVersion"] = "v1.33"),
        expect: ["kubernetesVersion v1.33 is not an exact release"],
      },
    ],
  },
  {
    policy: rancher002SecureRegistration,
    type: T.instance,
    props: {
      ...agent(),
      userData: registration(
        "curl -fsSL https://rancher.example.org/v3/import/abc.yaml | kubectl apply -f -",
      ),
    },
    failing: [
      {
        when: "curl skips TLS verification",
        change: (p) =>
          (p["userData"] = registration(
            "curl --insecure -sfL https://rancher.example.org/v3/import/abc.yaml | kubectl apply -f -",
          )),
        expect: ["user data runs curl without TLS verification (-k/--insecure)"],
      },
      {
        when: "curl -k is folded into short options",
        change: (p) =>
          (p["userData"] = registration(
            "curl -sfkL https://rancher.example.org/system-agent-install.sh | sh -",
          )),
        expect: ["user data runs curl without TLS verification (-k/--insecure)"],
      },
      {
        when: "wget skips TLS verification",
        change: (p) =>
          (p["userData"] = registration(
            "wget --no-check-certificate -O- https://rancher.example.org/x | sh",
          )),
        expect: ["user data runs wget --no-check-certificate"],
      },
      {
        when: "registration is plain http",
        change: (p) =>
          (p["userData"] = registration(
            "curl -fsSL http://rancher.example.org/v3/import/abc.yaml | kubectl apply -f -",
          )),
        expect: [
          "user data fetches Rancher registration over plain http (http://rancher.example.org/v3/import/)",
        ],
      },
    ],
  },
  {
    policy: r53001NoPrivateTargetsInPublicZones,
    type: T.route53Record,
    config: { privateZoneIds: ["ZPRIVATE"] },
    props: {
      zoneId: "ZPUBLIC",
      name: "api.demo.example.org",
      type: "A",
      ttl: 300,
      records: ["203.0.113.10"],
    },
    passing: [
      {
        when: "the zone is private",
        change: (p) => Object.assign(p, { zoneId: "ZPRIVATE", records: ["10.0.50.4"] }),
      },
      {
        when: "the record is a CNAME",
        change: (p) => Object.assign(p, { type: "CNAME", records: ["lb.example.org"] }),
      },
    ],
    failing: [
      {
        when: "a wildcard points at the VIP's private address",
        change: (p) => Object.assign(p, { name: "*.apps.demo.example.org", records: ["10.0.50.4"] }),
        expect: ["public record *.apps.demo.example.org points at non-public address 10.0.50.4"],
      },
      {
        when: "an AAAA record is link-local",
        change: (p) => Object.assign(p, { type: "AAAA", records: ["fe80::1"] }),
        expect: ["public record api.demo.example.org points at non-public address fe80::1"],
      },
      {
        when: "a record is in CGNAT space",
        change: (p) => (p["records"] = ["100.64.1.1"]),
        expect: ["public record api.demo.example.org points at non-public address 100.64.1.1"],
      },
    ],
  },
  {
    policy: r53002RecordHygiene,
    type: T.route53Record,
    props: {
      zoneId: "ZPUBLIC",
      name: "api.demo.example.org",
      type: "A",
      ttl: 300,
      records: ["203.0.113.10"],
    },
    passing: [
      {
        when: "the record is an alias",
        change: (p) =>
          Object.assign(p, {
            records: undefined,
            ttl: undefined,
            aliases: [{ name: "lb", zoneId: "Z", evaluateTargetHealth: true }],
          }),
      },
    ],
    failing: [
      { when: "the TTL is 5 s", change: (p) => (p["ttl"] = 5), expect: ["TTL 5s is outside 60-172800s"] },
      {
        when: "there is no value",
        change: (p) => delete p["records"],
        expect: ["record has neither records nor aliases"],
      },
      {
        when: "it may overwrite",
        change: (p) => (p["allowOverwrite"] = true),
        expect: ["allowOverwrite: true takes over an existing record"],
      },
    ],
  },
  {
    policy: vault001ClusterPathOnly,
    type: T.vaultSecretV2,
    config: { vaultMounts: ["kv"], vaultClusterPath: "clusters/demo" },
    props: { mount: "kv", name: "clusters/demo/kubeconfig", dataJson: "{}" },
    passing: [
      {
        when: "no path is configured",
        config: { vaultClusterPath: "", vaultMounts: [] },
        change: (p) => Object.assign(p, { mount: "secret", name: "anything" }),
      },
    ],
    failing: [
      {
        when: "another mount is used",
        change: (p) => (p["mount"] = "secret-tmp"),
        expect: ["writes to mount secret-tmp, not kv"],
      },
      {
        when: "another cluster's path is used",
        change: (p) => (p["name"] = "clusters/demo-prod/kubeconfig"),
        expect: ["writes clusters/demo-prod/kubeconfig, outside the cluster's path clusters/demo/"],
      },
      {
        when: "the path climbs out",
        change: (p) => (p["name"] = "clusters/demo/../other/x"),
        expect: ["path clusters/demo/../other/x is not a plain relative path"],
      },
      {
        when: "a KV v1 secret is written",
        type: T.vaultSecretV1,
        change: (p) => (p["path"] = "kv/clusters/demo/x"),
        expect: ["KV v1 secret; write KV v2 (vault:kv/secretV2:SecretV2)"],
      },
    ],
  },
  {
    policy: helm001PinnedChartVersion,
    type: T.helmRelease,
    props: helmRelease("cert-manager", "v1.17.2", "https://charts.jetstack.io"),
    failing: [
      {
        when: "no version is given",
        change: (p) => delete p["version"],
        expect: ["chart cert-manager has no version"],
      },
      {
        when: "the version is a range",
        change: (p) => (p["version"] = "^1.17.0"),
        expect: ["chart cert-manager version ^1.17.0 is not an exact version"],
      },
      {
        when: "devel charts are allowed",
        change: (p) => (p["devel"] = true),
        expect: ["devel: true admits pre-release charts"],
      },
    ],
  },
  {
    policy: helm002ApprovedRepositories,
    type: T.helmRelease,
    props: jhub(),
    passing: [
      {
        when: "the chart is an approved oci reference",
        config: { approvedChartRepositories: ["oci://harbor.example.org/charts"] },
        change: (p) =>
          Object.assign(p, {
            chart: "oci://harbor.example.org/charts/jupyterhub",
            repositoryOpts: undefined,
          }),
      },
    ],
    failing: [
      {
        when: "the repository is plain http",
        change: (p) => (p["repositoryOpts"] = { repo: "http://charts.mirror.example" }),
        expect: ["repository http://charts.mirror.example is neither https nor oci"],
      },
      {
        when: "the repository is not approved",
        change: (p) => (p["repositoryOpts"] = { repo: "https://charts.example.net" }),
        expect: [`repository https://charts.example.net is ${REPOS_NOT_APPROVED}`],
      },
      {
        when: "a look-alike prefix is used",
        change: (p) => (p["repositoryOpts"] = { repo: "https://hub.jupyter.org/helm-chart-evil" }),
        expect: [`repository https://hub.jupyter.org/helm-chart-evil is ${REPOS_NOT_APPROVED}`],
      },
      {
        when: "the chart is a local path",
        change: (p) => Object.assign(p, { chart: "./charts/jupyterhub", repositoryOpts: undefined }),
        expect: ["chart ./charts/jupyterhub names no repository"],
      },
    ],
  },
  {
    policy: helm003NoLiteralSecretsInValues,
    type: T.helmRelease,
    props: jhub(),
    passing: [
      {
        when: "look-alikes: a password policy, a public certificate, a checksum, a secret taken from a Secret",
        change: (p) =>
          Object.assign(get(p, "values", "hub"), {
            passwordPolicy: "min-length-12",
            extraEnv: [
              { name: "PASSWORD_POLICY", value: "strict" },
              { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
            ],
            ca: "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----\n",
            checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          }),
      },
    ],
    failing: [
      {
        when: "the OAuth client secret is inline",
        change: (p) =>
          (get(p, "values", "hub", "config", "GenericOAuthenticator")["client_secret"] = "s3cr3t"),
        expect: ["values.hub.config.GenericOAuthenticator.client_secret holds a literal secret"],
      },
      {
        when: "a password sits in a list",
        change: (p) => (get(p, "values")["extraEnv"] = [{ name: "X", password: "pw" }]),
        expect: ["values.extraEnv[0].password holds a literal secret"],
      },
      {
        when: "an AWS key hides under an innocent name",
        change: (p) => (get(p, "values")["env"] = { value: "AKIAABCDEFGHIJKLMNOP" }),
        expect: ["values.env.value contains AWS access key ID"],
      },
      {
        when: "a password is the value of an env list entry named DB_PASSWORD",
        change: (p) =>
          (get(p, "values", "hub")["extraEnv"] = [
            { name: "LOG_LEVEL", value: "debug" },
            { name: "DB_PASSWORD", value: "hunter2" },
          ]),
        expect: ["values.hub.extraEnv[1].value holds a literal secret (named DB_PASSWORD)"],
      },
      {
        when: "a key name the rule did not expect holds an upper-case API key",
        change: (p) => (get(p, "values", "hub")["config"] = { GRAFANA_API_KEY: "abc123" }),
        expect: ["values.hub.config.GRAFANA_API_KEY holds a literal secret"],
      },
      {
        when: "a private key sits under an innocent key",
        change: (p) =>
          (get(p, "values", "singleuser")["extraFiles"] = {
            cert: { stringData: "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n" },
          }),
        expect: ["values.singleuser.extraFiles.cert.stringData contains private key"],
      },
      {
        when: "a long random string sits under an innocent key",
        change: (p) => (get(p, "values", "hub")["cookie"] = "q8Zr2VbN4xK7pLm1TfW9cY3hJd6GsE0aUo5Rk"),
        expect: ["values.hub.cookie contains high-entropy string"],
      },
    ],
  },
  {
    policy: helm005ApprovedRegistries,
    type: T.helmRelease,
    config: { approvedRegistries: REGISTRIES },
    props: helmRelease("jupyterhub", "4.2.0", JHUB_REPO, {
      singleuser: {
        image: { name: "quay.io/jupyter/scipy-notebook", tag: "2026-08-03" },
        profileList: [{ kubespawner_override: { image: "quay.io/jupyter/pytorch-notebook:cuda12" } }],
      },
      prePuller: { pause: { image: { registry: "registry.k8s.io", repository: "pause", tag: "3.10.1" } } },
    }),
    passing: [
      {
        when: "external-dns' TXT registry sits beside the images (not an image registry)",
        change: (p) => (get(p, "values")["registry"] = "txt"),
      },
      {
        when: "no approved list is configured",
        config: { approvedRegistries: [] },
        change: (p) => (get(p, "values", "singleuser")["image"] = "evil.example.net/x:1"),
      },
    ],
    failing: [
      {
        when: "an unqualified image name pulls from Docker Hub",
        change: (p) => (get(p, "values", "singleuser", "image")["name"] = "jupyter/scipy-notebook"),
        expect: [`values.singleuser.image.name pulls from docker.io, ${REGISTRIES_NOT_APPROVED}`],
      },
      {
        when: "an image string in a list names another registry",
        change: (p) =>
          (get(p, "values", "singleuser")["profileList"] = [
            { kubespawner_override: { image: "ghcr.io/someone/notebook:1" } },
          ]),
        expect: [
          `values.singleuser.profileList[0].kubespawner_override.image pulls from ghcr.io, ${REGISTRIES_NOT_APPROVED}`,
        ],
      },
      {
        when: "a registry key overrides an approved repository",
        change: (p) =>
          (get(p, "values", "prePuller", "pause", "image")["registry"] = "evil.example.net:5000"),
        expect: [
          `values.prePuller.pause.image.registry pulls from evil.example.net:5000, ${REGISTRIES_NOT_APPROVED}`,
        ],
      },
      {
        when: "an approved host is only the start of the registry's name",
        change: (p) => (get(p, "values", "singleuser")["image"] = "quay.io.evil.example.net/x:1"),
        expect: [`values.singleuser.image pulls from quay.io.evil.example.net, ${REGISTRIES_NOT_APPROVED}`],
      },
      {
        when: "a global imageRegistry redirects every image",
        change: (p) => (get(p, "values")["global"] = { imageRegistry: "docker.io" }),
        expect: [`values.global.imageRegistry pulls from docker.io, ${REGISTRIES_NOT_APPROVED}`],
      },
    ],
  },
  {
    policy: helm004NamespaceAndImageTags,
    type: T.helmRelease,
    props: helmRelease("cert-manager", "v1.17.2", "https://charts.jetstack.io", {
      image: { tag: "v1.17.2" },
    }),
    failing: [
      {
        when: "the namespace is default",
        change: (p) => delete p["namespace"],
        expect: ["release installs into namespace default"],
      },
      {
        when: "kube-system is used",
        change: (p) => (p["namespace"] = "kube-system"),
        expect: ["release installs into namespace kube-system"],
      },
      {
        when: "an image tag is latest",
        change: (p) => (p["values"] = { image: { tag: "latest" } }),
        expect: ["values.image.tag uses the mutable tag latest"],
      },
      {
        when: "an image reference ends in :latest",
        change: (p) => (p["values"] = { sidecar: { image: "busybox:latest" } }),
        expect: ["values.sidecar.image uses the mutable tag latest"],
      },
    ],
    passing: [
      {
        when: "the OpenStack cloud controller manager goes to kube-system",
        change: (p) => {
          p["chart"] = "openstack-cloud-controller-manager";
          p["namespace"] = "kube-system";
        },
      },
    ],
  },
  {
    policy: jhub001Authenticator,
    type: T.helmRelease,
    props: jhub(),
    notApplicable: [{ when: "the chart is not JupyterHub", change: (p) => (p["chart"] = "cert-manager") }],
    failing: [
      {
        when: "no authenticator is set",
        change: (p) => delete get(p, "values", "hub", "config")["JupyterHub"],
        expect: ["hub.config.JupyterHub.authenticator_class is unset (the chart defaults to dummy)"],
      },
      {
        when: "the dummy authenticator is set",
        change: (p) => (get(p, "values", "hub", "config", "JupyterHub")["authenticator_class"] = "dummy"),
        expect: ["authenticator_class dummy lets anyone log in"],
      },
      {
        when: "the null authenticator is set by class",
        change: (p) =>
          (get(p, "values", "hub", "config", "JupyterHub")["authenticator_class"] =
            "jupyterhub.auth.NullAuthenticator"),
        expect: ["authenticator_class jupyterhub.auth.NullAuthenticator lets anyone log in"],
      },
    ],
  },
  {
    policy: jhub002AccessScope,
    type: T.helmRelease,
    props: jhub(),
    failing: [
      {
        when: "allow_all is on",
        change: (p) => (get(p, "values", "hub", "config")["Authenticator"] = { allow_all: true }),
        expect: ["allow_all: true admits every user of the identity provider"],
      },
      {
        when: "nobody is listed",
        change: (p) => delete get(p, "values", "hub", "config", "GenericOAuthenticator")["allowed_groups"],
        expect: ["no authenticator lists allowed_users, allowed_groups or allowed_organizations"],
      },
    ],
  },
  {
    policy: metadata001BlockCloudMetadata,
    type: T.helmRelease,
    props: jhub(),
    passing: [
      {
        when: "iptables blocking is off but the network policy blocks",
        change: (p) => (get(p, "values")["singleuser"] = { cloudMetadata: { blockWithIptables: false } }),
      },
    ],
    failing: [
      {
        when: "both protections are off",
        change: (p) =>
          (get(p, "values")["singleuser"] = {
            cloudMetadata: { blockWithIptables: false },
            networkPolicy: { enabled: false },
          }),
        expect: [
          "user pods can reach the metadata service: blockWithIptables is false and the network policy is off",
        ],
      },
      {
        when: "the network policy allows the metadata server",
        change: (p) =>
          (get(p, "values")["singleuser"] = {
            cloudMetadata: { blockWithIptables: false },
            networkPolicy: { egressAllowRules: { cloudMetadataServer: true } },
          }),
        expect: [
          "user pods can reach the metadata service: blockWithIptables is false and egress to it is allowed",
        ],
      },
    ],
  },
  {
    policy: gpu001OperatorVersion,
    type: T.helmRelease,
    props: helmRelease("gpu-operator", "v25.3.0", "https://helm.ngc.nvidia.com/nvidia"),
    failing: [
      {
        when: "the operator predates the fixes",
        change: (p) => (p["version"] = "v24.6.1"),
        expect: ["gpu-operator v24.6.1 is older than 24.9.2"],
      },
      {
        when: "the version is missing",
        change: (p) => delete p["version"],
        expect: ["gpu-operator version unset cannot be compared with 24.9.2"],
      },
      {
        when: "the toolkit is pinned to a vulnerable release",
        change: (p) => (p["values"] = { toolkit: { version: "v1.16.1-ubuntu20.04" } }),
        expect: ["toolkit.version v1.16.1-ubuntu20.04 is older than 1.17.4"],
      },
      {
        when: "the configured minimum is raised",
        config: { minGpuOperatorVersion: "25.10.0" },
        change: () => undefined,
        expect: ["gpu-operator v25.3.0 is older than 25.10.0"],
      },
    ],
  },
  {
    policy: k8sPsa001PrivilegedNamespaces,
    type: T.namespace,
    props: {
      metadata: { name: "gpu-operator", labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
    },
    passing: [
      {
        when: "the operator is installed in its namespace",
        type: T.helmRelease,
        change: (p) =>
          Object.assign(p, helmRelease("gpu-operator", "v25.3.0", "https://helm.ngc.nvidia.com/nvidia")),
      },
    ],
    failing: [
      {
        when: "another namespace is privileged",
        change: (p) => (get(p, "metadata")["name"] = "jupyterhub"),
        expect: ["namespace jupyterhub enforces the privileged Pod Security level"],
      },
      {
        when: "the operator is installed elsewhere",
        type: T.helmRelease,
        change: (p) =>
          Object.assign(
            p,
            helmRelease("gpu-operator", "v25.3.0", "https://helm.ngc.nvidia.com/nvidia", {}, "kube-system"),
          ),
        expect: [
          "gpu-operator runs privileged pods in namespace kube-system, which is not in privilegedNamespaces",
        ],
      },
    ],
  },
  {
    policy: extdns001Scoped,
    type: T.helmRelease,
    props: helmRelease("external-dns", "1.15.2", "https://kubernetes-sigs.github.io/external-dns/", {
      provider: { name: "aws" },
      domainFilters: ["demo.example.org"],
      txtOwnerId: "demo",
      policy: "upsert-only",
    }),
    failing: [
      {
        when: "no domain filter is set",
        change: (p) => (get(p, "values")["domainFilters"] = []),
        expect: ["external-dns has no domainFilters"],
      },
      {
        when: "no TXT owner is set",
        change: (p) => delete get(p, "values")["txtOwnerId"],
        expect: ["external-dns has no txtOwnerId"],
      },
      {
        when: "the policy is sync",
        change: (p) => (get(p, "values")["policy"] = "sync"),
        expect: ["external-dns policy sync deletes records it did not create"],
      },
    ],
  },
  {
    policy: vso001VaultTls,
    type: T.helmRelease,
    props: helmRelease("vault-secrets-operator", "0.10.0", "https://helm.releases.hashicorp.com", {
      defaultVaultConnection: { enabled: true, address: "https://vault.example.org:8200" },
    }),
    failing: [
      {
        when: "Vault is plain http",
        change: (p) => (get(p, "values", "defaultVaultConnection")["address"] = "http://vault:8200"),
        expect: ["vault-secrets-operator talks to Vault over plain http (http://vault:8200)"],
      },
      {
        when: "TLS verification is skipped",
        change: (p) => (get(p, "values", "defaultVaultConnection")["skipTLSVerify"] = true),
        expect: ["vault-secrets-operator skips Vault's TLS verification"],
      },
    ],
  },
];
