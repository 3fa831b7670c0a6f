import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

export const osPort003ExplicitSecurityGroups = resourceRule(
  {
    name: "os-port-003-explicit-security-groups",
    description:
      "Ports name their security groups and instances never use the project's 'default' group, whose rules nobody in this project controls.",
    priority: "P1",
    severity: "medium",
    remediationSteps:
      "Set securityGroupIds on every port (the cluster's own groups) and leave 'default' out of instances' securityGroups.",
    tags: ["network", "openstack"],
  },
  [T.port, T.instance],
  (props, args, report) => {
    if (args.type === T.port) {
      const sgs = props["securityGroupIds"];
      if (props["noSecurityGroups"] !== true && (!Array.isArray(sgs) || sgs.length === 0)) {
        report("port has no securityGroupIds; Neutron attaches the project's default group");
      }
      return;
    }
    const sgs = props["securityGroups"];
    if (Array.isArray(sgs) && sgs.includes("default"))
      report("instance uses the project's 'default' security group");
  },
);
