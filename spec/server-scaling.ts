/**
 * How many RKE2 servers one change may remove. Removing a server drains and deletes its Kubernetes Node
 * (components/node-drain.ts); k3s, which RKE2 builds on, then removes its etcd member (k3s
 * pkg/etcd/member_controller.go `onRemove`), asynchronously, while the engine goes on to delete the
 * instance. If every removed instance stopped before its member was removed, the servers left must still
 * be a majority of the old membership, or etcd loses quorum. So a change may remove at most
 * (n - 1) / 2 of n servers (etcd's failure tolerance: etcd docs, _FAQ_, "What is failure tolerance?"):
 * 5 → 3 and 7 → 5 are allowed, 7 → 3 and 3 → 1 are not.
 */

/** Why going from `before` to `after` servers in one change is unsafe, or undefined when it is safe. */
export function serverRemovalProblem(before: number, after: number): string | undefined {
  if (after >= before) return undefined;
  const tolerance = Math.floor((before - 1) / 2);
  const keep = before - tolerance;
  if (before - after <= tolerance) return undefined;
  return (
    `removes ${before - after} of ${before} servers in one change; etcd keeps quorum only if at most ` +
    `${tolerance} go at once (got ${after}; allowed: ${keep} or more servers in this change, then ` +
    `the next step after it is applied)`
  );
}

/** Server indices in node names `<cluster>-server-<i>`. */
export function serverCount(cluster: string, nodeNames: readonly string[]): number {
  const pattern = new RegExp(`^${cluster.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-server-\\d+$`);
  return nodeNames.filter((n) => pattern.test(n)).length;
}
