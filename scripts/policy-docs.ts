/**
 * Writes the policy table into README.md between `<!-- policies:start -->` and `<!-- policies:end -->`,
 * and the full rule reference docs/policies.md (each rule with its checks, remediation, settings and the
 * sources it follows), from the rules' own metadata, so neither can drift from the pack. Both are
 * formatted with the project's Prettier settings, so `prettier --check` and this generator agree.
 * Run: `npx ts-node -T scripts/policy-docs.ts` (a test fails while either is stale).
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { policies } from "../policy/policies";
import { priorityOf, sourcesOf, typesOf, type XclusterPolicy } from "../policy/lib/rule";

export const START = "<!-- policies:start -->";
export const END = "<!-- policies:end -->";
export const README = path.resolve(__dirname, "..", "README.md");
export const POLICY_DOC = path.resolve(__dirname, "..", "docs", "policies.md");

const byName = (a: XclusterPolicy, b: XclusterPolicy): number => a.name.localeCompare(b.name);

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
}

/** The generated section (without the markers), before formatting. */
export function renderPolicySection(): string {
  const rows = [...policies].sort(byName).map((p) => {
    const scope = "validateStack" in p ? "stack" : "resource";
    const cells = [
      `\`${p.name}\``,
      priorityOf(p),
      p.severity ?? "",
      p.enforcementLevel ?? "",
      scope,
      cell(p.description),
      `[${sourcesOf(p).length}](docs/policies.md#${p.name})`,
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return [
    `The CrossGuard pack in \`policy/\` has ${policies.length} rules. P0 rules are mandatory by default, P1 rules`,
    "advisory; an environment whose policy level is `advisory` makes every rule advisory (`policy/config.ts` writes",
    "the `--policy-pack-config` file that the CLI and the automation API read). On a preview:",
    "`pulumi preview --policy-pack policy --policy-pack-config <file>`; offline, `xcluster plan` runs the same rules.",
    "",
    "| rule | priority | severity | default enforcement | scope | checks | sources |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Each rule's remediation, settings and the sources it follows (upstream checks it ports, vendor",
    "hardening guides, the files of the facts it relies on): [docs/policies.md](docs/policies.md). Generated",
    "from the rule metadata by `npx ts-node -T scripts/policy-docs.ts`.",
  ].join("\n");
}

/** docs/policies.md, before formatting. */
export function renderPolicyDoc(): string {
  const sections = [...policies].sort(byName).map((p) => {
    const types = typesOf(p);
    const config = Object.keys(p.configSchema?.properties ?? {}).sort();
    return [
      `## ${p.name}`,
      "",
      p.description,
      "",
      `- **priority** ${priorityOf(p)}, **severity** ${p.severity ?? ""}, **default enforcement** ${p.enforcementLevel ?? ""}`,
      `- **reads** ${types === undefined ? "the whole stack" : types.map((t) => `\`${t}\``).join(", ")}`,
      ...(config.length > 0 ? [`- **settings** ${config.map((k) => `\`${k}\``).join(", ")}`] : []),
      `- **remediation** ${p.remediationSteps ?? ""}`,
      "",
      "Follows:",
      "",
      ...sourcesOf(p).map((src) => `- ${src}`),
    ].join("\n");
  });
  return [
    "# Policy rules",
    "",
    `The ${policies.length} rules of the CrossGuard pack in \`policy/\`, one file each in \`policy/rules/\`, with`,
    "what each follows. In a `production: true` environment every high and critical rule is mandatory; an",
    "environment may lower one to advisory only by a named, dated exception (`policy.exceptions`). Generated",
    "from the rule metadata by `npx ts-node -T scripts/policy-docs.ts`; do not edit by hand.",
    "",
    ...sections.flatMap((x) => [x, ""]),
  ].join("\n");
}

/** docs/policies.md as written (formatted). */
export async function formattedPolicyDoc(): Promise<string> {
  const options = (await prettier.resolveConfig(POLICY_DOC)) ?? {};
  return prettier.format(renderPolicyDoc(), { ...options, parser: "markdown" });
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
  const doc = await formattedPolicyDoc();
  const old = fs.existsSync(POLICY_DOC) ? fs.readFileSync(POLICY_DOC, "utf8") : "";
  if (doc !== old) fs.writeFileSync(POLICY_DOC, doc);
  console.log(doc === old ? "docs/policies.md is up to date" : "docs/policies.md rewritten");
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
