/**
 * Drain a Kubernetes Node and delete it, before its instance goes (components/node-drain.ts). The
 * semantics are `kubectl drain --ignore-daemonsets --delete-emptydir-data --force` followed by
 * `kubectl delete node`, as k8s.io/kubectl v0.33.2 pkg/drain implements them (the kubectl RKE2
 * v1.33.3+rke2r1 pins, go.mod `k8s.io/kubectl => …/kubectl v1.33.2-k3s1`):
 *
 * - cordon first (cordon.go: `spec.unschedulable = true`), so nothing new lands on the node;
 * - every pod bound to the node (`spec.nodeName`), except (filters.go `makeFilters`):
 *   mirror pods (annotation `kubernetes.io/config.mirror`, skipped) and running pods a DaemonSet controls
 *   (`daemonSetFilter` with `IgnoreAllDaemonSets`: the DaemonSet would recreate them; they die with the
 *   node). Pods with emptyDir volumes and pods without a controller are evicted too (`--force`,
 *   `--delete-emptydir-data`): the instance is deleted next, so they would be lost anyway;
 * - each through the Eviction API, so PodDisruptionBudgets are respected. A 429 (a budget allows no
 *   disruption now) is retried every `evictionRetrySeconds` (drain.go `evictPods`: 5 s), a 404 means the
 *   pod is already gone. A 403 whose cause is `NamespaceTerminating` (the namespace is being deleted:
 *   the NamespaceLifecycle admission refuses new objects in it, evictions included) is no failure: the
 *   namespace deletes the pod itself, so the drain waits for that once the pod has a deletionTimestamp
 *   and retries until then (drain.go `evictPods`, the two `NamespaceTerminatingCause` branches);
 *   anything else fails;
 * - then it waits until each evicted pod is gone or was replaced by one with another UID (drain.go
 *   `waitForDelete`, polling every second);
 * - the whole drain is bounded by `timeoutSeconds` (kubectl `--timeout`); at the bound it fails naming
 *   the pods still there and what the API last said, and the Node stays (cordoned) for an operator;
 * - finally the Node object is deleted. For a server, k3s (which RKE2 builds on) then removes its etcd
 *   member: its managed etcd member controller reacts to the removal of a Node labelled
 *   `node-role.kubernetes.io/etcd` (k3s pkg/etcd/member_controller.go `onRemove` → `RemovePeer`).
 *
 * A Node that no longer exists is a drain already done (an operator deleted it by hand).
 *
 * `api` is a `CoreV1Api` of @kubernetes/client-node; it is passed in, not imported, because this code
 * runs inside a Pulumi dynamic provider, whose serialised closure must not capture the module.
 */
import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";

export interface DrainOptions {
  readonly nodeName: string;
  /** Bound on the whole drain (evictions and waiting for the pods to go). */
  readonly timeoutSeconds: number;
  /** Pause before retrying an eviction a disruption budget refused. @default 5 (kubectl) */
  readonly evictionRetrySeconds?: number;
  /** Pause between checks that evicted pods are gone. @default 1 (kubectl) */
  readonly pollSeconds?: number;
  /** Progress lines (the provider logs them). */
  readonly log?: (line: string) => void;
}

export interface DrainResult {
  /** False when the Node did not exist (nothing to do). */
  readonly nodeFound: boolean;
  /** Pods evicted, as `namespace/name`, in the order the evictions were accepted. */
  readonly evicted: readonly string[];
  /** Pods left in place, with the reason (DaemonSet, mirror pod). */
  readonly skipped: readonly { readonly pod: string; readonly reason: string }[];
}

/** A drain that could not finish in time or met an error; the Node is left cordoned. */
export class DrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrainError";
  }
}

/** HTTP status of a failed client-node call (its ApiException carries `code`), else undefined. */
function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * Whether the failed call's Status names `cause` among its causes (apimachinery `HasStatusCause`). A
 * cause's type is serialised as `reason` (k8s.io/apimachinery v0.33 pkg/apis/meta/v1/types.go,
 * `StatusCause.Type` has the JSON name `reason`).
 */
function hasCause(e: unknown, cause: string): boolean {
  const body = (e as { body?: unknown } | null)?.body;
  if (typeof body !== "string") return false;
  try {
    const status = JSON.parse(body) as { details?: { causes?: { reason?: string }[] } };
    return (status.details?.causes ?? []).some((c) => c.reason === cause);
  } catch {
    return false;
  }
}

/** corev1.NamespaceTerminatingCause (k8s.io/api v0.33 core/v1/types.go). */
const NAMESPACE_TERMINATING = "NamespaceTerminating";

/** The API's own message for a failed call (the Status body), short. */
function messageOf(e: unknown): string {
  const body = (e as { body?: unknown } | null)?.body;
  if (typeof body === "string" && body !== "") {
    try {
      const status = JSON.parse(body) as {
        message?: string;
        details?: { causes?: { message?: string }[] };
      };
      const causes = (status.details?.causes ?? []).map((c) => c.message).filter((m) => m);
      return [status.message, ...causes].filter((m) => m).join(" ");
    } catch {
      return body.slice(0, 300);
    }
  }
  return e instanceof Error ? e.message : String(e);
}

const podKey = (p: V1Pod): string => `${p.metadata?.namespace ?? ""}/${p.metadata?.name ?? ""}`;

/** Why a pod stays on the node, or undefined when it is evicted (kubectl pkg/drain filters.go). */
export function skipReason(pod: V1Pod): string | undefined {
  if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined) return "mirror pod";
  const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  const controller = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (controller?.kind === "DaemonSet" && !finished) return `DaemonSet ${controller.name}`;
  return undefined;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** Cordons `nodeName`, evicts its pods (budgets respected, bounded), waits for them, deletes the Node. */
