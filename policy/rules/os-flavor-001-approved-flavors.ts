import { resourceRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { globMatch } from "../lib/tags";
import { T } from "../lib/types";

export const osFlavor001ApprovedFlavors = resourceRule(
  {
    name: "os-flavor-001-approved-flavors",
    description:
      "Instances use a flavor from the environment's approved list (a cluster override cannot pick an unreviewed size, GPU or host aggregate).",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Use a flavor from the environment's approved.flavors list, or have the platform team add it there.",
    tags: ["compute", "openstack", "cost"],
    sources: [
      "OpenStack Security Guide, trusted images and instance placement (`security-guide/source/instance-management/security-services-for-instances.rst`): what a tenant boots is chosen by the platform",
      "issue 14: approved lists come from the environment, never from the cluster under check",
    ],
    configSchema: schema("approvedFlavors"),
  },
  [T.instance],
  (props, args, report) => {
    const approved = settings(args).approvedFlavors;
    if (approved.length === 0) return;
    const list = approved.join(", ");
    const name = props["flavorName"];
    const id = props["flavorId"];
    if (typeof id === "string" && id !== "" && !approved.some((p) => globMatch(p, id)))
      report(`flavor ID ${id} is not in the environment's approved.flavors list (${list})`);
    if (typeof name === "string" && name !== "" && !approved.some((p) => globMatch(p, name)))
      report(`flavor ${name} is not in the environment's approved.flavors list (${list})`);
  },
);
