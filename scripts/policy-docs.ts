/**
 * Writes the policy table into README.md between `<!-- policies:start -->` and `<!-- policies:end -->`,
 * from the rules' own metadata, so the README cannot drift from the pack. The section is formatted with
 * the project's Prettier settings, so `prettier --check` and this generator agree.
 * Run: `npx ts-node -T scripts/policy-docs.ts` (a test fails while the README section is stale).
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { policies } from "../policy/policies";
import { priorityOf } from "../policy/lib/rule";

export const START = "<!-- policies:start -->";
export const END = "<!-- policies:end -->";
export const README = path.resolve(__dirname, "..", "README.md");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
}

/** The generated section (without the markers), before formatting. */
export function renderPolicySection(): string {
  const rows = [...policies]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => {
      const scope = "validateStack" in p ? "stack" : "resource";
      const cells = [
        `\`${p.name}\``,
        priorityOf(p),
        p.severity ?? "",
        p.enforcementLevel ?? "",
        scope,
        cell(p.description),
      ];
      return `| ${cells.join(" | ")} |`;
    });
  return [
    `The CrossGuard pack in \`policy/\` has ${policies.length} rules. P0 rules are mandatory by default, P1 rules`,
    "advisory; an environment whose policy level is `advisory` makes every rule advisory (`policy/config.ts` writes",
    "the `--policy-pack-config` file that the CLI and the automation API read). On a preview:",
    "`pulumi preview --policy-pack policy --policy-pack-config <file>`; offline, `xcluster plan` runs the same rules.",
    "",
    "| rule | priority | severity | default enforcement | scope | checks |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Generated from the rule metadata by `npx ts-node -T scripts/policy-docs.ts`.",
  ].join("\n");
}

/** `readme` with the section between the markers replaced by the formatted table. */
export async function withPolicySection(readme: string): Promise<string> {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md: markers ${START} … ${END} not found`);
  const options = (await prettier.resolveConfig(README)) ?? {};
  const section = await prettier.format(renderPolicySection(), { ...options, parser: "markdown" });
  return `${readme.slice(0, start + START.length)}\n\n${section}\n${readme.slice(end)}`;
}

async function main(): Promise<void> {
  const before = fs.readFileSync(README, "utf8");
  const after = await withPolicySection(before);
  if (after !== before) fs.writeFileSync(README, after);
  console.log(after === before ? "README.md policy table is up to date" : "README.md policy table rewritten");
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
