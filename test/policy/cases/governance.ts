/** Cases for the rules about the policy pack itself (exceptions). */
import { policy001ExceptionsCurrent } from "../../../policy/rules/policy-001-exceptions-current";
import { T } from "../../../policy/lib/types";
import { RuleCases } from "../harness";
import { agent } from "../fixtures";

const exception = { rule: "vso-001-vault-tls", reason: "Vault CA rollout (PLAT-123)", expires: "2026-12-31" };

export const governanceCases: RuleCases[] = [
  {
    policy: policy001ExceptionsCurrent,
    config: { today: "2026-12-02", policyExceptions: [exception] },
    resources: [{ type: T.instance, name: "demo-agent-0", inputs: agent() }],
    passing: [
      { when: "the exception's last day is today", config: { today: "2026-12-31" }, change: () => undefined },
      { when: "no date was given (unchecked)", config: { today: "" }, change: () => undefined },
      {
        when: "the environment grants no exception",
        config: { today: "2027-06-01", policyExceptions: [] },
        change: () => undefined,
      },
    ],
    failing: [
      {
        when: "the exception expired yesterday",
        config: { today: "2027-01-01" },
        change: () => undefined,
        expect: [
          {
            resource: "(stack)",
            message:
              'exception for vso-001-vault-tls expired on 2026-12-31 ("Vault CA rollout (PLAT-123)"); the rule is enforced again',
          },
        ],
      },
    ],
  },
];
