import { resourceRule } from "../lib/rule";

const OPENSTACK = "pulumi:providers:openstack";
const VAULT = "pulumi:providers:vault";
const RANCHER = "pulumi:providers:rancher2";
const KUBERNETES = "pulumi:providers:kubernetes";

/** Provider inputs arrive JSON-encoded (`"true"`) from the Node SDK, or as booleans. */
function on(v: unknown): boolean {
  return v === true || v === "true";
}

function plainHttp(v: unknown): boolean {
  return typeof v === "string" && v.toLowerCase().startsWith("http://");
}

export const prov001ProviderTls = resourceRule(
  {
    name: "prov-001-provider-tls",
    description:
      "Providers (OpenStack, Vault, Rancher, Kubernetes) talk to their APIs over verified TLS: https endpoints, no insecure/skip-verify flags.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Use https endpoints and the CA bundle of the API (cacertFile, caCertFile, caCerts, the kubeconfig's certificate-authority-data) instead of disabling verification.",
    tags: ["providers", "tls"],
    sources: [
      "`CKV_OPENSTACK_1` (`checkov/terraform/checks/provider/openstack/credentials.py`)",
      'Vault production hardening "Use end-to-end TLS"',
      "provider-resource policy pattern in `pulumi/examples:policy-packs/aws-ts-finops/index.ts`",
    ],
  },
  [OPENSTACK, VAULT, RANCHER, KUBERNETES],
  (props, args, report) => {
    const p = args.type.split(":").pop();
    const flags: Record<string, [string, string]> = {
      [OPENSTACK]: ["insecure", "authUrl"],
      [VAULT]: ["skipTlsVerify", "address"],
      [RANCHER]: ["insecure", "apiUrl"],
    };
    const f = flags[args.type];
    if (f) {
      if (on(props[f[0]])) report(`${p} provider skips TLS verification (${f[0]}: true)`);
      if (plainHttp(props[f[1]])) report(`${p} provider talks to ${String(props[f[1]])} over plain http`);
      return;
    }
    const kubeconfig = props["kubeconfig"];
    if (typeof kubeconfig === "string" && /insecure-skip-tls-verify["']?\s*:\s*["']?true/.test(kubeconfig)) {
      report("kubernetes provider kubeconfig sets insecure-skip-tls-verify: true");
    }
  },
);
