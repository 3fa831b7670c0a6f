/**
 * The Rancher server chart, for the management cluster. Its certificate comes from Let's Encrypt through
 * cert-manager, so downstream agents verify it against public roots (no CA pinning, no insecure mode).
 * The bootstrap password is left to the chart, which generates one into a Kubernetes Secret: no secret in
 * the values.
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import { AddonConfigurationError, type AddonDefinition } from "./addon";
import { INGRESS_CLASS } from "./cluster-facts";

/** Hostname of the Rancher server, from `rancher.url`. */
export function rancherHostname(spec: ClusterSpec): string {
  let url: URL;
  try {
    url = new URL(spec.rancher.url);
  } catch {
    throw new AddonConfigurationError(
      spec.name,
      "rancher",
      "rancher.url",
      `not a URL (got "${spec.rancher.url}")`,
    );
  }
  if (url.protocol !== "https:") {
    throw new AddonConfigurationError(
      spec.name,
      "rancher",
      "rancher.url",
      `must be https (got "${spec.rancher.url}")`,
    );
  }
  return url.hostname;
}

/** How downstream agents verify the Rancher server: against the OS trust store (public certificates). */
export const RANCHER_AGENT_TLS_MODE = "system-store";

export const rancher: AddonDefinition = {
  name: "rancher",
  chart: "rancher",
  // Rancher 2.13 supports Kubernetes 1.32–1.34 downstream and on the local cluster.
  version: "2.13.1",
  repository: "https://releases.rancher.com/server-charts/stable",
  namespace: "cattle-system",
  podSecurity: {
    level: "privileged",
    reason:
      "Rancher runs its webhook, the hosted-cluster operators and the system-upgrade-controller in " +
      "cattle-system on the local cluster, and its own restricted template exempts cattle-system for them " +
      "(rancher/rancher pkg/data/management/podadmissionconfigurationtemplate_data.go v2.13.1, line 18); " +
      "the server pods themselves carry no securityContext (chart/templates/deployment.yaml)",
  },
  selector: { matchLabels: { [addonLabel("rancher")]: ADDON_ENABLED } },
  dependsOn: ["cert-manager"],
  values: (spec: ClusterSpec) => ({
    hostname: rancherHostname(spec),
    // Agents verify the server with the system trust store. The certificate is a public Let's Encrypt
    // one; new installations default to "strict" (rancher/rancher pkg/settings/setting.go v2.13.1 line 67;
    // chart/values.yaml lines 54-57), under which an agent without a CA file exits ("Strict CA
    // verification is enabled but encountered error finding root CA", cmd/agent/main.go lines 166-168).
    // The value becomes CATTLE_AGENT_TLS_MODE (chart/templates/deployment.yaml lines 150-153).
    agentTLSMode: RANCHER_AGENT_TLS_MODE,
    replicas: 3,
    ingress: { ingressClassName: INGRESS_CLASS, tls: { source: "letsEncrypt" } },
    letsEncrypt: {
      email: spec.addons.acmeEmail,
      environment: "production",
      ingress: { class: INGRESS_CLASS },
    },
  }),
  secrets: () => [],
};
