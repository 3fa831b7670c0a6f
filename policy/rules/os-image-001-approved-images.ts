import { resourceRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const osImage001ApprovedImages = resourceRule(
  {
    name: "os-image-001-approved-images",
    description:
      "Instances boot from approved images pinned by ID (never by name, which anyone in the project can re-point), boot volumes included.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Use imageId (not imageName) with an ID from the environment's approved.images list (a cluster cannot add to it); boot volumes' image uuid likewise.",
    tags: ["compute", "openstack", "supply-chain"],
    sources: [
      'OpenStack Security Guide "Trusted images" / "Image signature verification" (`instance-management/security-services-for-instances.rst`)',
      '`CKV_AWS_386` "Reduce potential for WhoAMI cloud image name confusion attack" (`checkov/terraform/checks/data/aws/WhoAMI.py`)',
      "`CKV_TF_1` (pin to immutable refs)",
    ],
    configSchema: schema("approvedImageIds"),
  },
  [T.instance],
  (props, args, report) => {
    const approved = settings(args).approvedImageIds;
    const name = props["imageName"];
    if (typeof name === "string" && name !== "") report(`boots by image name ${name}; pin the image by ID`);
    const check = (id: string, what: string) => {
      if (approved.length > 0 && !approved.includes(id))
        report(`${what} ${id} is not in the environment's approved.images list (${approved.join(", ")})`);
    };
    const id = props["imageId"];
    if (typeof id === "string" && id !== "") check(id, "image");
    const devices = props["blockDevices"];
    let bootsFromImage = typeof id === "string" && id !== "";
    if (Array.isArray(devices)) {
      for (const d of devices as Record<string, unknown>[]) {
        if (d["sourceType"] !== "image") continue;
        bootsFromImage = true;
        check(String(d["uuid"] ?? ""), "boot volume image");
      }
    }
    const hasDevices = Array.isArray(devices) && devices.length > 0;
    if (!bootsFromImage && !hasDevices && !(typeof name === "string" && name !== ""))
      report("boots from no image ID");
  },
);
