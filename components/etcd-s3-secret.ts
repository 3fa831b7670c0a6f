/**
 * etcd snapshots off the servers: the kube-system Secret RKE2 reads its S3 settings and credentials
 * from (`etcd-s3-config-secret`, components/rke2/config.ts), written through the cluster's API with the
 * credentials read from Vault, so no key is ever in the node's config or user data (policy rke2-009).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { EtcdS3 } from "../spec/types";
import { typeToken } from "./conventions";
import { ETCD_S3_SECRET_NAME } from "./rke2/config";

export interface EtcdS3SecretArgs {
  readonly s3: EtcdS3;
  /** The Vault secret at `s3.credentialPath`: `access_key_id` and `secret_access_key`. */
  readonly credentials: pulumi.Input<Record<string, string>>;
}

/** The Secret's data, by the key names RKE2 reads (k3s pkg/etcd/s3/config_secret.go). */
export function etcdS3SecretData(s3: EtcdS3, credentials: Record<string, string>): Record<string, string> {
  const missing = ["access_key_id", "secret_access_key"].filter((k) => !credentials[k]);
  if (missing.length > 0) {
    throw new Error(`etcd S3 credentials at ${s3.credentialPath}: missing ${missing.join(", ")}`);
  }
  return {
    "etcd-s3-endpoint": s3.endpoint,
    "etcd-s3-bucket": s3.bucket,
    "etcd-s3-folder": s3.folder,
    ...(s3.region !== "" ? { "etcd-s3-region": s3.region } : {}),
    "etcd-s3-access-key": credentials["access_key_id"] as string,
    "etcd-s3-secret-key": credentials["secret_access_key"] as string,
  };
}

export class EtcdS3Secret extends pulumi.ComponentResource {
  constructor(name: string, args: EtcdS3SecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("rke2", "EtcdS3Secret"), name, {}, opts);
    new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: ETCD_S3_SECRET_NAME, namespace: "kube-system" },
        type: "Opaque",
        stringData: pulumi.secret(pulumi.output(args.credentials).apply((c) => etcdS3SecretData(args.s3, c))),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
