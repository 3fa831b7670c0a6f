/**
 * The providers a cluster program uses, configured from what Vault holds (when the environment enables
 * Vault) so that no cloud credential lives in stack config: OpenStack from the application credential,
 * Route53 from the AWS key, Rancher from its API token; Kubernetes from the kubeconfig the cluster
 * produces. Secrets stay Pulumi secrets; TLS verification is never turned off.
 *
 * Vault itself is reached at `vault.address` with the token from the standard Vault environment
 * (VAULT_TOKEN, or the token helper), which never enters state.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import * as openstack from "@pulumi/openstack";
import * as k8s from "@pulumi/kubernetes";
import * as rancher2 from "@pulumi/rancher2";
import type { ClusterSpec } from "../spec/types";
import { route53Provider } from "../components/dns";
import {
  kvField,
  readKvSecret,
  readPlatformCredentials,
  type PlatformCredentials,
} from "../components/vault-secrets";

/**
 * KV path (under `vault.kvMount`) of the Rancher API token (field `token`) until the spec names it.
 */
export const DEFAULT_RANCHER_TOKEN_PATH = "platform/rancher/api-token";
export const RANCHER_TOKEN_FIELD = "token";

/** Providers needed before any infrastructure exists. */
export interface CloudProviders {
  /** Present when `vault.enabled`. */
  readonly vault?: vault.Provider;
  /** Credentials read from Vault; present when `vault.enabled`. */
  readonly credentials?: PlatformCredentials;
  readonly openstack: openstack.Provider;
  /** Present when `dns.enabled`. */
  readonly route53?: pulumi.ProviderResource;
}

/** A Vault provider at the environment's address, TLS verified. */
export function vaultProvider(spec: ClusterSpec): vault.Provider {
  return new vault.Provider(`${spec.name}-vault`, { address: spec.vault.address, skipTlsVerify: false });
}

/**
 * OpenStack from the Vault application credential, or from `clouds.yaml` (`openstack.cloud`) without Vault.
 *
 * `useOctavia` is deliberately not set: terraform-provider-openstack v1.54.1 (wrapped by
 * pulumi-openstack 3.15.2) defaults `use_octavia` to true (openstack/provider.go:211-217,
 * `EnvDefaultFunc("OS_USE_OCTAVIA", true)`) and marks it deprecated. Its "Argument is deprecated" preview
 * warning comes from that default alone: the SDK validates a dynamic default like a set value
 * (pulumi's terraform-plugin-sdk fork v2.0.0-20240229143312-4f60ee4e2975, helper/schema/schema.go:1662-1678
 * and 2344), so no provider setting of ours can silence it.
 */
export function openstackProvider(spec: ClusterSpec, credentials?: PlatformCredentials): openstack.Provider {
  const common = { region: spec.openstack.region, insecure: false };
  return new openstack.Provider(
    `${spec.name}-openstack`,
    credentials === undefined
      ? { ...common, cloud: spec.openstack.cloud }
      : {
          ...common,
          authUrl: credentials.openstack.authUrl,
          applicationCredentialId: pulumi.secret(credentials.openstack.applicationCredentialId),
          applicationCredentialSecret: pulumi.secret(credentials.openstack.applicationCredentialSecret),
        },
  );
}

/** Vault, the credentials it holds, OpenStack and (with DNS) Route53: everything the infrastructure needs. */
export function cloudProviders(spec: ClusterSpec): CloudProviders {
  const vaultP = spec.vault.enabled ? vaultProvider(spec) : undefined;
  const credentials =
    vaultP === undefined ? undefined : readPlatformCredentials(spec.vault, { provider: vaultP });
  const route53 = spec.dns.enabled
    ? route53Provider(
        `${spec.name}-route53`,
        credentials === undefined
          ? {}
          : { accessKey: credentials.aws.accessKeyId, secretKey: credentials.aws.secretAccessKey },
      )
    : undefined;
  return { vault: vaultP, credentials, openstack: openstackProvider(spec, credentials), route53 };
}

/** The new cluster's API, through its admin kubeconfig (kept secret). */
export function kubernetesProvider(
  spec: ClusterSpec,
  kubeconfig: pulumi.Input<string>,
  /** What the provider waits for before it is configured: the cluster's readiness gate. */
  dependsOn: readonly pulumi.Resource[] = [],
): k8s.Provider {
  return new k8s.Provider(
    `${spec.name}-kubernetes`,
    { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true },
    // The provider is configured when its step runs; one that cannot reach the API then marks the cluster
    // unreachable for the whole run (pulumi-kubernetes provider/pkg/provider/provider.go, Configure:
    // clusterUnreachable), so it must wait for the gate like the resources it serves.
    { dependsOn: [...dependsOn] },
  );
}

export interface RancherProviderOptions {
  /** Vault provider to read the API token with; without it the rancher2 provider's environment is used. */
  readonly vault?: vault.Provider;
  /** KV path of the API token. @default DEFAULT_RANCHER_TOKEN_PATH */
  readonly tokenPath?: string;
}

/** The Rancher management API at `rancher.url`, token from Vault, TLS verified. */
export function rancherProvider(spec: ClusterSpec, options: RancherProviderOptions = {}): rancher2.Provider {
  const tokenKey =
    options.vault === undefined
      ? undefined
      : pulumi.secret(
          kvField(
            readKvSecret(spec.vault.kvMount, options.tokenPath ?? DEFAULT_RANCHER_TOKEN_PATH, {
              provider: options.vault,
            }),
            spec.vault.kvMount,
            options.tokenPath ?? DEFAULT_RANCHER_TOKEN_PATH,
            RANCHER_TOKEN_FIELD,
          ),
        );
  return new rancher2.Provider(`${spec.name}-rancher`, {
    apiUrl: spec.rancher.url,
    tokenKey,
    insecure: false,
  });
}
