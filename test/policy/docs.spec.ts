import * as assert from "assert";
import * as fs from "fs";
import { policies } from "../../policy/policies";
import { README, renderPolicySection, withPolicySection } from "../../scripts/policy-docs";

describe("README policy table", () => {
  it("lists every rule with its severity and default enforcement", () => {
    const section = renderPolicySection();
    for (const p of policies) {
      assert.ok(section.includes(`| \`${p.name}\` |`), p.name);
      assert.ok(section.includes(`| ${p.severity ?? ""} | ${p.enforcementLevel ?? ""} |`), p.name);
    }
  });

  it("is up to date in README.md (regenerate: npx ts-node -T scripts/policy-docs.ts)", async () => {
    const readme = fs.readFileSync(README, "utf8");
    assert.strictEqual(await withPolicySection(readme), readme);
  });
});
