import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

const MIN_TTL = 60;
const MAX_TTL = 172800;

export const r53002RecordHygiene = resourceRule(
  {
    name: "r53-002-record-hygiene",
    description:
      "Route53 records have a TTL between 60 s and 2 days, a value (records or an alias), and never silently take over an existing record.",
    priority: "P1",
    severity: "low",
    remediationSteps: "Set ttl within 60-172800, give records or aliases, and drop allowOverwrite.",
    tags: ["dns", "aws"],
    sources: [
      'AWS Route 53 DNS best practices ("recommended range of TTL values is 60 to 172,800 seconds", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/best-practices-dns.html)',
      "KICS `assets/queries/terraform/aws/route53_record_undefined`",
      "`CKV2_AWS_23`",
    ],
  },
  [T.route53Record],
  (props, _args, report) => {
    const aliases = props["aliases"];
    const alias = Array.isArray(aliases) && aliases.length > 0;
    const records = props["records"];
    if (!alias && !(Array.isArray(records) && records.length > 0))
      report("record has neither records nor aliases");
    const ttl = props["ttl"];
    if (!alias && typeof ttl === "number" && (ttl < MIN_TTL || ttl > MAX_TTL)) {
      report(`TTL ${ttl}s is outside ${MIN_TTL}-${MAX_TTL}s`);
    }
    if (props["allowOverwrite"] === true) report("allowOverwrite: true takes over an existing record");
  },
);
