/**
 * The cluster's side of Vault (KV v2): reading the platform credentials (OpenStack application
 * credential, AWS credentials for Route53, the SSH public key) from the paths the environment names, and
 * writing what the cluster produces (kubeconfig, RKE2 join token, Rancher registration details) back
 * under `<clusterPathPrefix>/<cluster>/…`. Everything read or written is a Pulumi secret (the public key
 * excepted: it is public).
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { VaultSettings } from "../spec/types";
import { typeToken } from "./conventions";

/** Where a read goes: the Vault provider and, for invokes made from inside a component, its parent. */
export interface VaultReadOptions {
  readonly provider?: pulumi.ProviderResource;
  readonly parent?: pulumi.Resource;
}

/** One KV v2 entry's fields (field → value), as a secret. */
export function readKvSecret(
  mount: string,
  path: string,
  opts: VaultReadOptions = {},
): pulumi.Output<Record<string, string>> {
  const entry = vault.kv.getSecretV2Output(
    { mount, name: path },
    { provider: opts.provider, parent: opts.parent },
  );
  return pulumi.secret(entry.data.apply((data) => ({ ...data })));
}

/** One field of an entry; a missing field fails the deployment with the path and field named. */
export function kvField(
  entry: pulumi.Output<Record<string, string>>,
  mount: string,
  path: string,
  field: string,
): pulumi.Output<string> {
  return entry.apply((data) => {
    const value = data[field];
    if (value === undefined || value === "") {
      throw new Error(`Vault KV entry ${mount}/${path} has no field "${field}"`);
    }
    return value;
  });
}

/** OpenStack application credential (Keystone v3). */
export interface OpenStackCredential {
  readonly authUrl: pulumi.Output<string>;
  readonly applicationCredentialId: pulumi.Output<string>;
  readonly applicationCredentialSecret: pulumi.Output<string>;
}

/** AWS access key for Route53. */
export interface AwsCredential {
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
}

/** Everything a cluster program reads from Vault before it creates anything. */
export interface PlatformCredentials {
  readonly openstack: OpenStackCredential;
  readonly aws: AwsCredential;
  /** The SSH public key for the nodes' key pair (not secret). */
  readonly sshPublicKey: pulumi.Output<string>;
}

/** Field names inside the KV entries the environment points at. */
export const CREDENTIAL_FIELDS = {
  openstack: {
    authUrl: "auth_url",
    applicationCredentialId: "application_credential_id",
    applicationCredentialSecret: "application_credential_secret",
  },
  aws: { accessKeyId: "access_key_id", secretAccessKey: "secret_access_key" },
  sshPublicKey: "public_key",
} as const;

/** Reads the three platform credentials at `settings.{openstack,aws}CredentialPath` and `sshPublicKeyPath`. */
export function readPlatformCredentials(
  settings: VaultSettings,
  opts: VaultReadOptions = {},
): PlatformCredentials {
  const mount = settings.kvMount;
  const os = readKvSecret(mount, settings.openstackCredentialPath, opts);
  const aws = readKvSecret(mount, settings.awsCredentialPath, opts);
  const ssh = readKvSecret(mount, settings.sshPublicKeyPath, opts);
  const f = CREDENTIAL_FIELDS;
  return {
    openstack: {
      authUrl: pulumi.unsecret(kvField(os, mount, settings.openstackCredentialPath, f.openstack.authUrl)),
      applicationCredentialId: kvField(
        os,
        mount,
        settings.openstackCredentialPath,
        f.openstack.applicationCredentialId,
      ),
      applicationCredentialSecret: kvField(
        os,
        mount,
        settings.openstackCredentialPath,
        f.openstack.applicationCredentialSecret,
      ),
    },
    aws: {
      accessKeyId: kvField(aws, mount, settings.awsCredentialPath, f.aws.accessKeyId),
      secretAccessKey: kvField(aws, mount, settings.awsCredentialPath, f.aws.secretAccessKey),
    },
    sshPublicKey: pulumi.unsecret(kvField(ssh, mount, settings.sshPublicKeyPath, f.sshPublicKey)),
  };
}

/** The per-cluster Vault paths (under the KV mount) the write-back uses. */
export function clusterSecretPaths(clusterPathPrefix: string, cluster: string) {
  const base = `${clusterPathPrefix.replace(/\/+$/, "")}/${cluster}`;
  return {
    kubeconfig: `${base}/rke2/kubeconfig`,
    joinToken: `${base}/rke2/token`,
    registration: `${base}/rancher/registration`,
  } as const;
}

export interface ClusterVaultSecretsArgs {
  /** KV v2 mount. */
  readonly mount: string;
  /** Per-cluster secrets go under `<clusterPathPrefix>/<cluster>`. */
  readonly clusterPathPrefix: string;
  /** Cluster name (a path segment). */
  readonly cluster: string;
  /** Admin kubeconfig (YAML). */
  readonly kubeconfig: pulumi.Input<string>;
  /**
   * RKE2 join token.
   * @default not written
   */
  readonly joinToken?: pulumi.Input<string>;
  /**
   * Rancher registration details (field → value), e.g. cluster id and manifest URL.
   * @default not written
   */
  readonly registration?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Destroy every version of the entries with the cluster, not just the latest.
   * @default false (keep history; set for throw-away environments)
   */
  readonly deleteAllVersions?: boolean;
  /**
   * Leave the entries in Vault when the stack is destroyed (Pulumi's `retainOnDelete`): production
   * clusters' kubeconfig, token and registration outlive their stack. Set on each entry: resource
   * options other than `protect` do not pass from a component to its children (@pulumi/pulumi 3.248.0
   * resource.js inherits only `protect` and providers).
   * @default false
   */
  readonly retainOnDelete?: boolean;
}

/** Writes a cluster's kubeconfig, join token and registration details to Vault. */
export class ClusterVaultSecrets extends pulumi.ComponentResource {
  /** Path (under the mount) of each entry written. */
  readonly paths: Readonly<Record<string, string>>;

  constructor(name: string, args: ClusterVaultSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("vault", "ClusterSecrets"), name, {}, opts);
    const all = clusterSecretPaths(args.clusterPathPrefix, args.cluster);
    const paths: Record<string, string> = {};
    const write = (
      role: string,
      path: string,
      data: pulumi.Input<Record<string, pulumi.Input<string>>>,
    ): void => {
      new vault.kv.SecretV2(
        `${name}-${role}`,
        {
          mount: args.mount,
          name: path,
          dataJson: pulumi.secret(pulumi.output(data).apply((d) => JSON.stringify(d))),
          deleteAllVersions: args.deleteAllVersions ?? false,
        },
        { parent: this, ...(args.retainOnDelete === true ? { retainOnDelete: true } : {}) },
      );
      paths[role] = path;
    };
    write("kubeconfig", all.kubeconfig, { kubeconfig: args.kubeconfig });
    if (args.joinToken !== undefined) write("join-token", all.joinToken, { token: args.joinToken });
    if (args.registration !== undefined) write("registration", all.registration, args.registration);
    this.paths = paths;
    this.registerOutputs({ paths });
  }
}
