import { stackRule } from "../lib/rule";
import { describeRule, describeSource, UNKNOWN_GROUP, viewRuleOf } from "../lib/secgroup";
import { PORTS } from "../../components/conventions";
import { ofType, referenced } from "../lib/stack";
import { roleOf } from "../lib/tags";
import { T } from "../lib/types";
import { Undecided } from "../lib/unknown";

export const osSg005EtcdFromServerGroup = stackRule(
  {
    name: "os-sg-005-etcd-from-server-group",
    description:
      "etcd (TCP 2379-2381) is only reachable from the RKE2 servers' security group, never from an address range or from agents.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Open 2379-2381 with remoteGroupId set to the servers' security group (tagged role=server); do not open etcd to the subnet or to the agents' group.",
    tags: ["network", "openstack", "rke2"],
    sources: [
      'RKE2 inbound table (2379/2380/2381 source "RKE2 server nodes", 9345/6443 "All RKE2 nodes") in `docs/install/requirements.md`',
      "CIS 2.1-2.7 etcd section (rancher/rke2-docs `docs/security/cis_self_assessment112.md`)",
    ],
  },
  (args, report) => {
    const rules = ofType(args.resources, T.secGroupRule);
    if (rules.length === 0) args.notApplicable("the stack has no security-group rules");
    const undecided = new Undecided();
    for (const r of rules) {
      // Direction, protocol and ports are the program's own values; the source may be an unknown ID.
      const rule = viewRuleOf(r);
      const etcd =
        (rule.protocol === "any" || rule.protocol === "tcp") &&
        rule.from <= PORTS.etcdMetrics &&
        PORTS.etcdClient <= rule.to;
      if (!rule.ingress || !etcd) continue;
      if (rule.unknownPrefix) {
        undecided.note(r, "remoteIpPrefix");
        continue;
      }
      if (rule.group === undefined) {
        report(
          `ingress ${describeRule(rule)} from ${describeSource(rule)} opens etcd to an address range`,
          r.urn,
        );
        continue;
      }
      const groups = referenced(r, "remoteGroupId", T.secGroup);
      // A group created by this update is known through the property dependency; without one, which
      // group it is cannot be known before it exists.
      if (rule.group === UNKNOWN_GROUP && groups.length === 0) undecided.note(r, "remoteGroupId");
      for (const g of groups) {
        const role = roleOf(g.props);
        if (role !== "server") {
          report(
            `ingress ${describeRule(rule)} opens etcd to security group ${g.name} (role=${role ?? "none"})`,
            r.urn,
          );
        }
      }
    }
    undecided.settle();
  },
);
