/**
 * The README rule table and docs/policies.md are generated from the rules' own metadata (issue 14,
 * item 7). Tier: pure (the generator), plus the committed files compared with what it writes now.
 */
import * as assert from "assert";
import * as fs from "fs";
import { policies } from "../../policy/policies";
import { sourcesOf } from "../../policy/lib/rule";
import {
  formattedPolicyDoc,
  POLICY_DOC,
  README,
  renderPolicyDoc,
  renderPolicySection,
  withPolicySection,
} from "../../scripts/policy-docs";

describe("README policy table and docs/policies.md (pure generator)", () => {
  it("lists every rule with its severity, default enforcement and a link to its sources", () => {
    const section = renderPolicySection();
    for (const p of policies) {
      assert.ok(section.includes(`| \`${p.name}\` |`), p.name);
      assert.ok(section.includes(`| ${p.severity ?? ""} | ${p.enforcementLevel ?? ""} |`), p.name);
      assert.ok(section.includes(`[${sourcesOf(p).length}](docs/policies.md#${p.name})`), p.name);
    }
  });

  it("states at least one source for every rule, and prints each in docs/policies.md under its rule", () => {
    const doc = renderPolicyDoc();
    for (const p of policies) {
      const sources = sourcesOf(p);
      assert.ok(sources.length > 0, `${p.name} states no source`);
      const at = doc.indexOf(`## ${p.name}\n`);
      assert.ok(at >= 0, p.name);
      const next = doc.indexOf("\n## ", at + 1);
      const section = doc.slice(at, next < 0 ? undefined : next);
      for (const s of sources) assert.ok(section.includes(`- ${s}`), `${p.name}: ${s}`);
      assert.ok(section.includes(p.remediationSteps ?? "?"), p.name);
    }
  });

  it("is up to date in README.md (regenerate: npx ts-node -T scripts/policy-docs.ts)", async () => {
    const readme = fs.readFileSync(README, "utf8");
    assert.strictEqual(await withPolicySection(readme), readme);
  });

  it("is up to date in docs/policies.md (regenerate: npx ts-node -T scripts/policy-docs.ts)", async () => {
    assert.strictEqual(await formattedPolicyDoc(), fs.readFileSync(POLICY_DOC, "utf8"));
  });
});
