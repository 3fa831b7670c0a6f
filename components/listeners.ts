/**
 * What listens on which address and port on each node role, with the upstream source of every row, so
 * that a test can refuse two listeners on one port of one node. The ingress controller's rows are derived
 * from the Helm values we render (rke2/manifests.ts), so a port added there shows up here.
 *
 * Why it matters: an RKE2 agent runs its own client-side load balancer for the apiserver on
 * 127.0.0.1:6443; an ingress controller on the host network that also listens on 6443 (TCP passthrough)
 * cannot bind, and every nginx reload fails with it.
 */
import { NodeRole } from "../spec/types";
import { PORTS } from "./conventions";

/** `0.0.0.0` is every address of the node; `node` is its primary (fixed or DHCP) address. */
export type ListenAddress = "0.0.0.0" | "127.0.0.1" | "node";

export interface Listener {
  readonly process: string;
  readonly protocol: "tcp" | "udp";
  readonly address: ListenAddress;
  readonly port: number;
  /** The upstream source of the port and the address. */
  readonly source: string;
}

export interface ListenerInput {
  readonly cni: "canal" | "cilium" | "calico";
  readonly topology: "octavia" | "keepalived";
  /**
   * The rke2-ingress-nginx values we set (HelmChartConfig), merged over the chart's defaults; absent
   * means RKE2's chart as shipped.
   * @default {}
   */
  readonly ingressNginxValues?: Readonly<Record<string, unknown>>;
}

const RKE2_DEFAULTS =
  "rancher/rke2@v1.33.3+rke2r1 pkg/cli/defaults/defaults.go: SupervisorPort 9345, APIServerPort 6443, APIServerBindAddress 0.0.0.0";
const K3S_AGENT_LB =
  "k3s pkg/agent/proxy/apiproxy.go (SetAPIServerPort: apiserver LB on lb-server-port minus 1) and " +
  "pkg/agent/loadbalancer/loadbalancer.go (listens on 127.0.0.1); lb-server-port default 6444 " +
  "(rancher/rke2-docs docs/reference/linux_agent_config.md, RKE2 v1.33)";
const K3S_ETCD =
  "k3s pkg/etcd/etcd.go: listen-client-urls <node-ip>:2379 and 127.0.0.1:2379, listen-peer-urls <node-ip>:2380, " +
  "listen-metrics-urls 127.0.0.1:2381 unless etcd-expose-metrics";
const K3S_CONTROL =
  "k3s pkg/daemons/control/server.go: controller-manager and scheduler bind-address loopback (secure ports 10257, 10259)";
const KUBELET =
  "Kubernetes kubelet defaults: --port 10250 on all addresses, --healthz-bind-address 127.0.0.1:10248";
const KUBE_PROXY =
  "Kubernetes kube-proxy defaults: --metrics-bind-address 127.0.0.1:10249, --healthz-bind-address 0.0.0.0:10256";
const SSHD =
  "OpenSSH sshd_config(5): Port 22, ListenAddress all local addresses by default (the cloud image's sshd)";
const RKE2_CNI =
  'rancher/rke2-docs docs/install/requirements.md "CNI Specific Inbound Network Rules" (reachable from other nodes, so all addresses)';
const NGINX_FLAGS =
  "kubernetes/ingress-nginx@controller-v1.12.4 pkg/flags/flags.go (--default-server-port 8181, --healthz-port 10254, " +
  "--status-port 10246, --stream-port 10247, --profiler-port 10245 on --profiler-address 127.0.0.1) and " +
  "rootfs/etc/nginx/template/nginx.tmpl (status and stream on 127.0.0.1)";
const NGINX_CHART =
  "kubernetes/ingress-nginx charts/ingress-nginx@helm-chart-4.12.4 values.yaml (containerPort 80/443, " +
  "admissionWebhooks.port 8443) and templates/_params.tpl (--validating-webhook=:<port>); tcp/udp entries become " +
  "`listen <port>` in nginx.tmpl";
