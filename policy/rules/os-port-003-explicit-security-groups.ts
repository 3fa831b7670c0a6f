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
    sources: [
      'OpenStack Security Guide ("When a virtual interface port is created … it is associated with a security group"; default SG behaviour)',
      'TF `docs/resources/compute_instance_v2.md` ("When attaching the instance to networks using Ports, place the security groups on the Port")',
    ],
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
