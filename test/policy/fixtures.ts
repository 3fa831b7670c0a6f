/** Compliant building blocks for the rule cases: a small keepalived cluster "demo" in environment "dev". */
import { stringify } from "yaml";
import {
  instanceMetadata,
  KEEPALIVED_CONFIG_PATH,
  resourceTags,
  RKE2_CONFIG_PATH,
  Role,
} from "../../components/conventions";
import { Props } from "./harness";

export const CLUSTER = "demo";
export const ENVIRONMENT = "dev";
export const SUBNET = "10.0.50.0/24";
export const VIP = "10.0.50.4";
export const ADMIN = "198.51.100.0/24";
export const IMAGE = "3f1c9a9e-0000-4000-8000-000000000001";
export const SERVER_TOKEN = "/etc/rancher/rke2/server-token";
export const AGENT_TOKEN = "/etc/rancher/rke2/agent-token";

const id = { cluster: CLUSTER, environment: ENVIRONMENT };

export function tags(role: Role): string[] {
  return resourceTags(id, role);
}

export function serverConfig(extra: Props = {}): Props {
  return {
    "node-name": "demo-server-0",
    "node-ip": "10.0.50.11",
    profile: "cis",
    "tls-san": [VIP, "api.demo.example.org"],
    "token-file": SERVER_TOKEN,
    "agent-token-file": AGENT_TOKEN,
    "etcd-snapshot-schedule-cron": "0 */6 * * *",
    "etcd-snapshot-retention": 14,
    "write-kubeconfig-mode": "0600",
    "kube-apiserver-arg": ["audit-log-maxage=30"],
    ...extra,
  };
}

export function agentConfig(extra: Props = {}): Props {
  return {
    "node-name": "demo-agent-0",
    server: `https://${VIP}:9345`,
    "token-file": AGENT_TOKEN,
    profile: "cis",
    ...extra,
  };
}

export const KEEPALIVED_CONF = `global_defs {
  enable_script_security
}
vrrp_instance ingress {
  state BACKUP
  interface eth0
  virtual_router_id 51
  unicast_src_ip 10.0.50.5
  unicast_peer {
    10.0.50.6
  }
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;

/** `#cloud-config` writing the RKE2 config (and optionally more files). */
export function cloudConfig(
  rke2: Props | undefined,
  files: { path: string; content: string }[] = [],
): string {
  const all = [
    ...(rke2 ? [{ path: RKE2_CONFIG_PATH, content: stringify(rke2), permissions: "0600" }] : []),
    ...files.map((f) => ({ ...f, permissions: "0600" })),
  ];
  return `#cloud-config\n${stringify({ write_files: all, runcmd: [["sh", "-c", "curl -sfL https://get.rke2.io | sh -"]] })}`;
}

export function instance(
  role: Role,
  rke2: Props | undefined,
  files: { path: string; content: string }[] = [],
): Props {
  return {
    name: `demo-${role}-0`,
    flavorName: role === "gpu" ? "g1.a100" : "m1.large",
    imageId: IMAGE,
    keyPair: "demo",
    userData: cloudConfig(rke2, files),
    metadata: instanceMetadata(id, role),
    tags: tags(role),
    networks: [{ port: `id-port-${role}` }],
    schedulerHints: [{ group: `id-group-${role}` }],
  };
}

export function server(extra: Props = {}): Props {
  return instance("server", serverConfig(extra));
}

export function agent(extra: Props = {}): Props {
  return instance("agent", agentConfig(extra));
}

export function gpuNode(extra: Props = {}): Props {
  return instance("gpu", agentConfig({ "node-taint": ["nvidia.com/gpu=present:NoSchedule"], ...extra }));
}

export function ingressNode(conf = KEEPALIVED_CONF): Props {
  return instance(
    "ingress",
    agentConfig({ "node-taint": ["node-role.xcluster.dev/ingress=true:NoSchedule"] }),
    [{ path: KEEPALIVED_CONFIG_PATH, content: conf }],
  );
}

export function sgRule(extra: Props = {}): Props {
  return { direction: "ingress", ethertype: "IPv4", securityGroupId: "id-sg-servers", ...extra };
}

export function helmRelease(
  chart: string,
  version: string,
  repo: string,
  values: Props = {},
  namespace = chart,
): Props {
  return { chart, version, namespace, createNamespace: true, repositoryOpts: { repo }, values };
}
