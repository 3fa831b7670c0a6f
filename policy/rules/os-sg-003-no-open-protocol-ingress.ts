import { resourceRule } from "../lib/rule";
import { describeRule, describeSource, fromCluster, viewRule } from "../lib/secgroup";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const osSg003NoOpenProtocolIngress = resourceRule(
  {
    name: "os-sg-003-no-open-protocol-ingress",
    description:
      "Ingress for any protocol or for all ports is only allowed from a security group or from inside the cluster subnet.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Name the protocol and the port range, or use a remoteGroupId (or the cluster subnet) as the source for node-to-node rules.",
    tags: ["network", "openstack"],
    sources: [
      "Checkov test `test_failure_networking_secgroup_port_range` (1-65535 from 0.0.0.0/0 fails) in `tests/terraform/checks/resource/openstack/test_SecurityGroupUnrestrictedIngress22.py`",
      "TF doc `terraform-provider-openstack:docs/resources/networking_secgroup_rule_v2.md` (omitted protocol = any)",
    ],
    configSchema: schema("clusterCidrs"),
  },
  [T.secGroupRule],
  (props, args, report) => {
    const rule = viewRule(props);
    if (
      !rule.ingress ||
      !(rule.protocol === "any" || ((rule.protocol === "tcp" || rule.protocol === "udp") && rule.allPorts))
    )
      return;
    if (fromCluster(rule, settings(args).clusterCidrs)) return;
    report(`ingress ${describeRule(rule)} from ${describeSource(rule)} opens every port beyond the cluster`);
  },
);
