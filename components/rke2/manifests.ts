/**
 * Kubernetes manifests RKE2 applies by itself from its manifests directory on a server (its deploy
 * controller). In both topologies the bundled ingress-nginx writes the ingress floating IP into every
 * Ingress's status. In the keepalived topology it also runs only on the dedicated ingress
 * nodes, which hold the ingress VIP, on the host network. It serves ingress (80/443) and nothing else: the
 * Kubernetes API and RKE2 registration have their own VIP on the servers (see docs/topologies.md), and an
 * RKE2 agent's own apiserver load balancer already holds 127.0.0.1:6443 on every agent (listeners.ts).
 */
import { stringify } from "yaml";
import { INGRESS_LABEL, INGRESS_TAINT } from "../conventions";
import { parseIpv4 } from "../../spec/ipv4";

/** RKE2's auto-deploy directory on servers. */
export const RKE2_MANIFESTS_DIR = "/var/lib/rancher/rke2/server/manifests";
/** The file this module renders into it. */
export const INGRESS_MANIFEST_PATH = `${RKE2_MANIFESTS_DIR}/xcluster-ingress-nginx.yaml`;

function document(o: unknown): string {
  return stringify(o, { sortMapEntries: true, lineWidth: 0 });
}

/**
 * Values for rke2-ingress-nginx (chart 4.12.401 in RKE2 v1.33.3): scheduled on, and only on, the ingress
 * nodes, on the host network. No `tcp`/`udp` passthrough: listeners.ts derives the node's sockets from
 * these values and its test refuses any that collide.
 */
export function ingressNginxValues(options: IngressStatusOptions = {}): Record<string, unknown> {
  const status = options.publishStatusAddress;
  if (status !== undefined && parseIpv4(status) === undefined) {
    throw new Error(
      `ingress manifest: publishStatusAddress: not an IPv4 address (got ${JSON.stringify(status)}; allowed: the ingress floating IP)`,
    );
  }
  return {
    controller: {
      // Every Ingress's status names the ingress floating IP. Without it the controller (no Service in
      // RKE2's chart, so no --publish-service) writes the addresses of the nodes it runs on: their
      // InternalIP, our nodes having no ExternalIP (kubernetes/ingress-nginx controller-v1.12.4
      // internal/ingress/status/status.go `runningAddresses`, internal/k8s/main.go `GetNodeIPOrName`;
      // rancher/rke2-charts rke2-ingress-nginx 4.12.401 values.yaml `controller.service.enabled: false`,
      // templates/_params.tpl publishes a service only when it is enabled), and external-dns (source
      // `ingress`, components/addons/external-dns.ts) would publish the ingress nodes' private addresses
      // for every Ingress host, shadowing `*.apps`. `--publish-status-address`: pkg/flags/flags.go.
      ...(status !== undefined ? { extraArgs: { "publish-status-address": status } } : {}),
      // On the host network so that keepalived's check reaches the controller's health port on
      // 127.0.0.1:10254 and 80/443 listen on the node that holds the VIP. The admission webhook then
      // listens on the node's 8443, which the flow table opens to the servers (the apiserver calls it).
      hostNetwork: true,
      dnsPolicy: "ClusterFirstWithHostNet",
      hostPort: { enabled: false },
      nodeSelector: { [INGRESS_LABEL.key]: INGRESS_LABEL.value },
      tolerations: [
        {
          key: INGRESS_TAINT.key,
          operator: "Equal",
          value: INGRESS_TAINT.value,
          effect: INGRESS_TAINT.effect,
        },
      ],
    },
  };
}

/** What the controller writes into every Ingress's status. */
export interface IngressStatusOptions {
  /**
   * The address clients reach the ingress at (the ingress VIP's floating IP): the controller's
   * `--publish-status-address`, which external-dns publishes for each Ingress host.
   * @default none (values for the listener map only; the rendered manifest requires it)
   */
  readonly publishStatusAddress?: string;
}

/**
 * The octavia topology's values: RKE2's chart as shipped (a DaemonSet on the agents with hostPorts 80/443
 * behind the ingress load balancer) that publishes the load balancer's floating IP in Ingress status.
 */
export function octaviaIngressNginxValues(options: {
  readonly publishStatusAddress: string;
}): Record<string, unknown> {
  const controller = ingressNginxValues(options)["controller"] as Record<string, unknown>;
  return { controller: { extraArgs: controller["extraArgs"] } };
}

/**
 * The manifest: one HelmChartConfig for RKE2's rke2-ingress-nginx, publishing `publishStatusAddress`; the
 * keepalived topology's values unless `topology` is "octavia".
 */
export function renderIngressManifest(options: {
  readonly publishStatusAddress: string;
  readonly topology?: "keepalived" | "octavia";
}): string {
  const values =
    options.topology === "octavia" ? octaviaIngressNginxValues(options) : ingressNginxValues(options);
  const helmChartConfig = {
    apiVersion: "helm.cattle.io/v1",
    kind: "HelmChartConfig",
    metadata: { name: "rke2-ingress-nginx", namespace: "kube-system" },
    spec: { valuesContent: document(values) },
  };
  return document(helmChartConfig);
}
