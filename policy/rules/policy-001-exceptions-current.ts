import { stackRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";

export const policy001ExceptionsCurrent = stackRule(
  {
    name: "policy-001-exceptions-current",
    description:
      "Every exception the environment grants (a rule that only advises) is still current: an expired exception is a violation, and the rule it named is enforced again.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Fix what the excepted rule reports and remove the exception from policy.exceptions, or renew it with a new reason and expiry date after review.",
    tags: ["governance"],
    sources: [
      "issue 14 item 2: named, dated exceptions recorded in the environment; an expired exception is a violation",
      "`@pulumi/policy` 1.21.0 enforcement levels (`advisory`, `mandatory`, `disabled`)",
    ],
    configSchema: schema("policyExceptions", "today"),
  },
  (args, report) => {
    const s = settings(args);
    // `today` is written by the config's author (plan/policy-config.ts); the rule never reads the clock.
    if (s.today === "") return;
    for (const x of s.policyExceptions) {
      // ISO dates compare as strings.
      if (x.expires < s.today)
        report(`exception for ${x.rule} expired on ${x.expires} ("${x.reason}"); the rule is enforced again`);
    }
  },
);
