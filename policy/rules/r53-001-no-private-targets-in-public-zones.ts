import { resourceRule } from "../lib/rule";
import { isNonPublicAddress } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const r53001NoPrivateTargetsInPublicZones = resourceRule(
  {
    name: "r53-001-no-private-targets-in-public-zones",
    description:
      "A and AAAA records in public Route53 zones never point at private, CGNAT, loopback or link-local addresses (it maps the internal network for anyone).",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Point public records at the floating IP of the VIP or load balancer; put internal names in a private zone (listed in privateZoneIds).",
    tags: ["dns", "aws"],
    sources: [
      "RFC 1918 §3 (indirect references such as DNS RRs to private addresses should not leak outside the enterprise)",
      "`CKV2_AWS_23` DNS-to-resource binding (`checkov/terraform/checks/graph_checks/aws/Route53ARecordAttachedResource.yaml`)",
    ],
    configSchema: schema("privateZoneIds"),
  },
  [T.route53Record],
  (props, args, report) => {
    const type = props["type"];
    if (type !== "A" && type !== "AAAA") return;
    const zone = props["zoneId"];
    if (typeof zone === "string" && settings(args).privateZoneIds.includes(zone)) return;
    const records = props["records"];
    if (!Array.isArray(records)) return;
    for (const r of records) {
      if (typeof r === "string" && isNonPublicAddress(r)) {
        report(`public record ${String(props["name"])} points at non-public address ${r}`);
      }
    }
  },
);
