/**
 * The cluster's CAs, service-account key, admin client certificate and join-token secrets, generated
 * once and kept in Pulumi state (encrypted: every key is a secret output). A dynamic provider, because
 * the values must survive across runs and no provider plugin for X.509 is available (docs/adr/0002).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  caHash,
  generateClusterPki,
  issueClientCertificate,
  ADMIN_COMMON_NAME,
  ADMIN_ORGANISATION,
} from "./rke2/pki";

/** The dynamic resource's type token is `pulumi-nodejs:dynamic/<module>:<type>`. */
export const CLUSTER_PKI_MODULE = "rke2";
export const CLUSTER_PKI_TYPE = "ClusterPki";
export const CLUSTER_PKI_TOKEN = `pulumi-nodejs:dynamic/${CLUSTER_PKI_MODULE}:${CLUSTER_PKI_TYPE}`;

export interface ClusterPkiArgs {
  /**
   * Lifetime of the CAs. Read at creation only: a CA cannot be replaced under a running cluster.
   * @default 3650
   */
  readonly caValidityDays?: number;
  /**
   * Lifetime of the admin client certificate.
   * @default 365
   */
  readonly adminValidityDays?: number;
  /**
   * Any change re-issues the admin certificate from the same client CA (rotation); the CAs stay.
   * @default "1"
   */
  readonly adminCertificateGeneration?: string;
}

interface PkiInputs {
  caValidityDays: number;
  adminValidityDays: number;
  adminCertificateGeneration: string;
}

/** Output properties that carry private material. */
export const CLUSTER_PKI_SECRET_OUTPUTS = [
  "serverCaKey",
  "clientCaKey",
  "requestHeaderCaKey",
  "etcdServerCaKey",
  "etcdPeerCaKey",
  "serviceAccountKey",
  "adminKey",
  "serverTokenSecret",
  "agentTokenSecret",
] as const;

const provider: pulumi.dynamic.ResourceProvider<PkiInputs> = {
  async create(inputs) {
    const m = generateClusterPki(inputs, new Date());
    const outs = {
      ...inputs,
      serverCaCert: m.serverCa.cert,
      serverCaKey: m.serverCa.key,
      clientCaCert: m.clientCa.cert,
      clientCaKey: m.clientCa.key,
      requestHeaderCaCert: m.requestHeaderCa.cert,
      requestHeaderCaKey: m.requestHeaderCa.key,
      etcdServerCaCert: m.etcdServerCa.cert,
      etcdServerCaKey: m.etcdServerCa.key,
      etcdPeerCaCert: m.etcdPeerCa.cert,
      etcdPeerCaKey: m.etcdPeerCa.key,
      serviceAccountKey: m.serviceAccountKey,
      adminCert: m.admin.cert,
      adminKey: m.admin.key,
      serverTokenSecret: m.serverTokenSecret,
      agentTokenSecret: m.agentTokenSecret,
      caHash: caHash(m.serverCa.cert),
    };
    return { id: `pki-${outs.caHash.slice(0, 16)}`, outs };
  },
  async diff(_id, olds: PkiInputs, news: PkiInputs) {
    // Only the admin certificate can change in place; nothing here ever replaces the CAs.
    const changes =
      olds.adminValidityDays !== news.adminValidityDays ||
      olds.adminCertificateGeneration !== news.adminCertificateGeneration;
    return { changes, replaces: [], deleteBeforeReplace: false };
  },
  async update(_id, olds: Record<string, string> & PkiInputs, news: PkiInputs) {
    const admin = issueClientCertificate(
      { cert: olds.clientCaCert ?? "", key: olds.clientCaKey ?? "" },
      ADMIN_COMMON_NAME,
      ADMIN_ORGANISATION,
      news.adminValidityDays,
      new Date(),
    );
    return {
      outs: {
        ...olds,
        adminValidityDays: news.adminValidityDays,
        adminCertificateGeneration: news.adminCertificateGeneration,
        adminCert: admin.cert,
        adminKey: admin.key,
      },
    };
  },
};

/** Cluster PKI held in state. PEM outputs are LF-terminated; keys and token secrets are secret. */
export class ClusterPki extends pulumi.dynamic.Resource {
  declare readonly serverCaCert: pulumi.Output<string>;
  declare readonly serverCaKey: pulumi.Output<string>;
  declare readonly clientCaCert: pulumi.Output<string>;
  declare readonly clientCaKey: pulumi.Output<string>;
  declare readonly requestHeaderCaCert: pulumi.Output<string>;
  declare readonly requestHeaderCaKey: pulumi.Output<string>;
  declare readonly etcdServerCaCert: pulumi.Output<string>;
  declare readonly etcdServerCaKey: pulumi.Output<string>;
  declare readonly etcdPeerCaCert: pulumi.Output<string>;
  declare readonly etcdPeerCaKey: pulumi.Output<string>;
  declare readonly serviceAccountKey: pulumi.Output<string>;
  declare readonly adminCert: pulumi.Output<string>;
  declare readonly adminKey: pulumi.Output<string>;
  declare readonly serverTokenSecret: pulumi.Output<string>;
  declare readonly agentTokenSecret: pulumi.Output<string>;
  /** sha256 of the server CA, the pin in `K10…` join tokens. */
  declare readonly caHash: pulumi.Output<string>;

  constructor(name: string, args: ClusterPkiArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    const inputs: Record<string, unknown> = {
      caValidityDays: args.caValidityDays ?? 3650,
      adminValidityDays: args.adminValidityDays ?? 365,
      adminCertificateGeneration: args.adminCertificateGeneration ?? "1",
    };
    // Every output must be declared as an input (undefined) for the SDK to create its Output property.
    for (const key of [
      "serverCaCert",
      "clientCaCert",
      "requestHeaderCaCert",
      "etcdServerCaCert",
      "etcdPeerCaCert",
      "adminCert",
      "caHash",
      ...CLUSTER_PKI_SECRET_OUTPUTS,
    ]) {
      inputs[key] = undefined;
    }
    super(
      provider,
      name,
      inputs,
      {
        ...opts,
        additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...CLUSTER_PKI_SECRET_OUTPUTS],
      },
      CLUSTER_PKI_MODULE,
      CLUSTER_PKI_TYPE,
    );
  }
}

/** The provider, exported for tests that exercise it outside the engine. */
export const clusterPkiProvider = provider;
