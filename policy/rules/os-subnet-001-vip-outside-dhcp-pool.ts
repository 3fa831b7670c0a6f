import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { contains, parseCidr } from "../lib/net";
import { fixedAddressesOf } from "../lib/ports";
import { propertyOf, tryRead, Undecided } from "../lib/unknown";
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
    sources: [
      "terraform-provider-openstack `docs/resources/networking_subnet_v2.md` (`allocation_pool`: addresses DHCP hands out)",
      "Red Hat OpenStack Platform networking guide, allowed-address-pairs for VRRP (a VIP must not be leased to another port)",
    ],
  },
  (args, report) => {
    const vipPorts = ofType(args.resources, T.port).filter((p) => roleOf(p.props) === "vip");
    if (vipPorts.length === 0) args.notApplicable("the stack has no VIP port");
    const undecided = new Undecided();
    // A subnet whose range or pools are not known yet (taken from another resource) decides nothing.
    const unknownSubnets: { subnet: PolicyResource; prop: string }[] = [];
    const subnets = ofType(args.resources, T.subnet).filter((s) => {
      for (const prop of ["cidr", "allocationPools"]) {
        const known = propertyOf(s, prop);
        const nested = known.state === "known" ? tryRead(() => JSON.stringify(known.value)) : undefined;
        if (known.state === "unknown" || nested === "unknown") {
          unknownSubnets.push({ subnet: s, prop });
          return false;
        }
      }
      return true;
    });
    for (const port of vipPorts) {
      const ips = fixedAddressesOf(port);
      if (ips === "unknown") {
        undecided.note(port, "fixedIps");
        continue;
      }
      if (ips.length === 0) report("VIP port has no fixed ipAddress", port.urn);
      for (const ip of ips) {
        const addr = parseCidr(ip);
        if (!addr) continue;
        const home = subnets.find((s) => {
          const c = parseCidr(String(s.props["cidr"] ?? ""));
          return c !== undefined && contains(c, addr);
        });
        const notYetKnown = unknownSubnets[0];
        if (!home && notYetKnown !== undefined) {
          undecided.note(notYetKnown.subnet, notYetKnown.prop);
          continue;
        }
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
    undecided.settle();
  },
);