const RKE2_NGINX_CHART =
  "rancher/rke2-charts packages/rke2-ingress-nginx (4.12.401, commit e154c9b) values.yaml.patch: " +
  "kind DaemonSet, hostPort.enabled true (80/443), hostNetwork false";

const L = (
  process: string,
  protocol: Listener["protocol"],
  address: ListenAddress,
  port: number,
  source: string,
): Listener => ({ process, protocol, address, port, source });

/** What every RKE2 node runs (kubelet, kube-proxy) and its CNI. */
function nodeListeners(cni: ListenerInput["cni"]): Listener[] {
  const cniRows: Record<ListenerInput["cni"], Listener[]> = {
    canal: [
      L("flannel VXLAN (kernel)", "udp", "0.0.0.0", 8472, RKE2_CNI),
      L("calico-node (felix) health", "tcp", "0.0.0.0", 9099, RKE2_CNI),
    ],
    cilium: [
      L("cilium VXLAN (kernel)", "udp", "0.0.0.0", 8472, RKE2_CNI),
      L("cilium-health", "tcp", "0.0.0.0", 4240, RKE2_CNI),
    ],
    calico: [
      L("calico BIRD (BGP)", "tcp", "0.0.0.0", 179, RKE2_CNI),
      L("calico VXLAN (kernel)", "udp", "0.0.0.0", 4789, RKE2_CNI),
      L("calico-typha", "tcp", "0.0.0.0", 5473, RKE2_CNI),
      L("calico-typha health", "tcp", "0.0.0.0", 9098, RKE2_CNI),
      L("calico-node (felix) health", "tcp", "0.0.0.0", 9099, RKE2_CNI),
    ],
  };
  return [
    L("sshd", "tcp", "0.0.0.0", PORTS.ssh, SSHD),
    L("kubelet", "tcp", "0.0.0.0", PORTS.kubelet, KUBELET),
    L("kubelet healthz", "tcp", "127.0.0.1", 10248, KUBELET),
    L("kube-proxy metrics", "tcp", "127.0.0.1", 10249, KUBE_PROXY),
    L("kube-proxy healthz", "tcp", "0.0.0.0", 10256, KUBE_PROXY),
    ...cniRows[cni],
  ];
}

/** An RKE2 server: supervisor, apiserver, etcd, controllers. Its agent has no client-side LB (k3s disables it next to an apiserver). */
function serverListeners(): Listener[] {
  return [
    L("rke2 supervisor", "tcp", "0.0.0.0", PORTS.rke2Supervisor, RKE2_DEFAULTS),
    L("kube-apiserver", "tcp", "0.0.0.0", PORTS.kubeApi, RKE2_DEFAULTS),
    L("etcd client", "tcp", "node", PORTS.etcdClient, K3S_ETCD),
    L("etcd client (loopback)", "tcp", "127.0.0.1", PORTS.etcdClient, K3S_ETCD),
    L("etcd peer", "tcp", "node", PORTS.etcdPeer, K3S_ETCD),
    L("etcd metrics", "tcp", "127.0.0.1", PORTS.etcdMetrics, K3S_ETCD),
    L("kube-controller-manager", "tcp", "127.0.0.1", 10257, K3S_CONTROL),
    L("kube-scheduler", "tcp", "127.0.0.1", 10259, K3S_CONTROL),
  ];
}

/** An RKE2 agent's client-side load balancers (supervisor and apiserver are not colocated on an agent). */
function agentLoadBalancers(): Listener[] {
  return [
    L("rke2 agent supervisor load balancer", "tcp", "127.0.0.1", 6444, K3S_AGENT_LB),
    L("rke2 agent apiserver load balancer", "tcp", "127.0.0.1", 6443, K3S_AGENT_LB),
  ];
}

type Values = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Values =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Values) : {};

/**
 * The ingress controller's sockets (or hostPorts, which intercept the node's port all the same) for the
 * given chart values over RKE2's chart defaults.
 */
