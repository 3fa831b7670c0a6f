import { stackRule } from "../lib/rule";
import { contains, parseCidr } from "../lib/net";
import { fixedAddresses } from "../lib/ports";
import { ofType } from "../lib/stack";
import { roleOf } from "../lib/tags";
import { T } from "../lib/types";

function pools(props: Record<string, unknown>): { start: string; end: string }[] {
  const p = props["allocationPools"];
  if (!Array.isArray(p)) return [];
  return p.map((x) => ({
    start: String((x as Record<string, unknown>)["start"]),
    end: String((x as Record<string, unknown>)["end"]),
  }));
}

export const osSubnet001VipOutsideDhcpPool = stackRule(
  {
    name: "os-subnet-001-vip-outside-dhcp-pool",
    description:
      "The VIP is a fixed address inside the cluster subnet and outside its DHCP allocation pool, so DHCP never hands it to another port.",
    priority: "P1",
    severity: "medium",
    remediationSteps: "Give the VIP port a fixed ipAddress below the subnet's allocationPools start.",
    tags: ["network", "openstack", "keepalived"],
  },
  (args, report) => {
    const vipPorts = ofType(args.resources, T.port).filter((p) => roleOf(p.props) === "vip");
    if (vipPorts.length === 0) args.notApplicable("the stack has no VIP port");
    const subnets = ofType(args.resources, T.subnet);
    for (const port of vipPorts) {
      const ips = fixedAddresses(port.props);
      if (ips.length === 0) report("VIP port has no fixed ipAddress", port.urn);
      for (const ip of ips) {
        const addr = parseCidr(ip);
        if (!addr) continue;
        const home = subnets.find((s) => {
          const c = parseCidr(String(s.props["cidr"] ?? ""));
          return c !== undefined && contains(c, addr);
        });
        if (!home) {
          if (subnets.length > 0) report(`VIP ${ip} is outside every subnet of the stack`, port.urn);
          continue;
        }
        for (const pool of pools(home.props)) {
          const a = parseCidr(pool.start);
          const b = parseCidr(pool.end);
          if (a && b && a.network <= addr.network && addr.network <= b.network) {
            report(`VIP ${ip} lies inside the DHCP allocation pool ${pool.start}-${pool.end}`, port.urn);
          }
        }
      }
    }
  },
);
