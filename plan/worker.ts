/**
 * A plan worker process: loads Pulumi and the cluster program once, then plans the clusters the pool
 * sends it, one at a time (the SDK's runtime state — monitor, stack resource — is per process).
 */
import type { FromWorker, ToWorker } from "./protocol";
import { tuneWorkerRuntime } from "./fast-runtime";
import { planCluster } from "./plan-cluster";
import { failedCluster } from "./report";
// Loaded before the worker says it is ready, so that this cost stays out of the first cluster's timeout.
import "../programs/program";
import "../policy/evaluate";

function send(msg: FromWorker): void {
  process.send?.(msg);
}

// This process only plans, under mocks: no stack traces, no dynamic provider's code, none of the SDK's
// promise-leak bookkeeping or source positions (plan/fast-runtime.ts says why each is safe here).
tuneWorkerRuntime();

let queue: Promise<void> = Promise.resolve();

process.on("message", (msg: ToWorker) => {
  if (msg.kind === "exit") {
    // Exit code 0 whatever the SDK's exit hook thinks of promises a finished plan left behind.
    void queue.then(() => process.exit(0));
    return;
  }
  queue = queue.then(async () => {
    let poisoned = false;
    let report;
    try {
      report = await planCluster(msg.spec, { timeoutMs: msg.timeoutMs });
    } catch (e) {
      poisoned = true;
      report = failedCluster(msg.spec, e);
    }
    send({ kind: "result", id: msg.id, report, heapUsedBytes: process.memoryUsage().heapUsed, poisoned });
  });
});

send({ kind: "ready" });
