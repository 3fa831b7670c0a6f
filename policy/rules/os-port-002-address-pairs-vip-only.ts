import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { isSingleAddress, sameAddress } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import { roleOf, tagMap } from "../lib/tags";
import { TAG_KEYS, VIP_HOLDER_ROLE } from "../../components/conventions";
import { T } from "../lib/types";
import { fixedAddressesOf } from "../lib/ports";
import { propertyOf, tryRead, Undecided } from "../lib/unknown";

/** keepalived topology: servers hold the API VIP, ingress nodes the ingress VIP. */
const VIP_HOLDERS: readonly string[] = Object.values(VIP_HOLDER_ROLE);

/** The purpose a VIP port is tagged with (`vip=api|ingress`), when it is one we know. */
function purposeOf(props: Record<string, unknown>): keyof typeof VIP_HOLDER_ROLE | undefined {
  const v = tagMap(props["tags"]).get(TAG_KEYS.vip);
  return v === "api" || v === "ingress" ? v : undefined;
}

export const osPort002AddressPairsVipOnly = stackRule(
  {
    name: "os-port-002-address-pairs-vip-only",
    description:
      "Allowed address pairs only carry a VIP of the cluster, and only on the ports of the nodes that hold that VIP (servers: the API VIP; ingress nodes: the ingress VIP); anything wider lets a node spoof other addresses, and a node holding the other group's VIP takes over its traffic.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "List exactly the VIP address (the fixed IP of a port tagged role=vip, or a configured vipAddresses entry) in allowedAddressPairs of the servers' or ingress nodes' ports, and nothing else.",
    tags: ["network", "openstack", "keepalived"],
    sources: [
      'Red Hat OSP networking guide (allowed-address-pairs exist "to enable the use of protocols such as VRRP")',
      "OpenStack Security Guide ARP-spoofing section",
      "TF doc `allowed_address_pairs` (`networking_port_v2.md`)",
    ],
    configSchema: schema("vipAddresses"),
  },
  (args, report) => {
    const ports = ofType(args.resources, T.port);
    if (ports.length === 0) args.notApplicable("the stack has no ports");
    const vips = [...settings(args).vipAddresses];
    const undecided = new Undecided();
    let unknownVip: PolicyResource | undefined;
    /** Tagged VIP addresses → their purpose. */
    const purposes: { ip: string; purpose: keyof typeof VIP_HOLDER_ROLE }[] = [];
    for (const p of ports) {
      if (roleOf(p.props) !== "vip") continue;
      const ips = fixedAddressesOf(p);
      if (ips === "unknown") unknownVip ??= p;
      else {
        vips.push(...ips);
        const purpose = purposeOf(p.props);
        if (purpose !== undefined) purposes.push(...ips.map((ip) => ({ ip, purpose })));
      }
    }
    for (const p of ports) {
      const pairs = propertyOf(p, "allowedAddressPairs");
      if (pairs.state === "absent") continue;
      if (pairs.state === "known" && (!Array.isArray(pairs.value) || pairs.value.length === 0)) continue;
      // Set at all is enough to judge the port's role, even while the addresses are unknown.
      const role = roleOf(p.props);
      if (role === undefined || !VIP_HOLDERS.includes(role))
        report(
          `allowed address pairs on a port with role=${role ?? "none"}; only servers and ingress nodes hold a VIP`,
          p.urn,
        );
      if (pairs.state === "unknown") {
        undecided.note(p, "allowedAddressPairs");
        continue;
      }
      for (const pair of pairs.value as Record<string, unknown>[]) {
        const read = tryRead(() => pair["ipAddress"]);
        if (read === "unknown") {
          undecided.note(p, "allowedAddressPairs");
          continue;
        }
        const ip = String(read.value ?? "");
        if (isSingleAddress(ip) && vips.some((v) => sameAddress(v, ip))) {
          const owned = purposes.find((v) => sameAddress(v.ip, ip));
          if (owned !== undefined && role !== undefined && VIP_HOLDERS.includes(role)) {
            const holder = VIP_HOLDER_ROLE[owned.purpose];
            if (role !== holder)
              report(
                `allowed address pair ${ip} is the ${owned.purpose} VIP, held by role=${holder}; ` +
                  `a port with role=${role} may carry only its own group's VIP`,
                p.urn,
              );
          }
          continue;
        }
        // A single address may be the VIP whose port's address is not known yet; a range never is.
        if (isSingleAddress(ip) && unknownVip !== undefined) {
          undecided.note(unknownVip, "fixedIps");
          continue;
        }
        report(
          `allowed address pair ${ip} is not a VIP of the cluster (VIPs: ${vips.join(", ") || "none known"})`,
          p.urn,
        );
      }
    }
    undecided.settle();
  },
);