export function ingressControllerListeners(values: Values = {}): Listener[] {
  const c = obj(values["controller"]);
  const hostNetwork = c["hostNetwork"] === true;
  const hostPort = obj(c["hostPort"]);
  const hostPortEnabled = hostPort["enabled"] === undefined ? true : hostPort["enabled"] === true;
  const hostPorts = obj(hostPort["ports"]);
  const webhooks = obj(c["admissionWebhooks"]);
  const rows: Listener[] = [];
  const extra = (protocol: "tcp" | "udp") =>
    Object.keys(obj(values[protocol])).map((port) =>
      L(`ingress-nginx ${protocol} passthrough`, protocol, "0.0.0.0", Number(port), NGINX_CHART),
    );
  if (hostNetwork) {
    rows.push(
      L("ingress-nginx http", "tcp", "0.0.0.0", PORTS.http, NGINX_CHART),
      L("ingress-nginx https", "tcp", "0.0.0.0", PORTS.https, NGINX_CHART),
      L("ingress-nginx default server", "tcp", "0.0.0.0", 8181, NGINX_FLAGS),
      L("ingress-nginx healthz and metrics", "tcp", "0.0.0.0", PORTS.ingressHealth, NGINX_FLAGS),
      L("ingress-nginx status (lua)", "tcp", "127.0.0.1", 10246, NGINX_FLAGS),
      L("ingress-nginx stream (lua)", "tcp", "127.0.0.1", 10247, NGINX_FLAGS),
      L("ingress-nginx profiler", "tcp", "127.0.0.1", 10245, NGINX_FLAGS),
    );
    if (webhooks["enabled"] !== false) {
      const port = typeof webhooks["port"] === "number" ? webhooks["port"] : PORTS.ingressWebhook;
      rows.push(L("ingress-nginx admission webhook", "tcp", "0.0.0.0", port, NGINX_CHART));
    }
    rows.push(...extra("tcp"), ...extra("udp"));
  } else if (hostPortEnabled) {
    const port = (key: string, fallback: number) =>
      typeof hostPorts[key] === "number" ? (hostPorts[key] as number) : fallback;
    rows.push(
      L("ingress-nginx http (hostPort)", "tcp", "0.0.0.0", port("http", PORTS.http), RKE2_NGINX_CHART),
      L("ingress-nginx https (hostPort)", "tcp", "0.0.0.0", port("https", PORTS.https), RKE2_NGINX_CHART),
      // The chart gives tcp/udp entries a hostPort too when hostPort is enabled.
      ...extra("tcp"),
      ...extra("udp"),
    );
  }
  return rows;
}

/** The listener map: every role's listeners, for one topology, CNI and set of ingress values. */
export function listenerMap(input: ListenerInput): Record<NodeRole, Listener[]> {
  const node = nodeListeners(input.cni);
  const controller = ingressControllerListeners(input.ingressNginxValues ?? {});
  // keepalived: the controller runs on the ingress nodes only (nodeSelector and toleration); octavia: on
  // the untainted agents (servers and GPU nodes are tainted, RKE2's DaemonSet does not tolerate them).
  const keepalived = input.topology === "keepalived";
  return {
    server: [...serverListeners(), ...node],
    agent: [...agentLoadBalancers(), ...node, ...(keepalived ? [] : controller)],
    gpu: [...agentLoadBalancers(), ...node],
    ingress: keepalived ? [...agentLoadBalancers(), ...node, ...controller] : [],
  };
}

export interface Collision {
  readonly port: number;
  readonly protocol: Listener["protocol"];
  readonly a: Listener;
  readonly b: Listener;
}

/** Two sockets on one port and protocol collide unless both bind distinct specific addresses. */
function overlap(a: ListenAddress, b: ListenAddress): boolean {
  return a === "0.0.0.0" || b === "0.0.0.0" || a === b;
}

/** Every pair of listeners on one node that cannot both bind. */
export function findCollisions(listeners: readonly Listener[]): Collision[] {
  const out: Collision[] = [];
  listeners.forEach((a, i) => {
    for (const b of listeners.slice(i + 1)) {
      if (a.port === b.port && a.protocol === b.protocol && overlap(a.address, b.address))
        out.push({ port: a.port, protocol: a.protocol, a, b });
    }
  });
  return out;
}
