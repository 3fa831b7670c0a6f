/**
 * The platform services of one cluster, composed on top of its infrastructure: Route53 names for the API
 * and the ingress, registration with Rancher, the kubeconfig / join token / registration details written
 * to Vault, and the add-ons its labels select. Each service is switched per environment by the spec
 * (`dns.enabled`, `rancher.enabled`, `vault.enabled`, add-on labels); turning one off removes exactly its
 * resources and leaves the others as they are.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type * as rancher2 from "@pulumi/rancher2";
import type { ClusterSpec } from "../spec/types";
import { ClusterDns } from "../components/dns";
import { RancherRegistration } from "../components/rancher-registration";
import { ClusterVaultSecrets, readKvSecret } from "../components/vault-secrets";
import { Addons, requiredVaultPaths } from "../components/addons/addons";
import { AddonConfigurationError } from "../components/addons/addon";
import type { AddonSelection } from "../components/addons/select";
import { VaultKubernetesAuth, type VaultNamespaceRole } from "../components/vault-kubernetes-auth";
import { Route53Credentials } from "../components/route53-credentials";
import { VSO_NAMESPACE, VSO_VAULT_ROLE } from "../components/addons/vault-secrets-operator";
import { clusterDomain } from "../components/addons/cluster-facts";
import { clusterSelectionLabels, selectAddons } from "../components/addons/select";
import { podSecurityVersion } from "../components/addons/pod-security";
import type { AddonName } from "../spec/addons";
import { ReadinessGate, type ReadinessGateArgs } from "../components/readiness-gate";
import { UpgradePlans } from "../components/upgrade-plans";
import { INGRESS_TAINT } from "../components/conventions";
import { MetadataEgressPolicy } from "../components/metadata-egress-policy";
import { EtcdS3Secret } from "../components/etcd-s3-secret";
import { NodeDrain } from "../components/node-drain";
import { kubernetesProvider, rancherProvider, type CloudProviders } from "./providers";
import type { ClusterInfra, ClusterOutputs } from "./cluster";

/** What platform services need from the cluster's infrastructure (see `clusterOutputs` in programs/cluster.ts). */
export interface PlatformInfra {
  /** Public address of the Kubernetes API (its floating IP). */
  readonly apiFloatingIp: pulumi.Input<string>;
  /** Public address of the ingress (VIP or load-balancer floating IP). */
  readonly ingressFloatingIp: pulumi.Input<string>;
  /** Admin kubeconfig (YAML). */
  readonly kubeconfig: pulumi.Input<string>;
  /** RKE2 join token. @default not written to Vault */
  readonly joinToken?: pulumi.Input<string>;
  /**
   * The public Kubernetes API URL and the CA of its serving certificate, for Vault's Kubernetes auth
   * config. Required when vault-secrets-operator is selected on a Vault-backed cluster.
   */
  readonly api?: { readonly url: pulumi.Input<string>; readonly caCert: pulumi.Input<string> };
  /**
   * How to tell that the cluster API answers (public URL, server CA, admin certificate). With it, whatever
   * talks to the cluster waits behind a ReadinessGate. @default no gate
   */
  readonly readiness?: Pick<ReadinessGateArgs, "apiUrl" | "caCert" | "clientCert" | "clientKey" | "revision">;
  /**
   * The cluster's nodes: each is drained and deleted from Kubernetes before its instance goes
   * (components/node-drain.ts). @default none
   */
  readonly nodes?: readonly ClusterNode[];
  /**
   * A resource that is deleted only with the whole cluster (its PKI): then the nodes are not drained,
   * there is nowhere to drain to. @default none (every node removal drains)
   */
  readonly deletedWithCluster?: pulumi.Resource;
}

/** A node as its drain sees it: its Kubernetes name and the instance it must go before. */
export interface ClusterNode {
  readonly name: string;
  readonly instance: pulumi.Resource;
}

