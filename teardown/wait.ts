/**
 * The bounded, reported wait for deleted objects to go (issue 16): their controllers (the OpenStack
 * cloud controller manager for Services, the PV controller and Cinder CSI for claims) remove the
 * finalizers once the cloud resources are gone. Each object has its own limit from the moment its
 * deletion was asked for, all of them one deadline, and a progress line says who is still waiting on
 * which finalizer.
 */
import type { ObjectKind, Presence } from "./cluster-api";
import type { NamedObject } from "./targets";

export interface WaitLimits {
  /** Time between two looks at the objects still present. @default 2000 */
  readonly pollMs?: number;
  /** How long one object may take from its deletion. @default 300000 (OCCM deletes listeners, pools, the load balancer and its floating IP one by one) */
  readonly perObjectTimeoutMs?: number;
  /** How long the whole wait may take. @default 900000 */
  readonly deadlineMs?: number;
  /** Time between two progress lines. @default 10000 */
  readonly progressIntervalMs?: number;
}

export interface WaitedObject extends NamedObject {
  readonly kind: ObjectKind;
  /** When the deletion was asked for (epoch ms). */
  readonly deletedAt: number;
}

export interface WaitResult extends NamedObject {
  readonly kind: ObjectKind;
  /** `gone`, or `timed-out` (its own limit or the deadline came first). */
  readonly outcome: "gone" | "timed-out";
  /** From the deletion to the look that found it gone, or to the limit. */
  readonly waitedMs: number;
  /** The finalizers it still had when the wait gave up. */
  readonly finalizers?: readonly string[];
}

export interface WaitDeps {
  readonly presence: (kind: ObjectKind, o: NamedObject) => Promise<Presence>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: (line: string) => void;
}

const label = (o: WaitedObject) => `${o.kind} ${o.namespace === "" ? "" : `${o.namespace}/`}${o.name}`;

/** Waits until every object is gone or its limit passed; results in the objects' order. */
export async function waitUntilGone(
  objects: readonly WaitedObject[],
  deps: WaitDeps,
  limits: WaitLimits = {},
): Promise<WaitResult[]> {
  const pollMs = limits.pollMs ?? 2000;
  const perObject = limits.perObjectTimeoutMs ?? 300_000;
  const started = deps.now();
  const deadline = started + (limits.deadlineMs ?? 900_000);
  const every = limits.progressIntervalMs ?? 10_000;
  const results = new Map<WaitedObject, WaitResult>();
  const finalizers = new Map<WaitedObject, string[]>();
  let lastProgress = started;
  for (;;) {
    for (const o of objects.filter((x) => !results.has(x))) {
      const p = await deps.presence(o.kind, o);
      const now = deps.now();
      if (p.gone) {
        results.set(o, {
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
          outcome: "gone",
          waitedMs: now - o.deletedAt,
        });
        deps.progress(`${label(o)} is gone after ${((now - o.deletedAt) / 1000).toFixed(1)} s`);
        continue;
      }
      finalizers.set(o, p.finalizers);
      const limit = Math.min(o.deletedAt + perObject, deadline);
      if (now >= limit) {
        results.set(o, {
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
          outcome: "timed-out",
          waitedMs: now - o.deletedAt,
          finalizers: p.finalizers,
        });
        deps.progress(
          `${label(o)} still there after ${((now - o.deletedAt) / 1000).toFixed(1)} s ` +
            `(finalizers: ${p.finalizers.join(", ") || "none"}); giving up on it`,
        );
      }
    }
    const pending = objects.filter((x) => !results.has(x));
    if (pending.length === 0) break;
    const now = deps.now();
    if (now - lastProgress >= every) {
      lastProgress = now;
      deps.progress(
        `waiting for ${pending.length} object(s) (${((now - started) / 1000).toFixed(0)} s of at most ` +
          `${((deadline - started) / 1000).toFixed(0)} s): ` +
          pending.map((o) => `${label(o)} [${(finalizers.get(o) ?? []).join(", ")}]`).join("; "),
      );
    }
    await deps.sleep(pollMs);
  }
  return objects.map((o) => results.get(o)!);
}
