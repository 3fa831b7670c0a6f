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
import { clusterSelectionLabels, selectAddons } from "../components/addons/select";
import { podSecurityVersion } from "../components/addons/pod-security";
import type { AddonName } from "../spec/addons";
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
   * What everything that talks to the cluster's API waits for: its readiness gate (issue 12 builds it).
   * @default [] (nothing to wait for)
   */
  readonly ready?: readonly pulumi.Resource[];
}

/** The platform-services view of a cluster built by `buildClusterInfra` (the agent token is what Vault keeps). */
export function platformInfra(infra: ClusterInfra, outputs: ClusterOutputs): PlatformInfra {
  return {
    apiFloatingIp: outputs.apiEndpoint.address,
    ingressFloatingIp: outputs.ingressAddress,
    kubeconfig: outputs.kubeconfig,
    joinToken: infra.agentToken,
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
  readonly dns?: ClusterDns;
  readonly rancher?: RancherRegistration;
  readonly vaultSecrets?: ClusterVaultSecrets;
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
function registrationManifestProvider(spec: ClusterSpec, kubeconfig: pulumi.Input<string>): k8s.Provider {
  return new k8s.Provider(`${spec.name}-kubernetes-registration`, {
    kubeconfig: pulumi.secret(kubeconfig),
    enableServerSideApply: true,
    upsertExistingObjects: true,
  });
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
  const cluster = (): k8s.Provider => (k8sProvider ??= kubernetesProvider(spec, infra.kubeconfig));

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
          manifestProvider: registrationManifestProvider(spec, infra.kubeconfig),
          podSecurityVersion: podSecurityVersion(spec),
          dependsOn: infra.ready,
        },
        { providers: [options.rancher ?? rancherProvider(spec, { vault: cloud.vault })] },
      )
    : undefined;

  const vaultSecrets =
    spec.vault.enabled && cloud.vault !== undefined
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
          },
          { providers: [cloud.vault] },
        )
      : undefined;

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
      { spec, selection, vaultData, ready: infra.ready },
      { providers: [cluster()] },
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
  return { dns, rancher, vaultSecrets, addons, outputs };
}
