/**
 * Tier: the real CLI in-process (`main`), on a copy of the example fleet — every command the README shows
 * in a `sh` or `console` block is extracted and, when it can run offline (validate, plan, export), run
 * exactly as written from a project directory whose `stacks/` is the example fleet. A console block's
 * output line must match what the command prints (the timing aside). Commands that need the real engine,
 * credentials or the network are listed as pending with the reason, so a new one cannot slip in unseen.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXAMPLE_FLEET, REPO_ROOT } from "../support/spec-files";
import { readmeCommands } from "../support/readme-commands";

const OFFLINE = new Set(["validate", "plan", "export"]);
const ENGINE = new Set(["preview", "up", "destroy", "refresh", "drift", "outputs", "reconcile", "replace"]);

function skipReason(command: string): string | undefined {
  const words = command.split(/\s+/);
  if (words[0] === "npx" && words[1] === "xcluster") {
    if (OFFLINE.has(words[2] ?? "")) return undefined;
    if (ENGINE.has(words[2] ?? "") && words.includes("--local"))
      return "runs the real engine for minutes (test/engine/local-mode.spec.ts runs these --local commands as written)";
    if (ENGINE.has(words[2] ?? ""))
      return "needs the pulumi CLI and cloud credentials (the engine tier, test/engine/, runs these commands)";
    return `unknown xcluster command ${words[2]}`;
  }
  if (words[0] === "pulumi")
    return "needs the pulumi CLI (test/engine/plain-pulumi.spec.ts runs the plain-Pulumi flow)";
  if (words[0] === "npm") return "an npm script: installs, or runs the suite this test is part of";
  if (words[0] === "export" || words[0] === "mkdir") return "sets up the shell for the engine commands";
  return `not an xcluster command (${words[0]})`;
}

/** A project directory like a fresh clone's: `stacks/` is the example fleet. */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-readme-"));
  fs.cpSync(EXAMPLE_FLEET, path.join(dir, "stacks"), { recursive: true });
  return dir;
}

describe("README commands (run as written, offline ones on the example fleet)", function () {
  this.timeout(300_000);
  const commands = readmeCommands(fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"));
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("finds the README's commands", () => {
    const texts = commands.map((c) => c.text);
    assert.ok(texts.includes("npx xcluster plan"), texts.join("\n"));
    assert.ok(texts.some((t) => t.startsWith("npx xcluster export operator")));
    assert.ok(texts.some((t) => t.startsWith("npx xcluster up")));
  });

  for (const c of commands) {
    const reason = skipReason(c.text);
    if (reason !== undefined) {
      it(`README.md:${c.line}: ${c.text} — not run: ${reason}`, function () {
        this.skip();
      });
      continue;
    }
    it(`README.md:${c.line}: ${c.text} — exits 0${c.output.length > 0 ? " and prints what the README shows" : ""}`, async () => {
      const dir = project();
      dirs.push(dir);
      const io = captureIo();
      const code = await main(c.text.split(/\s+/).slice(2), io, dir);
      const printed = [...io.stdout, ...io.stderr].join("\n");
      assert.equal(code, 0, printed);
      for (const expected of c.output.filter((l) => l.trim() !== "" && l.trim() !== "…")) {
        const pattern = expected
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replace(/in \d+(\\\.\d+)? s$/, "in \\d+(\\.\\d+)? s");
        assert.match(printed, new RegExp(`^${pattern}$`, "m"), `README.md shows: ${expected}`);
      }
      for (const flag of ["--markdown", "--json", "--out"]) {
        const i = c.text.split(/\s+/).indexOf(flag);
        if (i >= 0)
          assert.ok(fs.existsSync(path.join(dir, c.text.split(/\s+/)[i + 1]!)), `${flag} file written`);
      }
    });
  }
});
