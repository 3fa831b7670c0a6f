/** The offline plan of some specs, in its own process (the plan's mock runtime is process-wide). */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PlanReport } from "../../plan/report";
import { REPO_ROOT } from "../support/spec-files";

export function offlinePlan(specPath: string, cwd: string): PlanReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-offline-plan-"));
  try {
    const out = path.join(dir, "plan.json");
    const run = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "xcluster.js"), "plan", specPath, "--serial", "--json", out],
      { cwd, encoding: "utf8", timeout: 120_000 },
    );
    assert.ok(fs.existsSync(out), `plan wrote no report (exit ${run.status}): ${run.stderr}`);
    return JSON.parse(fs.readFileSync(out, "utf8")) as PlanReport;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
