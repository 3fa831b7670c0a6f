/**
 * Deterministic user data for every node role of the reference cluster, for snapshots, assertions and
 * `cloud-init schema`. CA material is fixed fake PEM so that snapshots do not change between runs.
 */
import { INGRESS_LABEL, INGRESS_TAINT } from "../../components/conventions";
import { renderKeepalivedNode } from "../../components/keepalived/render";
import { INGRESS_MANIFEST_PATH, renderIngressManifest } from "../../components/rke2/manifests";
import { joinToken } from "../../components/rke2/pki";
import { nodePassword } from "../../components/rke2/node-password";
import { NodeExtras, ServerCaFiles, agentUserData, serverUserData } from "../../components/rke2/user-data";
import { poolLabels } from "../../components/node-pool";
import { referenceClusterSpec } from "../support/cluster-specs";

export const SPEC = referenceClusterSpec();
export const SERVERS = ["10.0.50.11", "10.0.50.12", "10.0.50.13"];
/** The ingress VIP (ingress nodes hold it). */
export const VIP = "10.0.50.10";
/** The API VIP (servers hold it): every node but server 0 registers through it. */
export const API_VIP = "10.0.50.9";
export const CA_HASH = "0123456789abcdef".repeat(4);
export const SERVER_SECRET = "server-secret-0000";
export const AGENT_SECRET = "agent-secret-0000";
export const TLS_SANS = [API_VIP, "203.0.113.10", "api.ecmwf-ai-platform.ai.example.org"];

/** keepalived for server `index`, holding the API VIP with the other servers. */
function apiKeepalived(index: number): NodeExtras {
  const node = renderKeepalivedNode({
    group: "api",
    routerId: `ecmwf-ai-platform-server-${index}`,
    virtualRouterId: SPEC.topology.mode === "keepalived" ? SPEC.topology.apiVirtualRouterId : 51,
    priority: 200 - 10 * index,
    unicastSourceIp: SERVERS[index] as string,
    unicastPeers: SERVERS.filter((_, i) => i !== index),
    vip: API_VIP,
    vipPrefixLength: 32,
    advertIntervalSeconds: 1,
  });
  return { files: node.files, packages: node.packages, extraServices: node.services };
}

function fakePair(name: string): { cert: string; key: string } {
  return {
    cert: `-----BEGIN CERTIFICATE-----\nTEST${name}\n-----END CERTIFICATE-----\n`,
    key: `-----BEGIN RSA PRIVATE KEY-----\nTEST${name}\n-----END RSA PRIVATE KEY-----\n`,
  };
}

export const CA: ServerCaFiles = {
  serverCa: fakePair("serverca"),
  clientCa: fakePair("clientca"),
  requestHeaderCa: fakePair("requestheaderca"),
  etcdServerCa: fakePair("etcdserverca"),
  etcdPeerCa: fakePair("etcdpeerca"),
  serviceAccountKey: fakePair("serviceaccount").key,
};

/** Server 0; `clusterInitialised` as the control plane renders it once the stack recorded the cluster. */
export function firstServer(opts: { readonly clusterInitialised?: boolean } = {}): string {
  return serverUserData({
    nodeName: "ecmwf-ai-platform-server-0",
    nodeIp: SERVERS[0] as string,
    tlsSans: TLS_SANS,
    rke2: SPEC.rke2,
    bootstrap: {
      mode: "initialise",
      serverTokenSecret: SERVER_SECRET,
      ca: CA,
      registrationAddress: API_VIP,
      // As the control plane renders it in the keepalived topology: the API VIP, then the peers.
      probeAddresses: [API_VIP, ...SERVERS.slice(1)],
      ...(opts.clusterInitialised === true ? { clusterInitialised: true } : {}),
    },
    agentTokenSecret: AGENT_SECRET,
    nodePassword: nodePassword(SERVER_SECRET, "ecmwf-ai-platform-server-0"),
    manifests: [
      {
        path: INGRESS_MANIFEST_PATH,
        content: renderIngressManifest({ publishStatusAddress: "203.0.113.20" }),
        permissions: "0600",
      },
    ],
    extra: apiKeepalived(0),
  });
}

export function joiningServer(): string {
  return serverUserData({
    nodeName: "ecmwf-ai-platform-server-1",
    nodeIp: SERVERS[1] as string,
    tlsSans: TLS_SANS,
    rke2: SPEC.rke2,
    bootstrap: {
      mode: "join",
      registrationAddress: API_VIP,
      serverToken: joinToken(CA_HASH, "server", SERVER_SECRET),
    },
    agentTokenSecret: AGENT_SECRET,
    nodePassword: nodePassword(SERVER_SECRET, "ecmwf-ai-platform-server-1"),
    extra: apiKeepalived(1),
  });
}

function poolNode(poolIndex: number): string {
  const pool = SPEC.pools[poolIndex];
  if (pool === undefined) throw new Error("fixture: no such pool");
  return agentUserData({
    nodeName: `ecmwf-ai-platform-${pool.name}-0`,
    registrationAddress: API_VIP,
    labels: poolLabels(pool),
    taints: pool.taints,
    rke2: SPEC.rke2,
    agentToken: joinToken(CA_HASH, "node", AGENT_SECRET),
    nodePassword: nodePassword(SERVER_SECRET, `ecmwf-ai-platform-${pool.name}-0`),
  });
}

export const agentNode = (): string => poolNode(0);
export const gpuNode = (): string => poolNode(1);

export function ingressNode(): string {
  const keepalived = renderKeepalivedNode({
    group: "ingress",
    routerId: "ecmwf-ai-platform-ingress-0",
    virtualRouterId: 50,
    priority: 200,
    unicastSourceIp: "10.0.50.5",
    unicastPeers: ["10.0.50.6"],
    vip: VIP,
    vipPrefixLength: 32,
    advertIntervalSeconds: 1,
  });
  return agentUserData({
    nodeName: "ecmwf-ai-platform-ingress-0",
    registrationAddress: API_VIP,
    nodeIp: "10.0.50.5",
    labels: { [INGRESS_LABEL.key]: INGRESS_LABEL.value },
    taints: [INGRESS_TAINT],
    rke2: SPEC.rke2,
    agentToken: joinToken(CA_HASH, "node", AGENT_SECRET),
    nodePassword: nodePassword(SERVER_SECRET, "ecmwf-ai-platform-ingress-0"),
    extra: {
      files: keepalived.files,
      packages: keepalived.packages,
      extraServices: keepalived.services,
    },
  });
}

/** Every role's user data, by snapshot name. */
export const USER_DATA: readonly (readonly [string, () => string])[] = [
  ["rke2-server-first.cloud-config.snap", firstServer],
  ["rke2-server-join.cloud-config.snap", joiningServer],
  ["rke2-agent.cloud-config.snap", agentNode],
  ["rke2-gpu.cloud-config.snap", gpuNode],
  ["rke2-ingress.cloud-config.snap", ingressNode],
];