export async function drainAndDeleteNode(api: CoreV1Api, o: DrainOptions): Promise<DrainResult> {
  const log = o.log ?? (() => undefined);
  const retry = o.evictionRetrySeconds ?? 5;
  const poll = o.pollSeconds ?? 1;
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  const node = o.nodeName;
  // Each request is bounded by what is left of the drain's bound: client-node 1.4.0 sets no request
  // timeout, and an API that accepts the connection and never answers would hang the update.
  const bounded = <T>(what: string, call: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DrainError(`the cluster API did not answer ${what} within the drain's ${o.timeoutSeconds} s`),
          ),
        Math.max(deadline - Date.now(), 1000),
      );
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  };

  try {
    // JSON patch ("add" also replaces): client-node 1.4.0 sends patches as application/json-patch+json.
    await bounded(
      "the cordon",
      api.patchNode({ name: node, body: [{ op: "add", path: "/spec/unschedulable", value: true }] }),
    );
  } catch (e) {
    if (statusOf(e) === 404) {
      log(`node ${node}: not found, nothing to drain`);
      return { nodeFound: false, evicted: [], skipped: [] };
    }
    throw new DrainError(`drain ${node}: cordon failed: ${messageOf(e)}`);
  }
  log(`node ${node}: cordoned`);

  let pods: V1Pod[];
  try {
    pods = (
      await bounded("the pod list", api.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }))
    ).items;
  } catch (e) {
    throw new DrainError(`drain ${node}: listing its pods failed: ${messageOf(e)}`);
  }
  const skipped: { pod: string; reason: string }[] = [];
  const toEvict: V1Pod[] = [];
  for (const pod of pods) {
    const reason = skipReason(pod);
    if (reason === undefined) toEvict.push(pod);
    else skipped.push({ pod: podKey(pod), reason });
  }

  const evicted: string[] = [];
  // Pods still to go, with the last thing the API said about each.
  // `evicted`: nothing more to ask of the pod, only to wait until it is gone (evicted, or deleted with
  // its terminating namespace).
  const pending = new Map<string, { pod: V1Pod; evicted: boolean; last: string }>(
    toEvict.map((p) => [podKey(p), { pod: p, evicted: false, last: "not evicted yet" }]),
  );
  for (;;) {
    for (const [key, entry] of pending) {
      const { pod } = entry;
      const namespace = pod.metadata?.namespace ?? "";
      const name = pod.metadata?.name ?? "";
      if (!entry.evicted) {
        try {
          await bounded(
            `the eviction of ${key}`,
            api.createNamespacedPodEviction({
              name,
              namespace,
              body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
            }),
          );
          entry.evicted = true;
          entry.last = "evicted, terminating";
          evicted.push(key);
          log(`node ${node}: evicted ${key}`);
        } catch (e) {
          const status = statusOf(e);
          if (status === 404) {
            pending.delete(key);
            continue;
          }
          if (status === 403 && hasCause(e, NAMESPACE_TERMINATING)) {
            // Look again: once the namespace has marked the pod deleted, only its going is left to wait for.
            try {
              entry.pod = await bounded(`a read of ${key}`, api.readNamespacedPod({ name, namespace }));
            } catch (re) {
              if (statusOf(re) === 404) {
                pending.delete(key);
                continue;
              }
            }
            if (entry.pod.metadata?.deletionTimestamp !== undefined) {
              entry.evicted = true;
              entry.last = "deleted with its terminating namespace, terminating";
              log(`node ${node}: ${key} is being deleted with its namespace`);
            } else {
              entry.last = `its namespace is terminating (403), retrying until the namespace deletes it: ${messageOf(e)}`;
              continue;
            }
          } else if (status !== 429) {
            throw new DrainError(`drain ${node}: eviction of ${key} failed: ${messageOf(e)}`);
          } else {
            entry.last = `eviction refused (429): ${messageOf(e)}`;
            continue;
          }
        }
      }
      // Gone, or replaced by a pod of the same name (drain.go waitForDelete compares UIDs).
      try {
        const now = await bounded(`a read of ${key}`, api.readNamespacedPod({ name, namespace }));
        if (now.metadata?.uid !== pod.metadata?.uid) pending.delete(key);
      } catch (e) {
        if (statusOf(e) === 404) pending.delete(key);
        else entry.last = `evicted; reading it failed: ${messageOf(e)}`;
      }
    }
    if (pending.size === 0) break;
    const refused = [...pending.values()].some((p) => !p.evicted);
    const pause = refused ? retry : poll;
    if (Date.now() + pause * 1000 > deadline) {
      const left = [...pending].map(([k, p]) => `${k} (${p.last})`).join("; ");
      throw new DrainError(
        `drain ${node}: timed out after ${o.timeoutSeconds} s with ${pending.size} pod(s) still on the ` +
          `node: ${left}. The node stays cordoned and is not deleted, so its instance is kept. Resolve ` +
          `it (a PodDisruptionBudget that allows no disruption, a pod that does not terminate), or drain ` +
          `and delete the node yourself (kubectl drain / kubectl delete node ${node}), then run up again.`,
      );
    }
    await sleep(pause);
  }

  try {
    await bounded("the Node's deletion", api.deleteNode({ name: node }));
  } catch (e) {
    if (statusOf(e) !== 404) throw new DrainError(`drain ${node}: deleting the Node failed: ${messageOf(e)}`);
  }
  log(`node ${node}: deleted (${evicted.length} pod(s) evicted, ${skipped.length} left to the node)`);
  return { nodeFound: true, evicted, skipped };
}
