import { stackRule } from "../lib/rule";
import { sameAddress } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { ofType, referenced } from "../lib/stack";
import { roleOf } from "../lib/tags";
import { T } from "../lib/types";
import { propertyOf, Undecided } from "../lib/unknown";

const FIP_ROLES = ["vip", "loadbalancer"];

export const osFip001FloatingIpTargets = stackRule(
  {
    name: "os-fip-001-floating-ip-targets",
    description:
      "Floating IPs only sit on the VIP port or a load balancer; nodes (servers, agents, GPU and ingress nodes) are never directly reachable from outside.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Attach floating IPs to the keepalived VIP port (role=vip) or an Octavia load balancer's VIP port only, tag them role=vip or role=loadbalancer, and reach nodes through those.",
    tags: ["network", "openstack"],
    sources: [
      "`pulumi/compliance-policies:vendor-aws/aws/ec2/Instance/disallowPublicIp.ts` and AWSGuard `ec2-instance-no-public-ip` (`pulumi/pulumi-policy-aws:src/compute.ts`) as the Pulumi analogue",
      "`AVD-OPNSTK-0003`",
      "RKE2 port requirements (node ports are cluster-internal)",
    ],
    configSchema: schema("vipAddresses"),
  },
  (args, report) => {
    const fips = ofType(args.resources, T.floatingIp);
    if (fips.length === 0) args.notApplicable("the stack has no floating IPs");
    const vips = settings(args).vipAddresses;
    const undecided = new Undecided();
    for (const f of fips) {
      const role = roleOf(f.props);
      if (role === undefined || !FIP_ROLES.includes(role)) {
        report(
          `floating IP has role=${role ?? "none"}; floating IPs belong to the VIP or a load balancer`,
          f.urn,
        );
      }
      const fixedIp = propertyOf(f, "fixedIp");
      // Bound to an address not known yet (an Octavia VIP): the port and role checks below still hold.
      if (fixedIp.state === "unknown" && vips.length > 0) undecided.note(f, "fixedIp");
      const fixed = fixedIp.state === "known" ? fixedIp.value : undefined;
      if (
        typeof fixed === "string" &&
        fixed !== "" &&
        vips.length > 0 &&
        !vips.some((v) => sameAddress(v, fixed))
      ) {
        report(`floating IP is bound to ${fixed}, which is not a VIP (${vips.join(", ")})`, f.urn);
      }
      for (const port of referenced(f, "portId", T.port)) {
        const portRole = roleOf(port.props);
        if (portRole === undefined || !FIP_ROLES.includes(portRole)) {
          report(`floating IP is attached to port ${port.name} with role=${portRole ?? "none"}`, f.urn);
        }
      }
    }
    undecided.settle();
  },
);
