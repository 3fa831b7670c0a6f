/**
 * Kubernetes manifests RKE2 applies by itself from its manifests directory on a server (its deploy
 * controller), for the keepalived topology: the bundled ingress-nginx runs only on the dedicated ingress
 * nodes (which carry the VIP) and passes the API (6443) and RKE2 registration (9345) through to the
 * servers, so that the VIP is the cluster's single fixed address for ingress, API and joins.
 */
import { stringify } from "yaml";
import { INGRESS_LABEL, INGRESS_TAINT, PORTS } from "../conventions";

/** RKE2's auto-deploy directory on servers. */
export const RKE2_MANIFESTS_DIR = "/var/lib/rancher/rke2/server/manifests";
/** The file this module renders into it. */
export const INGRESS_MANIFEST_PATH = `${RKE2_MANIFESTS_DIR}/xcluster-ingress-nginx.yaml`;
/** The selector-less Service that reaches the servers' supervisor port. */
export const SUPERVISOR_SERVICE = { namespace: "kube-system", name: "rke2-supervisor" } as const;

function document(o: unknown): string {
  return stringify(o, { sortMapEntries: true, lineWidth: 0 });
}

/** Values for rke2-ingress-nginx: scheduled on, and only on, the ingress nodes; TCP passthrough. */
export function ingressNginxValues(): Record<string, unknown> {
  return {
    controller: {
      // On the host network so that keepalived's check reaches the controller's health port on
      // 127.0.0.1 and the TCP passthrough ports listen on the node that holds the VIP.
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
    tcp: {
      [String(PORTS.kubeApi)]: `default/kubernetes:${PORTS.https}`,
      [String(PORTS.rke2Supervisor)]:
        `${SUPERVISOR_SERVICE.namespace}/${SUPERVISOR_SERVICE.name}:${PORTS.rke2Supervisor}`,
    },
  };
}

/**
 * The multi-document manifest: HelmChartConfig for rke2-ingress-nginx, and a Service with a hand-kept
 * EndpointSlice listing the servers' fixed addresses (the supervisor is a host process, not a pod, so no
 * selector can find it).
 */
export function renderIngressManifest(serverAddresses: readonly string[]): string {
  if (serverAddresses.length === 0) throw new Error("ingress manifest: no server addresses");
  const helmChartConfig = {
    apiVersion: "helm.cattle.io/v1",
    kind: "HelmChartConfig",
    metadata: { name: "rke2-ingress-nginx", namespace: "kube-system" },
    spec: { valuesContent: document(ingressNginxValues()) },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SUPERVISOR_SERVICE.name, namespace: SUPERVISOR_SERVICE.namespace },
    spec: {
      type: "ClusterIP",
      ports: [
        { name: "supervisor", port: PORTS.rke2Supervisor, protocol: "TCP", targetPort: PORTS.rke2Supervisor },
      ],
    },
  };
  const endpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${SUPERVISOR_SERVICE.name}-servers`,
      namespace: SUPERVISOR_SERVICE.namespace,
      labels: {
        "kubernetes.io/service-name": SUPERVISOR_SERVICE.name,
        "endpointslice.kubernetes.io/managed-by": "xcluster",
      },
    },
    addressType: "IPv4",
    ports: [{ name: "supervisor", port: PORTS.rke2Supervisor, protocol: "TCP" }],
    endpoints: [...serverAddresses].sort().map((a) => ({ addresses: [a], conditions: { ready: true } })),
  };
  return [helmChartConfig, service, endpointSlice].map(document).join("---\n");
}
