import { stackRule } from "../lib/rule";
import { describeSource, fromCluster, viewRule } from "../lib/secgroup";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import { T } from "../lib/types";

export const osSg004VrrpClusterSubnetOnly = stackRule(
  {
    name: "os-sg-004-vrrp-cluster-subnet-only",
    description:
      "VRRP (keepalived) is only accepted from inside the cluster subnet: VRRP has no real authentication, so the network must be the boundary.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Set the VRRP rule's remoteIpPrefix to the cluster subnet (or a remoteGroupId of the ingress nodes); never leave the source empty.",
    tags: ["network", "openstack", "keepalived"],
    configSchema: schema("clusterCidrs"),
  },
  (args, report) => {
    const rules = ofType(args.resources, T.secGroupRule);
    if (rules.length === 0) args.notApplicable("the stack has no security-group rules");
    const cidrs = [...settings(args).clusterCidrs];
    for (const subnet of ofType(args.resources, T.subnet)) {
      const cidr = subnet.props["cidr"];
      if (typeof cidr === "string" && cidr !== "") cidrs.push(cidr);
    }
    for (const r of rules) {
      const rule = viewRule(r.props);
      if (!rule.ingress || rule.protocol !== "vrrp" || fromCluster(rule, cidrs)) continue;
      const subnets = cidrs.length > 0 ? cidrs.join(", ") : "no cluster subnet known; private ranges assumed";
      report(`VRRP from ${describeSource(rule)} reaches beyond the cluster subnet (${subnets})`, r.urn);
    }
  },
);
