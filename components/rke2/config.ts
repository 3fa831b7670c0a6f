/**
 * RKE2's `/etc/rancher/rke2/config.yaml` for servers and agents: pure, deterministic (sorted keys, sorted
 * lists), and written in RKE2's own flag names so that it reads like the RKE2 documentation.
 *
 * Tokens are never inlined: the config points at token files that cloud-init writes with mode 0600
 * (`token-file`, `agent-token-file`), so the config itself carries no secret and policies can parse it.
 * Servers hold the server token and set a separate agent token; agents only ever see the agent token.
 */
import { Rke2Settings, Taint } from "../../spec/types";
import { PORTS } from "../conventions";
import { renderNodeYaml } from "./node-yaml";

/** Where cloud-init writes the server token (servers only). */
export const SERVER_TOKEN_PATH = "/etc/rancher/rke2/server-token";
/**
 * The kube-system Secret RKE2 reads its S3 snapshot settings from (`etcd-s3-config-secret`; keys
 * `etcd-s3-endpoint`, `-bucket`, `-folder`, `-region`, `-access-key`, `-secret-key`: k3s
 * pkg/etcd/s3/config_secret.go `getConfigFromSecret`). Credentials never enter the node's config.
 */
export const ETCD_S3_SECRET_NAME = "xcluster-etcd-s3";
/** Where cloud-init writes the agent token (servers and agents). */
export const AGENT_TOKEN_PATH = "/etc/rancher/rke2/agent-token";

/** How a server comes up: the first initialises the etcd cluster, the others join it. */
export type ServerBootstrap =
  { readonly mode: "initialise" } | { readonly mode: "join"; readonly registrationAddress: string };

/** Settings every RKE2 node shares. */
interface NodeConfigInput {
  /** RKE2 `node-name`; the instance name, so that Kubernetes nodes and instances match. */
  readonly nodeName: string;
  /** Kubernetes node labels (`node-label`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Kubernetes node taints (`node-taint`). */
  readonly taints: readonly Taint[];
  /** RKE2 `profile`; empty string leaves it unset. */
  readonly cisProfile: Rke2Settings["cisProfile"];
  /**
   * RKE2 `cloud-provider-name`; empty leaves it unset. `external` makes the kubelet wait for a cloud
   * controller manager (the OpenStack one, an add-on) and turns RKE2's built-in one off (rancher/rke2
   * pkg/rke2/rke2_linux.go v1.33.3+rke2r1, lines 81-86). @default ""
   */
  readonly cloudProviderName?: Rke2Settings["cloudProviderName"];
}

export interface ServerConfigInput extends NodeConfigInput {
  readonly bootstrap: ServerBootstrap;
  /** RKE2 `node-ip`: the server's fixed address. */
  readonly nodeIp: string;
  /** RKE2 `tls-san`: every name and address clients use for the API (endpoint, floating IP, DNS name). */
  readonly tlsSans: readonly string[];
  readonly rke2: Rke2Settings;
}

export interface AgentConfigInput extends NodeConfigInput {
  /** The fixed registration address (keepalived VIP, Octavia API VIP or a server's fixed address). */
  readonly registrationAddress: string;
  /** RKE2 `node-ip`; omitted for DHCP nodes (RKE2 then uses the default route's address). */
  readonly nodeIp?: string;
}

/** `key=value:Effect`, RKE2's `node-taint` syntax. */
export function formatTaint(t: Taint): string {
  return `${t.key}=${t.value}:${t.effect}`;
}

/** RKE2's supervisor URL on the registration address. */
export function registrationUrl(address: string): string {
  return `https://${address}:${PORTS.rke2Supervisor}`;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function nodeEntries(n: NodeConfigInput): Record<string, unknown> {
  const labels = Object.keys(n.labels)
    .sort()
    .map((k) => `${k}=${n.labels[k]}`);
  const taints = sortedUnique(n.taints.map(formatTaint));
  return {
    "node-name": n.nodeName,
    ...(labels.length > 0 ? { "node-label": labels } : {}),
    ...(taints.length > 0 ? { "node-taint": taints } : {}),
    ...(n.cisProfile !== "" ? { profile: n.cisProfile } : {}),
    ...(n.cloudProviderName ? { "cloud-provider-name": n.cloudProviderName } : {}),
  };
}

function render(config: Record<string, unknown>): string {
  return renderNodeYaml(config);
}

/** A server's config.yaml. */
export function renderServerConfig(s: ServerConfigInput): string {
  return render({
    ...nodeEntries(s),
    ...(s.bootstrap.mode === "join" ? { server: registrationUrl(s.bootstrap.registrationAddress) } : {}),
    "token-file": SERVER_TOKEN_PATH,
    "agent-token-file": AGENT_TOKEN_PATH,
    "node-ip": s.nodeIp,
    "tls-san": sortedUnique(s.tlsSans),
    cni: s.rke2.cni,
    "cluster-cidr": s.rke2.podCidr,
    "service-cidr": s.rke2.serviceCidr,
    "cluster-dns": s.rke2.clusterDns,
    "secrets-encryption": s.rke2.secretsEncryption,
    "etcd-snapshot-schedule-cron": s.rke2.etcdSnapshotScheduleCron,
    "etcd-snapshot-retention": s.rke2.etcdSnapshotRetention,
    // Only the secret's name: RKE2 reads the S3 settings from it when no other etcd-s3 option is set.
    ...(s.rke2.etcdS3 !== undefined ? { "etcd-s3": true, "etcd-s3-config-secret": ETCD_S3_SECRET_NAME } : {}),
    "write-kubeconfig-mode": s.rke2.writeKubeconfigMode,
    // Server-only in RKE2 v1.33 (rke2 pkg/cli/cmds/server.go; deprecated and ignored on agents, agent.go).
    ...(s.rke2.install.systemDefaultRegistry !== ""
      ? { "system-default-registry": s.rke2.install.systemDefaultRegistry }
      : {}),
  });
}

/** An agent's config.yaml. */
export function renderAgentConfig(a: AgentConfigInput): string {
  return render({
    ...nodeEntries(a),
    server: registrationUrl(a.registrationAddress),
    "token-file": AGENT_TOKEN_PATH,
    ...(a.nodeIp !== undefined ? { "node-ip": a.nodeIp } : {}),
  });
}
