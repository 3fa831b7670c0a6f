/**
 * A mocha root-hook plugin (registered in .mocharc.json): after the run, one line per skipped tier and
 * the command that enables it (test/support/tiers.ts), so that a skip is never silent or buried.
 */
import { skipSummary } from "./tiers";

export function mochaGlobalTeardown(): void {
  const lines = skipSummary();
  if (lines.length === 0) return;
  console.log(`\n${lines.join("\n")}`);
}
