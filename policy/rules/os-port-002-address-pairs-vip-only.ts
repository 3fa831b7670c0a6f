import { stackRule } from "../lib/rule";
import { isSingleAddress, sameAddress } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import { roleOf } from "../lib/tags";
import { T } from "../lib/types";
import { fixedAddresses } from "../lib/ports";

/** keepalived topology: servers hold the API VIP, ingress nodes the ingress VIP. */
const VIP_HOLDERS = ["server", "ingress"];

export const osPort002AddressPairsVipOnly = stackRule(
  {
    name: "os-port-002-address-pairs-vip-only",
    description:
      "Allowed address pairs only carry a VIP of the cluster, and only on the ports of the nodes that hold one (servers: the API VIP; ingress nodes: the ingress VIP); anything wider lets a node spoof other addresses.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "List exactly the VIP address (the fixed IP of a port tagged role=vip, or a configured vipAddresses entry) in allowedAddressPairs of the servers' or ingress nodes' ports, and nothing else.",
    tags: ["network", "openstack", "keepalived"],
    configSchema: schema("vipAddresses"),
  },
  (args, report) => {
    const ports = ofType(args.resources, T.port);
    if (ports.length === 0) args.notApplicable("the stack has no ports");
    const vips = [...settings(args).vipAddresses];
    for (const p of ports) if (roleOf(p.props) === "vip") vips.push(...fixedAddresses(p.props));
    for (const p of ports) {
      const pairs = p.props["allowedAddressPairs"];
      if (!Array.isArray(pairs) || pairs.length === 0) continue;
      const role = roleOf(p.props);
      if (role === undefined || !VIP_HOLDERS.includes(role))
        report(
          `allowed address pairs on a port with role=${role ?? "none"}; only servers and ingress nodes hold a VIP`,
          p.urn,
        );
      for (const pair of pairs as Record<string, unknown>[]) {
        const ip = String(pair["ipAddress"] ?? "");
        if (!isSingleAddress(ip) || !vips.some((v) => sameAddress(v, ip))) {
          report(
            `allowed address pair ${ip} is not a VIP of the cluster (VIPs: ${vips.join(", ") || "none known"})`,
            p.urn,
          );
        }
      }
    }
  },
);
