/**
 * cert-manager: certificates for every ingress, from an ACME ClusterIssuer that solves HTTP-01 challenges
 * through the cluster's ingress. Installed before anything that asks for a certificate.
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";
import { INGRESS_CLASS } from "./cluster-facts";

/** The ClusterIssuer other add-ons reference in their ingress annotations. */
export const CLUSTER_ISSUER = "letsencrypt";

/** Let's Encrypt's production ACME directory. */
export const ACME_SERVER = "https://acme-v02.api.letsencrypt.org/directory";

export const certManager: AddonDefinition = {
  name: "cert-manager",
  chart: "cert-manager",
  // cert-manager 1.20 supports Kubernetes 1.32–1.35 (cert-manager.io supported-releases table).
  version: "v1.20.3",
  repository: "https://charts.jetstack.io",
  namespace: "cert-manager",
  podSecurity: {
    level: "restricted",
    // Every pod the chart makes (controller, webhook, cainjector, startupapicheck) gets a pod
    // securityContext with runAsNonRoot and the RuntimeDefault seccomp profile and a container
    // securityContext dropping ALL capabilities without privilege escalation, by default
    // (cert-manager/cert-manager deploy/charts/cert-manager/values.yaml v1.20.3, lines 411-424, 816-829,
    // 1217-1230, 1511-1524); xcluster leaves those values alone.
    reason: "the chart's default security contexts meet restricted",
  },
  selector: { matchLabels: { [addonLabel("cert-manager")]: ADDON_ENABLED } },
  dependsOn: [],
  values: () => ({
    // CRDs belong to the release so that they are upgraded with it.
    crds: { enabled: true, keep: true },
    replicaCount: 2,
    podDisruptionBudget: { enabled: true },
  }),
  secrets: () => [],
};

/** The ACME ClusterIssuer (a cert-manager custom resource) for the cluster. */
export function clusterIssuer(spec: ClusterSpec): {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
} {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: CLUSTER_ISSUER },
    spec: {
      acme: {
        server: ACME_SERVER,
        email: spec.addons.acmeEmail,
        privateKeySecretRef: { name: `${CLUSTER_ISSUER}-account-key` },
        solvers: [{ http01: { ingress: { ingressClassName: INGRESS_CLASS } } }],
      },
    },
  };
}
