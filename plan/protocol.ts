/** Messages between the plan pool and its worker processes (over the fork IPC channel, JSON). */
import type { ClusterSpec } from "../spec/types";
import type { ClusterReport } from "./report";

/** Pool → worker. */
export type ToWorker =
  | { readonly kind: "plan"; readonly id: number; readonly spec: ClusterSpec; readonly timeoutMs: number }
  | { readonly kind: "exit" };

/** Worker → pool. */
export type FromWorker =
  | { readonly kind: "ready" }
  | {
      readonly kind: "result";
      readonly id: number;
      readonly report: ClusterReport;
      /** V8 heap in use after the cluster, for recycling. */
      readonly heapUsedBytes: number;
      /** The program left work running (it timed out): do not plan another cluster in this process. */
      readonly poisoned: boolean;
    };
