/**
 * Counts what the engine reports for one stack while an operation runs: planned and finished steps by
 * operation, policy violations, error diagnostics and — for a refresh — which resources drifted. The
 * driver decides from these structured events, not by parsing the CLI's message text.
 */
import type { EngineEvent, OpMap, OpType } from "@pulumi/pulumi/automation";

export interface Changes {
  create: number;
  update: number;
  delete: number;
  replace: number;
  same: number;
}

export interface PolicyViolation {
  readonly policy: string;
  readonly pack: string;
  /** `mandatory` fails the cluster (exit 3); `advisory` (the engine's `warning`) is reported only. */
  readonly enforcement: "mandatory" | "advisory";
  readonly resource: string;
  readonly message: string;
}

/** A resource whose real state differs from the state Pulumi recorded. */
export interface DriftItem {
  readonly urn: string;
  readonly type: string;
  /** `update` (changed outside Pulumi) or `delete` (gone). */
  readonly change: "update" | "delete";
  /** Property names that differ, when the engine names them. */
  readonly properties: string[];
}

export const emptyChanges = (): Changes => ({ create: 0, update: 0, delete: 0, replace: 0, same: 0 });

/** Folds the engine's op names into the five columns of the report. */
export function changesFrom(ops: OpMap | undefined): Changes {
  const c = emptyChanges();
  for (const [op, n] of Object.entries(ops ?? {}) as [OpType, number][]) {
    const bucket = bucketOf(op);
    if (bucket) c[bucket] += n;
  }
  return c;
}

function bucketOf(op: OpType): keyof Changes | undefined {
  switch (op) {
    case "create":
    case "import":
      return "create";
    case "update":
      return "update";
    case "delete":
    case "discard":
      return "delete";
    case "replace":
    case "create-replacement":
    case "import-replacement":
      return "replace";
    case "same":
      return "same";
    default:
      return undefined;
  }
}

/**
 * The steps of one replacement (pulumi pkg/resource/deploy/step_generator.go: `create-replacement`,
 * `replace`, `delete-replaced`, in that order or, delete-before-replace, the other way round).
 */
const REPLACEMENT_STEPS: ReadonlySet<OpType> = new Set<OpType>([
  "replace",
  "create-replacement",
  "delete-replaced",
  "import-replacement",
  "discard-replaced",
  "read-replacement",
]);

/** Steps that change nothing: no progress to count. */
const NO_CHANGE: ReadonlySet<OpType> = new Set<OpType>(["same", "read", "refresh", "remove-pending-replace"]);

/**
 * A default provider (`pulumi:providers:<pkg>::default…`, pulumi pkg/resource/deploy/providers/reference.go
 * `IsDefaultProvider`): the engine's change summary leaves them out, so the counters do too.
 */
function isDefaultProvider(urn: string): boolean {
  const parts = urn.split("::");
  return (parts[2] ?? "").startsWith("pulumi:providers:") && (parts[3] ?? "").startsWith("default");
}

export class EngineTally {
  /**
   * Resources with a change announced (resourcePreEvent), by report column, each counted once: a
   * replacement's two or three steps are one `replace`.
   */
  readonly planned = emptyChanges();
  /** The engine's final count (summaryEvent), once it arrived. */
  summary?: Changes;
  failed = 0;
  /** Resources with a change announced, and those of them with a step finished (one count per resource). */
  private readonly changing = new Set<string>();
  private readonly done = new Set<string>();
  readonly violations: PolicyViolation[] = [];
  readonly errors: string[] = [];
  readonly drift: DriftItem[] = [];
  private readonly driftUrns = new Set<string>();

  /** @param trackDrift record drift items (refresh and drift runs; for up/preview an update is a plan, not drift) */
  constructor(private readonly trackDrift = false) {}

  /** Records one event; returns true when a count shown in progress lines changed. */
  add(e: EngineEvent): boolean {
    if (e.resourcePreEvent) {
      const m = e.resourcePreEvent.metadata;
      this.noteDrift(m, false);
      if (NO_CHANGE.has(m.op) || this.changing.has(m.urn) || isDefaultProvider(m.urn)) return false;
      const b = REPLACEMENT_STEPS.has(m.op) ? "replace" : bucketOf(m.op);
      if (b === undefined) return false;
      this.changing.add(m.urn);
      this.planned[b] += 1;
      return true;
    }
    if (e.resOutputsEvent) {
      const m = e.resOutputsEvent.metadata;
      this.noteDrift(m, true);
      // Only resources counted in `steps`, once: `finished` never exceeds `steps`.
      if (NO_CHANGE.has(m.op) || !this.changing.has(m.urn) || this.done.has(m.urn)) return false;
      this.done.add(m.urn);
      return true;
    }
    if (e.resOpFailedEvent) {
      this.failed += 1;
      return true;
    }
    if (e.policyEvent) {
      const p = e.policyEvent;
      this.violations.push({
        policy: p.policyName,
        pack: p.policyPackName,
        enforcement: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
        resource: p.resourceUrn ?? "",
        message: p.message.trim(),
      });
      return true;
    }
    if (e.diagnosticEvent && e.diagnosticEvent.severity === "error") {
      const text = e.diagnosticEvent.message.trim();
      if (text !== "") this.errors.push(text);
      return false;
    }
    if (e.summaryEvent) {
      this.summary = changesFrom(e.summaryEvent.resourceChanges);
      return true;
    }
    return false;
  }

  /** Resources with a change announced so far: the denominator of the progress lines. */
  get steps(): number {
    return this.changing.size;
  }

  /** Of `steps`, the resources whose change finished (for a replacement: its first step). */
  get finished(): number {
    return this.done.size;
  }

  get mandatoryViolations(): number {
    return this.violations.filter((v) => v.enforcement === "mandatory").length;
  }

  /** The best count available: the engine's summary, else the announced steps. */
  changes(): Changes {
    return this.summary ?? { ...this.planned };
  }

  /**
   * Refresh steps carry the differences between recorded and real state: a step with diffs, or an
   * `update`/`delete`, is drift; so is a refreshed resource with no new state (it is gone). Each resource is
   * reported once (pre and outputs events repeat it).
   */
  private noteDrift(m: NonNullable<EngineEvent["resourcePreEvent"]>["metadata"], outputs: boolean): void {
    if (!this.trackDrift) return;
    const properties = [...new Set([...(m.diffs ?? []), ...Object.keys(m.detailedDiff ?? {})])].sort();
    let change: DriftItem["change"] | undefined;
    if (m.op === "delete" || (outputs && m.op === "refresh" && m.old !== undefined && m.new === undefined)) {
      change = "delete";
    } else if (m.op === "update" || (m.op === "refresh" && properties.length > 0)) {
      change = "update";
    }
    if (change === undefined || this.driftUrns.has(m.urn)) return;
    this.driftUrns.add(m.urn);
    this.drift.push({ urn: m.urn, type: m.type, change, properties });
  }
}
