/**
 * What the fuzz test asserts of one input: the loader does not throw, and every problem it reports has a
 * file, a line and a column, is printable, and is ours (no raw JavaScript error).
 */
import * as fs from "fs";
import * as path from "path";
import { loadFleet, formatIssue } from "../../spec";

/** Raw JavaScript errors that must never reach a message. */
const RAW_ERROR =
  /TypeError|ReferenceError|RangeError|SyntaxError:|Cannot read propert|is not a function|Maximum call stack|undefined \(reading/;

/** Writes `files` into `dir` (replacing what was there), loads the fleet and returns what is wrong. */
export function checkFleet(dir: string, files: Record<string, string>): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  let fleet: ReturnType<typeof loadFleet>;
  try {
    fleet = loadFleet([dir], { cwd: dir });
  } catch (e) {
    return [`threw: ${(e as Error).stack ?? String(e)}`];
  }
  const problems: string[] = [];
  for (const issue of fleet.issues) {
    const text = formatIssue(issue);
    if (issue.line < 1 || issue.col < 1) problems.push(`unpositioned: ${text}`);
    if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029]/.test(text))
      problems.push(`unprintable: ${JSON.stringify(text)}`);
    if (RAW_ERROR.test(text)) problems.push(`raw error: ${text}`);
  }
  return problems;
}
