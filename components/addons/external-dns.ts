/**
 * external-dns: Route53 records for the cluster's Ingresses and Services, confined to the cluster's zone
 * and owned (TXT registry) by the cluster name so that clusters sharing a zone never touch each other's
 * records. AWS credentials come from Vault into a Kubernetes Secret, never into values.
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";

/** Kubernetes Secret holding the Route53 credentials. */
export const EXTERNAL_DNS_AWS_SECRET = "external-dns-aws";

/** Route53 is a global service; the SDK still wants a region. */
const ROUTE53_REGION = "us-east-1";

function secretEnv(name: string, key: string): Record<string, unknown> {
  return { name, valueFrom: { secretKeyRef: { name: EXTERNAL_DNS_AWS_SECRET, key } } };
}

export const externalDns: AddonDefinition = {
  name: "external-dns",
  chart: "external-dns",
  // Chart 1.20.0 ships ExternalDNS v0.20.0 (kubernetes-sigs external-dns chart CHANGELOG).
  version: "1.20.0",
  repository: "https://kubernetes-sigs.github.io/external-dns/",
  namespace: "external-dns",
  podSecurity: {
    level: "restricted",
    // podSecurityContext runAsNonRoot + RuntimeDefault seccomp, securityContext drop ALL, no privilege
    // escalation, uid 65532 (kubernetes-sigs/external-dns charts/external-dns/values.yaml
    // external-dns-helm-chart-1.20.0, lines 86-117).
    reason: "the chart's default security contexts meet restricted",
  },
  selector: { matchLabels: { [addonLabel("external-dns")]: ADDON_ENABLED } },
  dependsOn: [],
  values: (spec: ClusterSpec) => ({
    provider: { name: "aws" },
    sources: ["ingress", "service"],
    domainFilters: [spec.dns.zone],
    txtOwnerId: spec.name,
    registry: "txt",
    // Never delete records it did not create in this run; a shared zone is the normal case.
    policy: "upsert-only",
    extraArgs: [`--aws-zone-type=${spec.dns.privateZone ? "private" : "public"}`],
    env: [
      secretEnv("AWS_ACCESS_KEY_ID", "access_key_id"),
      secretEnv("AWS_SECRET_ACCESS_KEY", "secret_access_key"),
      { name: "AWS_DEFAULT_REGION", value: ROUTE53_REGION },
    ],
  }),
  secrets: (spec: ClusterSpec) => [
    {
      name: EXTERNAL_DNS_AWS_SECRET,
      vaultPath: spec.vault.awsCredentialPath,
      keys: { access_key_id: "access_key_id", secret_access_key: "secret_access_key" },
      sourceField: "vault.awsCredentialPath",
    },
  ],
};
