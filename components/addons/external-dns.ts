/**
 * external-dns: Route53 records for the cluster's LoadBalancer Services, confined to the cluster's zone
 * and owned (TXT registry) by the cluster name so that clusters sharing a zone never touch each other's
 * records, and never pointing a public name at a private address. Ingress hosts are covered by the
 * `*.apps` wildcard record xcluster writes itself. Its AWS credentials are its cluster's own, issued by
 * Vault's AWS secrets engine and limited to the cluster's domain (components/route53-credentials.ts),
 * delivered by VSO into a Kubernetes Secret, never into values.
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";
import { clusterDomain } from "./cluster-facts";
import { route53RoleName } from "../route53-credentials";
import { vaultAuthServiceAccountObjects } from "../vault-kubernetes-auth";
import { namespaceVaultAuth, vaultDynamicSecret } from "./vault-secrets-operator";

/** Kubernetes Secret holding the Route53 credentials (written by VSO). */
export const EXTERNAL_DNS_AWS_SECRET = "external-dns-aws";
const NAMESPACE = "external-dns";
/** The namespace's Vault role (and VaultAuth) name. */
export const EXTERNAL_DNS_VAULT_ROLE = "external-dns";
/**
 * The chart's Deployment: its fullname is the release name when that contains the chart name
 * (charts/external-dns/templates/_helpers.tpl external-dns-helm-chart-1.20.0, lines 13-24).
 */
const DEPLOYMENT = "external-dns";

/**
 * Address ranges that must never be published in a public zone: the IANA special-purpose ranges that are
 * not globally reachable (RFC 6890 registry: this-network, RFC 1918, shared CGNAT space, loopback,
 * link-local, IETF protocol assignments, benchmarking, multicast, reserved; IPv6 loopback, unique-local,
 * link-local).
 */
export const NON_PUBLIC_NETS = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
] as const;

/**
 * The `--exclude-target-net` values for a cluster: the non-public ranges plus the cluster's own subnet,
 * pod and service ranges (whatever they are). external-dns drops every target inside one of them, and an
 * endpoint left without targets, before anything reaches the provider (kubernetes-sigs/external-dns
 * v0.20.0: source/wrappers/targetfiltersource.go lines 41-75, wired in by source/wrappers/types.go lines
 * 118-122; endpoint/target_filter.go lines 63-88; the flag: pkg/apis/externaldns/types.go line 623).
 * None in a private zone, where private addresses are the point.
 */
export function excludedTargetNets(spec: ClusterSpec): string[] {
  if (spec.dns.privateZone) return [];
  const own = [spec.network.subnetCidr, spec.rke2.podCidr, spec.rke2.serviceCidr];
  return [...new Set<string>([...NON_PUBLIC_NETS, ...own])];
}

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
  namespace: NAMESPACE,
  podSecurity: {
    level: "restricted",
    // podSecurityContext runAsNonRoot + RuntimeDefault seccomp, securityContext drop ALL, no privilege
    // escalation, uid 65532 (kubernetes-sigs/external-dns charts/external-dns/values.yaml
    // external-dns-helm-chart-1.20.0, lines 86-117).
    reason: "the chart's default security contexts meet restricted",
  },
  selector: { matchLabels: { [addonLabel("external-dns")]: ADDON_ENABLED } },
  // Its credentials arrive through VSO (VaultAuth, VaultDynamicSecret): the operator and its CRDs first.
  dependsOn: ["vault-secrets-operator"],
  values: (spec: ClusterSpec) => ({
    provider: { name: "aws" },
    // No `ingress` source: RKE2's ingress-nginx publishes no service address, so an Ingress's status holds
    // node InternalIPs and external-dns would write them into the public zone, over the `*.apps` wildcard
    // that already sends every Ingress host to the ingress floating IP (components/dns.ts). Services of
    // type LoadBalancer only: their status holds the Octavia floating IP; NodePort and ClusterIP services
    // would publish node or cluster addresses (`--service-type-filter`, types.go line 644).
    sources: ["service"],
    // Only the cluster's own domain, which is also all its credentials may change; the zone is its
    // parent, found with --aws-zone-match-parent (provider/aws/aws.go v0.20.0 lines 405-411,
    // endpoint/domain_filter.go MatchParent lines 225-247; the flag: pkg/apis/externaldns/types.go line 685).
    domainFilters: [clusterDomain(spec)],
    txtOwnerId: spec.name,
    registry: "txt",
    // Never delete records it did not create in this run; a shared zone is the normal case.
    policy: "upsert-only",
    extraArgs: [
      `--aws-zone-type=${spec.dns.privateZone ? "private" : "public"}`,
      "--aws-zone-match-parent",
      "--service-type-filter=LoadBalancer",
      ...excludedTargetNets(spec).map((net) => `--exclude-target-net=${net}`),
    ],
    // The AWS secrets engine's response fields for an iam_user credential: access_key, secret_key
    // (Vault AWS secrets engine docs, "Usage": `vault read aws/creds/<role>`); VSO copies them as keys.
    env: [
      secretEnv("AWS_ACCESS_KEY_ID", "access_key"),
      secretEnv("AWS_SECRET_ACCESS_KEY", "secret_key"),
      { name: "AWS_DEFAULT_REGION", value: ROUTE53_REGION },
    ],
  }),
  prerequisites: (spec: ClusterSpec) => [
    ...vaultAuthServiceAccountObjects(NAMESPACE),
    namespaceVaultAuth(spec, NAMESPACE, EXTERNAL_DNS_VAULT_ROLE),
    vaultDynamicSecret({
      namespace: NAMESPACE,
      name: EXTERNAL_DNS_AWS_SECRET,
      vaultAuth: EXTERNAL_DNS_VAULT_ROLE,
      mount: spec.vault.awsSecretsMount,
      path: `creds/${route53RoleName(spec.name)}`,
      restartDeployment: DEPLOYMENT,
    }),
  ],
  // Reading its own credentials and nothing else; lease renewal is in Vault's default policy.
  vaultPolicy: (spec: ClusterSpec) =>
    `path "${spec.vault.awsSecretsMount}/creds/${route53RoleName(spec.name)}" {\n  capabilities = ["read"]\n}\n`,
  secrets: () => [],
};
