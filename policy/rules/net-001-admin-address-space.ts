import { publicIpv4Count } from "../lib/net";
import { stackRule } from "../lib/rule";
import { sensitivePortsOf, viewRuleOf } from "../lib/secgroup";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const net001AdminAddressSpace = stackRule(
  {
    name: "net-001-admin-address-space",
    description:
      "The admin ranges, taken together, open SSH and the Kubernetes API to at most the environment's ceiling of public addresses (overlaps counted once; private ranges apart), so two /1 halves or a public /8 never pass as operator ranges.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "List the operators' VPN or bastion ranges only; raise policy.adminAddressCeiling in the environment only after review.",
    tags: ["network", "openstack"],
    sources: [
      "`AVD-OPNSTK-0003` (`aquasecurity/trivy-checks:checks/cloud/openstack/networking/no_public_ingress.rego`: judges public CIDRs by the addresses they hold)",
      "`CKV_OPENSTACK_2` (`checkov/terraform/checks/resource/openstack/SecurityGroupUnrestrictedIngress22.py`)",
      "RFC 1918, RFC 6598 (CGNAT), RFC 3927 (link-local), RFC 1122 (loopback, this-network): the ranges counted apart",
    ],
    configSchema: schema("adminCidrs", "adminAddressCeiling"),
  },
  (args, report) => {
    const s = settings(args);
    // The configured list, and the sources of every rule that opens SSH or the Kubernetes API, known ones.
    const sources = new Set(s.adminCidrs);
    for (const r of args.resources) {
      if (r.type !== T.secGroupRule) continue;
      const rule = viewRuleOf(r);
      if (!rule.ingress || rule.prefix === undefined) continue;
      if (sensitivePortsOf(rule).some((p) => p.admin)) sources.add(rule.prefix);
    }
    const opened = publicIpv4Count([...sources]);
    const publicOnes = [...sources].filter((c) => publicIpv4Count([c]) > 0n).sort();
    if (opened > BigInt(s.adminAddressCeiling))
      report(
        `admin ranges open ${opened} public IPv4 addresses (${publicOnes.join(", ")}), more than the environment's ceiling of ${s.adminAddressCeiling} (policy.adminAddressCeiling)`,
      );
  },
);