/** Every node of the cluster (servers, pool agents, ingress nodes) with its instance. */
export function clusterNodes(infra: ClusterInfra): ClusterNode[] {
  const all: Readonly<Record<string, pulumi.Resource>>[] = [
    infra.controlPlane.instances,
    ...Object.values(infra.pools).map((p) => p.instances),
    ...(infra.edge.mode === "keepalived" ? [infra.edge.ingressNodes.instances] : []),
  ];
  return all.flatMap((byName) => Object.entries(byName).map(([name, instance]) => ({ name, instance })));
}

/** The platform-services view of a cluster built by `buildClusterInfra` (the agent token is what Vault keeps). */
export function platformInfra(infra: ClusterInfra, outputs: ClusterOutputs): PlatformInfra {
  return {
    apiFloatingIp: outputs.apiEndpoint.address,
    ingressFloatingIp: outputs.ingressAddress,
    kubeconfig: outputs.kubeconfig,
    joinToken: infra.agentToken,
    api: { url: outputs.apiEndpoint.url, caCert: infra.pki.serverCaCert },
    readiness: {
      apiUrl: outputs.apiEndpoint.url,
      caCert: infra.pki.serverCaCert,
      clientCert: infra.pki.adminCert,
      clientKey: infra.pki.adminKey,
      // An upgrade or a change of the servers makes the gate wait again before anything talks to them.
      revision: `rke2 ${infra.spec.rke2.version}; servers ${infra.controlPlane.serverNames.join(",")}`,
    },
    nodes: clusterNodes(infra),
    deletedWithCluster: infra.pki,
  };
}

export interface PlatformServicesOptions {
  /** Providers made before the infrastructure (`cloudProviders(spec)`). */
  readonly cloud: CloudProviders;
  /** Provider for the cluster's API. @default kubernetesProvider(spec, infra.kubeconfig), made only if needed */
  readonly kubernetes?: k8s.Provider;
  /** Provider for the Rancher API. @default rancherProvider(spec, { vault: cloud.vault }) */
  readonly rancher?: rancher2.Provider;
  /**
   * Register the cluster with Rancher when `rancher.enabled`. The management cluster, which runs Rancher,
   * passes false.
   * @default true
   */
  readonly registerWithRancher?: boolean;
  /** Further names on the ingress address, keyed by role (e.g. the Rancher hostname). @default {} */
  readonly extraIngressNames?: Readonly<Record<string, string>>;
  /** Labels the cluster gets on top of the spec's (the management cluster adds its add-ons). @default {} */
  readonly extraLabels?: Readonly<Record<string, string>>;
  /**
   * The RKE2 version of the cluster's last successful `up` (programs/applied-state.ts), for what depends on
   * the version running rather than the one asked for. @default the spec's version (a new cluster)
   */
  readonly appliedRke2Version?: string;
}

/** Stack outputs of the platform services; credentials are Pulumi secrets. */
export interface PlatformOutputs {
  readonly kubeconfig: pulumi.Output<string>;
  readonly joinToken?: pulumi.Output<string>;
  readonly dnsNames?: { readonly api: string; readonly appsWildcard: string };
  readonly rancherClusterId?: pulumi.Output<string>;
  readonly rancherRegistrationToken?: pulumi.Output<string>;
  readonly vaultPaths?: Readonly<Record<string, string>>;
  readonly addons: readonly AddonName[];
}

export interface PlatformServices {
  /** What talks to the cluster waits behind it; absent when the infrastructure gave no endpoint to check. */
  readonly apiReady?: ReadinessGate;
  /** One per node, behind the gate: drains and deletes its Kubernetes Node before the instance goes. */
  readonly nodeDrains: readonly NodeDrain[];
  readonly upgradePlans: UpgradePlans;
  /** Pods cannot reach the cloud metadata service (every cluster). */
  readonly metadataEgress: MetadataEgressPolicy;
  readonly etcdS3?: EtcdS3Secret;
  readonly dns?: ClusterDns;
  readonly rancher?: RancherRegistration;
  readonly vaultSecrets?: ClusterVaultSecrets;
  /** The cluster's Kubernetes auth mount and namespace roles in Vault (with VSO on a Vault-backed cluster). */
  readonly vaultAuth?: VaultKubernetesAuth;
  /** The cluster's own Route53 credentials role in Vault's AWS secrets engine (with external-dns). */
  readonly route53Credentials?: Route53Credentials;
  readonly addons?: Addons;
  readonly outputs: PlatformOutputs;
}

