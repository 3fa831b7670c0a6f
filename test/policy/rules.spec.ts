import * as assert from "assert";
import { policies } from "../../policy/policies";
import { PlannedResource } from "../../policy/evaluate";
import { clone, evaluateOne, ResourceRuleCases, RuleCases, runResourceRule, StackRuleCases } from "./harness";
import { networkCases } from "./cases/network";
import { computeCases } from "./cases/compute";
import { rke2Cases } from "./cases/rke2";
import { platformCases } from "./cases/platform";
import { governanceCases } from "./cases/governance";
import { adminRangeCases } from "./cases/admin-ranges";
import { tolerationCases } from "./cases/tolerations";

const allCases: RuleCases[] = [
  ...networkCases,
  ...computeCases,
  ...rke2Cases,
  ...platformCases,
  ...governanceCases,
  ...adminRangeCases,
  ...tolerationCases,
];

function isStack(c: RuleCases): c is StackRuleCases {
  return "resources" in c;
}

function resourceCase(c: ResourceRuleCases, change: (p: Record<string, unknown>) => void) {
  const props = clone(c.props);
  change(props);
  return props;
}

describe("policy rules", () => {
  it("has a case table for every rule of the pack, and one rule per table", () => {
    const covered = allCases.map((c) => c.policy.name).sort();
    assert.deepStrictEqual(covered, policies.map((p) => p.name).sort());
  });

  for (const c of allCases) {
    describe(c.policy.name, () => {
      if (isStack(c)) {
        it("reports nothing on the compliant stack", async () => {
          assert.deepStrictEqual(
            await evaluateOne(c.policy, clone(c.resources) as PlannedResource[], c.config),
            [],
          );
        });
        for (const p of c.passing ?? []) {
          it(`accepts a stack where ${p.when}`, async () => {
            const rs = clone(c.resources) as PlannedResource[];
            p.change(rs);
            assert.deepStrictEqual(await evaluateOne(c.policy, rs, { ...c.config, ...p.config }), []);
          });
        }
        for (const f of c.failing) {
          it(`rejects a stack where ${f.when}`, async () => {
            const rs = clone(c.resources) as PlannedResource[];
            f.change(rs);
            const got = (await evaluateOne(c.policy, rs, { ...c.config, ...f.config })).map((v) => ({
              resource: v.resource,
              message: v.message,
            }));
            assert.deepStrictEqual(got, f.expect);
          });
        }
        return;
      }
      it("reports nothing on the compliant resource", async () => {
        const r = await runResourceRule(c.policy, c.type, clone(c.props), c.config);
        assert.deepStrictEqual(r, { messages: [] });
      });
      for (const p of c.passing ?? []) {
        it(`accepts a resource where ${p.when}`, async () => {
          const r = await runResourceRule(c.policy, p.type ?? c.type, resourceCase(c, p.change), {
            ...c.config,
            ...p.config,
          });
          assert.deepStrictEqual(r, { messages: [] });
        });
      }
      for (const n of c.notApplicable ?? []) {
        it(`is not applicable when ${n.when}`, async () => {
          const r = await runResourceRule(c.policy, n.type ?? c.type, resourceCase(c, n.change), {
            ...c.config,
            ...n.config,
          });
          assert.deepStrictEqual(r.messages, []);
          assert.ok(r.notApplicable, "expected notApplicable");
        });
      }
      for (const f of c.failing) {
        it(`rejects a resource where ${f.when}`, async () => {
          const type = f.type ?? c.type;
          const props = resourceCase(c, f.change);
          const config = { ...c.config, ...f.config };
          const direct = await runResourceRule(c.policy, type, props, config);
          assert.deepStrictEqual(direct.messages, f.expect);
          // The offline evaluator runs the same function and must agree.
          const offline = await evaluateOne(c.policy, [{ type, name: "subject", inputs: props }], config);
          assert.deepStrictEqual(
            offline.map((v) => v.message),
            f.expect,
          );
          assert.ok(offline.every((v) => v.resource === "subject"));
        });
      }
    });
  }
});
