/**
 * Complete user data per node role, from plain values: the components resolve their Outputs and call
 * these, and the tests call them directly (snapshots, assertions, `cloud-init schema`).
 */
import { Rke2Settings, Taint } from "../../spec/types";
import { CloudConfigInput, RegistryAuth, WriteFile, renderCloudConfig } from "./cloud-init";
import { AGENT_TOKEN_PATH, SERVER_TOKEN_PATH, renderAgentConfig, renderServerConfig } from "./config";
import { serverTlsFiles, ClusterPkiMaterial } from "./pki";
import { BOOTSTRAP_SCRIPT_PATH, bootstrapCommand, renderBootstrapScript } from "./bootstrap-script";
import { NODE_PASSWORD_PATH } from "./node-password";

/** Keeps ordinary workloads off servers; RKE2's own add-ons tolerate it. */
export const SERVER_TAINT: Taint = { key: "CriticalAddonsOnly", value: "true", effect: "NoExecute" };

/** The CA material the first server needs on disk before RKE2 starts. */
export type ServerCaFiles = Pick<
  ClusterPkiMaterial,
  "serverCa" | "clientCa" | "requestHeaderCa" | "etcdServerCa" | "etcdPeerCa" | "serviceAccountKey"
>;

export interface ServerUserDataInput {
  readonly nodeName: string;
  readonly nodeIp: string;
  readonly tlsSans: readonly string[];
  readonly rke2: Rke2Settings;
  /**
   * First server: initialises, gets the CA files and extra manifests. Joiners: the registration address
   * and the CA-pinned `K10…::server:…` token.
   */
  readonly bootstrap:
    | {
        readonly mode: "initialise";
        readonly serverTokenSecret: string;
        readonly ca: ServerCaFiles;
        /** Where it joins when it does not initialise (bootstrap-script.ts decides at boot). */
        readonly registrationAddress: string;
        /**
         * Supervisors probed at boot; any answer but "refused" or "timed out" makes it join.
         * @default [registrationAddress]
         */
        readonly probeAddresses?: readonly string[];
        /**
         * The stack records that this cluster was initialised (its readiness gate passed once): the node
         * still gets the CA files and manifests, but boots join-only, whatever its probes find.
         * @default false
         */
        readonly clusterInitialised?: boolean;
      }
    | { readonly mode: "join"; readonly registrationAddress: string; readonly serverToken: string };
  /** Secret half of the agent token; servers accept agents presenting it. */
  readonly agentTokenSecret: string;
  /** This node's stable node password (rke2/node-password.ts). */
  readonly nodePassword: string;
  /** registries.yaml credentials per registry host, from Vault. @default none */
  readonly registryAuth?: Readonly<Record<string, RegistryAuth>>;
  /**
   * Files only the first server writes (RKE2 auto-deploy manifests).
   * @default []
   */
  readonly manifests?: readonly WriteFile[];
  /**
   * Extra files, packages and services (keepalived holding the API VIP in the keepalived topology).
   * @default none
   */
  readonly extra?: NodeExtras;
}

/** What a node runs besides RKE2 (keepalived and its files). */
export type NodeExtras = Pick<CloudConfigInput, "packages" | "extraServices"> & {
  readonly files?: readonly WriteFile[];
};

function secretFile(path: string, content: string): WriteFile {
  return { path, content: `${content}\n`, permissions: "0600" };
}

/** User data of an RKE2 server. */
export function serverUserData(s: ServerUserDataInput): string {
  const b = s.bootstrap;
  const rke2Config = renderServerConfig({
    nodeName: s.nodeName,
    nodeIp: s.nodeIp,
    tlsSans: s.tlsSans,
    rke2: s.rke2,
    labels: {},
    taints: [SERVER_TAINT],
    cisProfile: s.rke2.cisProfile,
    cloudProviderName: s.rke2.cloudProviderName,
    bootstrap:
      b.mode === "join"
        ? { mode: "join", registrationAddress: b.registrationAddress }
        : { mode: "initialise" },
  });
  const files: WriteFile[] = [
    secretFile(SERVER_TOKEN_PATH, b.mode === "join" ? b.serverToken : b.serverTokenSecret),
    secretFile(AGENT_TOKEN_PATH, s.agentTokenSecret),
    secretFile(NODE_PASSWORD_PATH, s.nodePassword),
    ...(b.mode === "initialise" ? serverTlsFiles(b.ca) : []),
    ...(b.mode === "initialise" ? (s.manifests ?? []) : []),
    ...(s.extra?.files ?? []),
    { path: BOOTSTRAP_SCRIPT_PATH, content: renderBootstrapScript(), permissions: "0700" },
  ];
  return renderCloudConfig({
    installType: "server",
    rke2Version: s.rke2.version,
    install: s.rke2.install,
    ...(s.registryAuth !== undefined ? { registryAuth: s.registryAuth } : {}),
    rke2Config,
    cisProfile: s.rke2.cisProfile,
    files,
    ...(s.extra?.packages !== undefined ? { packages: s.extra.packages } : {}),
    ...(s.extra?.extraServices !== undefined ? { extraServices: s.extra.extraServices } : {}),
    beforeStart: [
      bootstrapCommand({
        registrationAddress: b.registrationAddress,
        firstServer: b.mode === "initialise" && b.clusterInitialised !== true,
        ...(b.mode === "initialise" && b.probeAddresses !== undefined
          ? { probeAddresses: b.probeAddresses }
          : {}),
      }),
    ],
  });
}

export interface AgentUserDataInput {
  readonly nodeName: string;
  readonly registrationAddress: string;
  /** Fixed address (ingress nodes); undefined for DHCP pool nodes. */
  readonly nodeIp?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly rke2: Pick<Rke2Settings, "version" | "cisProfile" | "install" | "cloudProviderName">;
  /** The CA-pinned `K10…::node:…` agent token. */
  readonly agentToken: string;
  /** This node's stable node password (rke2/node-password.ts). */
  readonly nodePassword: string;
  /** registries.yaml credentials per registry host, from Vault. @default none */
  readonly registryAuth?: Readonly<Record<string, RegistryAuth>>;
  /** Extra files, packages and services (keepalived on ingress nodes). */
  readonly extra?: NodeExtras;
}

/** User data of an RKE2 agent (pool node or ingress node). */
export function agentUserData(a: AgentUserDataInput): string {
  const rke2Config = renderAgentConfig({
    nodeName: a.nodeName,
    registrationAddress: a.registrationAddress,
    ...(a.nodeIp !== undefined ? { nodeIp: a.nodeIp } : {}),
    labels: a.labels,
    taints: a.taints,
    cisProfile: a.rke2.cisProfile,
    cloudProviderName: a.rke2.cloudProviderName,
  });
  return renderCloudConfig({
    installType: "agent",
    rke2Version: a.rke2.version,
    install: a.rke2.install,
    ...(a.registryAuth !== undefined ? { registryAuth: a.registryAuth } : {}),
    rke2Config,
    cisProfile: a.rke2.cisProfile,
    files: [
      secretFile(AGENT_TOKEN_PATH, a.agentToken),
      secretFile(NODE_PASSWORD_PATH, a.nodePassword),
      ...(a.extra?.files ?? []),
    ],
    ...(a.extra?.packages !== undefined ? { packages: a.extra.packages } : {}),
    ...(a.extra?.extraServices !== undefined ? { extraServices: a.extra.extraServices } : {}),
  });
}