/** The spec as platform services see it: with the caller's extra labels merged in. */
function withLabels(spec: ClusterSpec, extra: Readonly<Record<string, string>>): ClusterSpec {
  return Object.keys(extra).length === 0 ? spec : { ...spec, labels: { ...spec.labels, ...extra } };
}

/**
 * The provider the Rancher registration manifest is applied with. Since pulumi-kubernetes 4.29 a create
 * of an object that already exists fails; the manifest's `cattle-system` Namespace must adopt the one
 * xcluster creates (labelled) before it, so this provider, and only this one, upserts.
 */
function registrationManifestProvider(
  spec: ClusterSpec,
  kubeconfig: pulumi.Input<string>,
  dependsOn: readonly pulumi.Resource[],
): k8s.Provider {
  return new k8s.Provider(
    `${spec.name}-kubernetes-registration`,
    { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true, upsertExistingObjects: true },
    // Configured only once the API answers (see kubernetesProvider).
    { dependsOn: [...dependsOn] },
  );
}

/** Creates the platform services of one cluster. */
export function platformServices(
  baseSpec: ClusterSpec,
  infra: PlatformInfra,
  options: PlatformServicesOptions,
): PlatformServices {
  const spec = withLabels(baseSpec, options.extraLabels ?? {});
  const { cloud } = options;
  const name = spec.name;
  if (spec.vault.enabled && cloud.vault === undefined) {
    throw new Error(
      `cluster "${name}": vault.enabled is true but no Vault provider was given (use cloudProviders(spec))`,
    );
  }

  const selection = selectAddons(spec);
  const register = spec.rancher.enabled && (options.registerWithRancher ?? true);
  let k8sProvider = options.kubernetes;
  const cluster = (): k8s.Provider => (k8sProvider ??= kubernetesProvider(spec, infra.kubeconfig, ready));
  const writesVault = spec.vault.enabled && cloud.vault !== undefined;
  // Everything that talks to the cluster waits until its API answers, so a first `up` does not race the
  // servers' boot. DNS records do not talk to the cluster and go ahead. Every cluster has upgrade plans,
  // so every cluster with a known endpoint has the gate.
  const apiReady =
    infra.readiness !== undefined ? new ReadinessGate(`${name}-api-ready`, infra.readiness) : undefined;
  const afterReady: pulumi.ComponentResourceOptions =
    apiReady === undefined ? {} : { dependsOn: [apiReady], transformations: [waitFor(apiReady)] };
  const ready: pulumi.Resource[] = apiReady === undefined ? [] : [apiReady];

  // Scale-down: the engine deletes dependents first, so a node's drain runs before its instance's delete.
  // A child of the instance, it shares its protection (production servers: removing one is refused).
  const nodeDrains = (infra.nodes ?? []).map(
    (node) =>
      new NodeDrain(
        `${node.name}-drain`,
        { nodeName: node.name, kubeconfig: infra.kubeconfig },
        {
          parent: node.instance,
          dependsOn: [node.instance, ...ready],
          ...(infra.deletedWithCluster !== undefined ? { deletedWith: infra.deletedWithCluster } : {}),
        },
      ),
  );

  // A change of rke2Version is rolled out in the cluster, node by node; nodes are never replaced for it.
  const upgradePlans = new UpgradePlans(
    `${name}-upgrades`,
    {
      cluster: name,
      version: spec.rke2.version,
      agentConcurrency: spec.rke2.upgradeAgentConcurrency,
      systemDefaultRegistry: spec.rke2.install.systemDefaultRegistry,
      agentTaints: [
        ...spec.pools.flatMap((p) => p.taints),
        ...(spec.topology.mode === "keepalived" && spec.topology.ingressNodes > 0 ? [INGRESS_TAINT] : []),
      ],
    },
    { providers: [cluster()], ...afterReady },
  );

  // The nodes' user data holds the join token (and the CA keys on server-0): no pod may read it.
  const metadataEgress = new MetadataEgressPolicy(
    `${name}-metadata-egress`,
    { cni: spec.rke2.cni, runningVersion: options.appliedRke2Version ?? spec.rke2.version },
    { providers: [cluster()], ...afterReady },
  );

  // Snapshots to S3: RKE2 reads the settings and Vault's credentials from a kube-system Secret.
  const etcdS3 =
    spec.rke2.etcdS3 !== undefined && cloud.vault !== undefined
      ? new EtcdS3Secret(
          `${name}-etcd-s3`,
          {
            s3: spec.rke2.etcdS3,
            credentials: readKvSecret(spec.vault.kvMount, spec.rke2.etcdS3.credentialPath, {
              provider: cloud.vault,
            }),
          },
          { providers: [cluster()], ...afterReady },
        )
      : undefined;

  const dns = spec.dns.enabled
    ? new ClusterDns(
        `${name}-dns`,
        {
          cluster: name,
          zone: spec.dns.zone,
          privateZone: spec.dns.privateZone,
          ttlSeconds: spec.dns.ttlSeconds,
          apiAddress: infra.apiFloatingIp,
          ingressAddress: infra.ingressFloatingIp,
          extraIngressNames: options.extraIngressNames,
        },
        cloud.route53 === undefined ? {} : { providers: [cloud.route53] },
      )
    : undefined;

  const rancher = register
    ? new RancherRegistration(
        `${name}-rancher`,
        {
          clusterName: name,
          labels: clusterSelectionLabels(spec),
          kubernetesProvider: cluster(),
          manifestProvider: registrationManifestProvider(spec, infra.kubeconfig, ready),
          podSecurityVersion: podSecurityVersion(spec),
          // A component's dependsOn does not reach its children (the SDK gathers each resource's own
          // dependsOn only: @pulumi/pulumi 3.248.0 runtime/resource.js), so the gate is passed down.
          dependsOn: ready,
        },
        { providers: [options.rancher ?? rancherProvider(spec, { vault: cloud.vault })], ...afterReady },
      )
    : undefined;

  const vaultSecrets =
    writesVault && cloud.vault !== undefined
      ? new ClusterVaultSecrets(
          `${name}-vault`,
          {
            mount: spec.vault.kvMount,
            clusterPathPrefix: spec.vault.clusterPathPrefix,
            cluster: name,
            kubeconfig: infra.kubeconfig,
            joinToken: infra.joinToken,
            registration:
              rancher === undefined
                ? undefined
                : {
                    rancher_url: spec.rancher.url,
                    cluster_id: rancher.clusterId,
                    manifest_url: rancher.manifestUrl,
                    token: rancher.registrationToken,
                  },
            deleteAllVersions: !spec.production,
            // `xcluster destroy` of a production cluster (protect: false) keeps its Vault paths (ADR 0016).
            retainOnDelete: spec.production,
          },
          { providers: [cloud.vault], ...afterReady },
        )
      : undefined;

  const { vaultAuth, route53Credentials } =
    writesVault && cloud.vault !== undefined
      ? vaultSide(spec, selection, infra, dns, cloud.vault)
      : { vaultAuth: undefined, route53Credentials: undefined };

  let addons: Addons | undefined;
  if (selection.length > 0) {
    const vaultData: Record<string, pulumi.Output<Record<string, string>>> = {};
    if (spec.vault.enabled && cloud.vault !== undefined) {
      for (const path of requiredVaultPaths(selection, spec)) {
        vaultData[path] = readKvSecret(spec.vault.kvMount, path, { provider: cloud.vault });
      }
    }
    addons = new Addons(
      `${name}-addons`,
      {
        spec,
        selection,
        vaultData,
        ready,
        vaultSide: [...(vaultAuth?.ready ?? []), ...(route53Credentials ? [route53Credentials.role] : [])],
      },
      { providers: [cluster()], ...afterReady },
    );
  }

  const outputs: PlatformOutputs = {
    kubeconfig: pulumi.secret(infra.kubeconfig),
    joinToken: infra.joinToken === undefined ? undefined : pulumi.secret(infra.joinToken),
    dnsNames: dns === undefined ? undefined : { api: dns.apiName, appsWildcard: dns.appsWildcardName },
    rancherClusterId: rancher?.clusterId,
    rancherRegistrationToken: rancher?.registrationToken,
    vaultPaths: vaultSecrets?.paths,
    addons: selection.map((s) => s.addon.name),
  };
  return {
    apiReady,
    nodeDrains,
    upgradePlans,
    metadataEgress,
    etcdS3,
    dns,
    rancher,
    vaultSecrets,
    vaultAuth,
    route53Credentials,
    addons,
    outputs,
  };
}

