import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { runFleet } from "../../fleet/run-fleet";
import { realEngine } from "./engine";
import { testProgram } from "./fixtures/programs";
import { EngineProject, filesUnder } from "./project";

/** Lock files of the file backend (`.pulumi/locks/<org>/<project>/<stack>/<id>.json`). */
function lockFiles(backendDir: string): string[] {
  return filesUnder(path.join(backendDir, ".pulumi", "locks"));
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a stack locked by another update, on the real engine", function () {
  this.timeout(240_000);
  let pulumi: PulumiCommand;
  let backend: string;
  // Two checkouts of the project (two operators) whose environment names one shared file backend.
  let first: EngineProject;
  let second: EngineProject;

  before(async function () {
    pulumi = await realEngine(this);
    backend = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-engine-backend-"));
    first = new EngineProject({ clusters: ["a"], backendUrl: `file://${backend}` });
    second = new EngineProject({ clusters: ["a"], backendUrl: `file://${backend}` });
  });
  after(() => {
    first?.dispose();
    second?.dispose();
    if (backend) fs.rmSync(backend, { recursive: true, force: true });
  });

  it("rejects an up while another update holds the stack's lock, and loses nothing", async () => {
    // The first update holds its lock until the test creates this file (its probe waits for it).
    const release = path.join(first.root, "release-first-update");
    const program = testProgram({ probe: { releaseFile: release } });
    const holding = runFleet("up", [first.cluster("a")], first.options(pulumi, { program }));
    const locked = await (async () => {
      try {
        await waitFor("the first update to take the lock", () => lockFiles(backend).length > 0, 60_000);
        return await runFleet(
          "up",
          [second.cluster("a")],
          second.options(pulumi, { program, lockRetries: 1, lockRetryDelayMs: 200 }),
        );
      } finally {
        fs.writeFileSync(release, "");
      }
    })();
    const held = await holding;

    const r = locked.clusters[0]!;
    assert.equal(locked.exitCode, 1);
    assert.equal(r.result, "failed");
    assert.equal(r.error?.kind, "locked");
    assert.equal(r.message, "stack dev.a is locked by another update; retried 1 times");
    assert.equal(r.retries, 1);
    assert.match(r.error?.detail ?? "", /the stack is currently locked by 1 lock\(s\)/);
    assert.deepEqual(r.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 0 });
    assert.deepEqual(
      second.progress.filter((l) => l.includes("locked")),
      [
        "[a] stack dev.a is locked by another update; retry 1/1 in 200 ms",
        "[a] stack dev.a is locked by another update; retried 1 times",
      ],
    );

    const h = held.clusters[0]!;
    assert.equal(held.exitCode, 0, h.message);
    assert.deepEqual(h.changes, { create: 3, update: 0, delete: 0, replace: 0, same: 0 });
    assert.deepEqual(lockFiles(backend), [], "the lock is released");

    // Nothing was lost: the refused update's checkout sees every resource and changes none.
    const later = await runFleet("up", [second.cluster("a")], second.options(pulumi, { program }));
    assert.equal(later.exitCode, 0, later.clusters[0]?.message);
    assert.deepEqual(later.clusters[0]?.changes, { create: 0, update: 0, delete: 0, replace: 0, same: 3 });
  });
});
