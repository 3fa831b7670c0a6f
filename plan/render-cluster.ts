/**
 * Runs one cluster program under the recording mocks and returns every resource it registered, with
 * parents. One cluster at a time per process: `setMocks` replaces the runtime's single monitor and stack.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../spec/types";
import { RecordingMocks, UnmockedCallError, defaultInvokes, waitForRegistrations } from "./mocks";
import type { InvokeHandler, RecordedResource } from "./mocks";
import { DEFAULT_CLUSTER_TIMEOUT_MS, PlanTimeoutError } from "./timeout";
import { closeCallbackServer } from "./callback-server";

/** The Pulumi project name plans run under (stack names are the cluster names). */
export const PLAN_PROJECT = "xcluster";

export interface RenderOptions {
  /** Give up on the cluster after this long. @default DEFAULT_CLUSTER_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Invoke answers. @default defaultInvokes */
  readonly invokes?: InvokeHandler;
  /** The program to run. @default clusterProgram from programs/program.ts */
  readonly program?: (spec: ClusterSpec) => unknown;
}

function defaultProgram(spec: ClusterSpec): unknown {
  // Loaded on first use so that importing this file does not load every provider package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { clusterProgram } = require("../programs/program") as typeof import("../programs/program");
  return clusterProgram(spec);
}

/** Errors the runtime reports outside any promise we hold (a failed registration, a rejected apply). */
function collectStrayErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onRejection = (reason: unknown): void => void errors.push(reason);
  process.on("unhandledRejection", onRejection);
  return { errors, stop: () => void process.off("unhandledRejection", onRejection) };
}

/**
 * Renders the cluster: runs its program as stack `<cluster>` under fresh mocks and waits until every
 * registration settled. Rejects with `UnmockedCallError` naming the token when the program invoked
 * something the mocks do not answer, with `PlanTimeoutError` when it does not settle, and with the
 * program's own error when it throws.
 */
export async function renderCluster(
  spec: ClusterSpec,
  options: RenderOptions = {},
): Promise<RecordedResource[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLUSTER_TIMEOUT_MS;
  const program = options.program ?? defaultProgram;
  const answer = options.invokes ?? defaultInvokes;
  // The first unanswered invoke ends the cluster at once: what depends on it would otherwise wait until
  // the timeout, or fail later with a message that no longer names the call.
  let unanswered: (e: UnmockedCallError) => void = () => undefined;
  const unmocked = new Promise<never>((_, reject) => (unanswered = reject));
  void unmocked.catch(() => undefined);
  const mocks = new RecordingMocks((token, inputs) => {
    const result = answer(token, inputs);
    if (result === undefined) unanswered(new UnmockedCallError(token));
    return result;
  });
  const stray = collectStrayErrors();
  let timer: NodeJS.Timeout | undefined;
  try {
    await pulumi.runtime.setMocks(mocks, PLAN_PROJECT, spec.name, false);
    const run = (async () => {
      await pulumi.runtime.runInPulumiStack(async () => {
        mocks.recordParents();
        const outputs = program(spec);
        return typeof outputs === "object" && outputs !== null ? (outputs as Record<string, unknown>) : {};
      });
      await waitForRegistrations();
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PlanTimeoutError(spec.name, timeoutMs)), timeoutMs);
    });
    // Settled either way once the race is decided; a late rejection must not surface as unhandled.
    void run.catch(() => undefined);
    await Promise.race([run, timeout, unmocked]);
    // An unmocked invoke surfaces as a failed output somewhere downstream; name its cause instead.
    const token = mocks.unmocked[0];
    if (token !== undefined) throw new UnmockedCallError(token);
    const stray0 = stray.errors[0];
    if (stray0 !== undefined) throw stray0 instanceof Error ? stray0 : new Error(String(stray0));
    return mocks.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
  } catch (e) {
    // Detach the failed program from the runtime: fresh mocks drop its pending promises from the SDK's
    // leak list, which would otherwise fail the process at exit for a cluster already reported as failed.
    // Its callback server first: setMocks would forget it without shutting it down.
    closeCallbackServer();
    await pulumi.runtime.setMocks(new RecordingMocks(), PLAN_PROJECT, spec.name, false);
    const token = mocks.unmocked[0];
    if (token !== undefined && !(e instanceof UnmockedCallError)) throw new UnmockedCallError(token);
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    stray.stop();
    // After a success (a failure closed it above): no earlier cluster stays in memory, nor a listening
    // socket (plan/callback-server.ts).
    closeCallbackServer();
  }
}
