import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

export const osSg006SecurityGroupDescription = resourceRule(
  {
    name: "os-sg-006-security-group-description",
    description: "Security groups say what they admit and why (a description), for audits.",
    priority: "P1",
    severity: "low",
    remediationSteps: "Set the security group's description (e.g. 'RKE2 servers: API, supervisor, etcd').",
    tags: ["network", "openstack"],
    sources: [
      '`AVD-OPNSTK-0005` (`checks/cloud/openstack/networking/add_description_to_security_group.rego`, "for auditing purposes")',
      "`AVD-OPNSTK-0004` (`networking/no_public_egress.rego`)",
    ],
  },
  [T.secGroup],
  (props, _args, report) => {
    const d = props["description"];
    if (typeof d !== "string" || d.trim() === "") report("security group has no description");
  },
);