/**
 * What Vault holds for the cluster's workloads: with vault-secrets-operator, the cluster's Kubernetes auth
 * mount with a role for the operator's namespace (the chart's default VaultAuth, no policy) and one per
 * add-on namespace that reads from Vault; with external-dns, the cluster's own Route53 credentials role.
 */
function vaultSide(
  spec: ClusterSpec,
  selection: readonly AddonSelection[],
  infra: PlatformInfra,
  dns: ClusterDns | undefined,
  provider: pulumi.ProviderResource,
): { vaultAuth?: VaultKubernetesAuth; route53Credentials?: Route53Credentials } {
  const selected = (name: string) => selection.some((s) => s.addon.name === name);
  if (!selected("vault-secrets-operator")) return {};
  if (infra.api === undefined) {
    throw new Error(
      `cluster "${spec.name}": vault-secrets-operator needs the cluster's API URL and CA for Vault's ` +
        `Kubernetes auth (PlatformInfra.api; platformInfra() gives it)`,
    );
  }
  const roles: VaultNamespaceRole[] = [
    { role: VSO_VAULT_ROLE, namespace: VSO_NAMESPACE },
    ...selection.flatMap(({ addon }) =>
      addon.vaultPolicy === undefined
        ? []
        : [{ role: addon.name, namespace: addon.namespace, policy: addon.vaultPolicy(spec) }],
    ),
  ];
  const vaultAuth = new VaultKubernetesAuth(
    `${spec.name}-vault-auth`,
    { cluster: spec.name, apiUrl: infra.api.url, caCert: infra.api.caCert, roles },
    { providers: [provider] },
  );
  if (!selected("external-dns")) return { vaultAuth };
  if (dns === undefined) {
    throw new AddonConfigurationError(
      spec.name,
      "external-dns",
      "dns.enabled",
      "external-dns writes Route53 records in dns.zone with credentials limited to that zone (got DNS " +
        "disabled; allowed: enable dns, or drop the add-on)",
    );
  }
  const route53Credentials = new Route53Credentials(
    `${spec.name}-route53-credentials`,
    {
      cluster: spec.name,
      backend: spec.vault.awsSecretsMount,
      zoneId: dns.zoneId,
      domain: clusterDomain(spec),
    },
    { providers: [provider] },
  );
  return { vaultAuth, route53Credentials };
}

/**
 * Makes a component and every resource under it wait for `gate`. A component's own `dependsOn` does not
 * reach its children: the SDK gathers only each resource's own `dependsOn` (@pulumi/pulumi 3.248.0
 * runtime/resource.js, prepareResource), while transformations are inherited by every descendant.
 */
function waitFor(gate: pulumi.Resource): pulumi.ResourceTransformation {
  return (args) => ({ props: args.props, opts: pulumi.mergeOptions(args.opts, { dependsOn: [gate] }) });
}
