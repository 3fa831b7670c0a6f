import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { describeSource, fromCluster, viewRuleOf } from "../lib/secgroup";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import { T } from "../lib/types";
import { propertyOf, Undecided } from "../lib/unknown";

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
    sources: [
      'Neutron API – protocol values include "vrrp or 112" (https://docs.openstack.org/api-ref/network/v2/index.html#create-security-group-rule)',
      'keepalived man page: VRRP authentication "was removed from the VRRPv2 specification by RFC3768" (`acassen/keepalived@9cbce3e2:doc/man/man5/keepalived.conf.5.in`) ⇒ network restriction is the real control',
      "Red Hat OSP networking guide, allowed-address-pairs for VRRP (https://docs.redhat.com/en/documentation/red_hat_openstack_platform/16.0/html/networking_guide/sec-allowed-address-pairs)",
    ],
    configSchema: schema("clusterCidrs"),
  },
  (args, report) => {
    const rules = ofType(args.resources, T.secGroupRule);
    if (rules.length === 0) args.notApplicable("the stack has no security-group rules");
    const cidrs = [...settings(args).clusterCidrs];
    const undecided = new Undecided();
    let unknownSubnet: PolicyResource | undefined;
    for (const subnet of ofType(args.resources, T.subnet)) {
      const cidr = propertyOf(subnet, "cidr");
      if (cidr.state === "unknown") unknownSubnet ??= subnet;
      else if (cidr.state === "known" && typeof cidr.value === "string" && cidr.value !== "")
        cidrs.push(cidr.value);
    }
    for (const r of rules) {
      // An unknown remoteGroupId is still a group: inside the cluster.
      const rule = viewRuleOf(r);
      if (!rule.ingress || rule.protocol !== "vrrp") continue;
      if (rule.unknownPrefix) {
        undecided.note(r, "remoteIpPrefix");
        continue;
      }
      if (fromCluster(rule, cidrs)) continue;
      // Outside every subnet known so far; the one not known yet might hold it.
      if (unknownSubnet !== undefined) {
        undecided.note(unknownSubnet, "cidr");
        continue;
      }
      const subnets = cidrs.length > 0 ? cidrs.join(", ") : "no cluster subnet known; private ranges assumed";
      report(`VRRP from ${describeSource(rule)} reaches beyond the cluster subnet (${subnets})`, r.urn);
    }
    undecided.settle();
  },
);
