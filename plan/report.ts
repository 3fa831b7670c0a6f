/**
 * The plan report: what `xcluster plan --json` writes (the shape is fixed by the command-line contract in
 * DESIGN.md and described by `plan/report.schema.json`). Everything in it is sorted, so that a plan is
 * byte-identical however many workers produced it and in whatever order they finished.
 */
import type { ResourceUsage } from "./usage";
import type { CapacityReport } from "./capacity";
import type { RecordedOptions } from "./mocks";
import type { Json } from "./report-inputs";

/** One resource the cluster program would create. */
export interface ReportResource {
  /** Pulumi type token, e.g. `openstack:compute/instance:Instance`. */
  readonly type: string;
  readonly name: string;
  /** URN of the parent component, or of the stack for top-level resources. */
  readonly parent: string | null;
  /** The URN the engine would give it (what `dependsOn` and `parent` name); null when unknown. */
  readonly urn?: string | null;
  /** Its inputs, secrets masked as `"[secret]"` (plan/report-inputs.ts). */
  readonly inputs?: { readonly [key: string]: Json };
  /** Resource options that matter for review. */
  readonly options?: RecordedOptions;
}

/** One policy finding. */
export interface ReportViolation {
  readonly policy: string;
  readonly enforcement: "mandatory" | "advisory";
  readonly severity: string;
  /** The resource's name (`(stack)` for stack-wide findings). */
  readonly resource: string;
  readonly message: string;
}

/** A named exception of the environment: the rule only advises until `expires` (issue 14). */
export interface ReportPolicyException {
  readonly rule: string;
  readonly reason: string;
  /** YYYY-MM-DD, the last day it holds. */
  readonly expires: string;
  /** Past its date on the day of the plan: the rule is enforced again and policy-001 reports it. */
  readonly expired: boolean;
}

/** What each node would boot with, so that two plans can be compared (see plan/baseline.ts). */
export interface ClusterLifecycle {
  /** The RKE2 release the cluster is planned at. */
  readonly rke2Version: string;
  /** Every instance with its boot-config digest (`components/rke2/boot-config.ts`), by name. */
  readonly nodes: { readonly name: string; readonly bootConfigSha256: string }[];
}

/** How a plan differs from the baseline plan (`xcluster plan --baseline`), for a running cluster. */
export interface SinceBaseline {
  /** The RKE2 version change, carried out in the cluster by system-upgrade-controller. */
  readonly upgrade?: { readonly from: string; readonly to: string };
  /** The server count change; removing more than etcd tolerates at once is refused (spec/server-scaling.ts). */
  readonly servers?: { readonly from: number; readonly to: number };
  /** Nodes that keep running but whose boot config changed: they boot with the new one only when replaced. */
  readonly bootConfigOutOfDate: string[];
  /** Nodes the plan adds and removes. */
  readonly added: string[];
  readonly removed: string[];
}

export interface ClusterReport {
  readonly name: string;
  readonly environment: string;
  readonly topology: "octavia" | "keepalived";
  readonly resources: ReportResource[];
  readonly violations: ReportViolation[];
  /** Why the cluster could not be planned (its resources and violations are then empty). */
  readonly error?: string;
  /** Absent when the cluster could not be planned. */
  readonly lifecycle?: ClusterLifecycle;
  /** Only with `--baseline`, for a cluster the baseline plan has. */
  readonly sinceBaseline?: SinceBaseline;
  /** What the planned resources take from the project (plan/usage.ts); absent when planning failed. */
  readonly usage?: ResourceUsage;
  /** The environment's policy exceptions, by rule; absent when it grants none. */
  readonly policyExceptions?: ReportPolicyException[];
}

export interface PlanReport {
  readonly clusters: ClusterReport[];
  /** Capacity and cost per environment (plan/capacity.ts); only where the environment declares capacity. */
  readonly capacity?: CapacityReport;
}

/** A cluster that could not be planned (its resources and violations are unknown, so empty). */
export function failedCluster(
  spec: {
    readonly name: string;
    readonly environment: string;
    readonly topology: { readonly mode: ClusterReport["topology"] };
  },
  error: unknown,
): ClusterReport {
  return {
    name: spec.name,
    environment: spec.environment,
    topology: spec.topology.mode,
    resources: [],
    violations: [],
    error: error instanceof Error ? error.message : String(error),
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareResources(a: ReportResource, b: ReportResource): number {
  return (
    compare(a.type, b.type) ||
    compare(a.name, b.name) ||
    compare(a.parent ?? "", b.parent ?? "") ||
    compare(a.urn ?? "", b.urn ?? "")
  );
}

function compareViolations(a: ReportViolation, b: ReportViolation): number {
  return (
    compare(a.enforcement, b.enforcement) ||
    compare(a.policy, b.policy) ||
    compare(a.resource, b.resource) ||
    compare(a.message, b.message)
  );
}

/** The cluster with resources and violations in canonical order. */
export function canonicalCluster(c: ClusterReport): ClusterReport {
  return {
    name: c.name,
    environment: c.environment,
    topology: c.topology,
    resources: [...c.resources].sort(compareResources),
    violations: [...c.violations].sort(compareViolations),
    ...(c.error !== undefined ? { error: c.error } : {}),
    ...(c.lifecycle !== undefined
      ? {
          lifecycle: {
            rke2Version: c.lifecycle.rke2Version,
            nodes: [...c.lifecycle.nodes].sort((a, b) => compare(a.name, b.name)),
          },
        }
      : {}),
    ...(c.sinceBaseline !== undefined ? { sinceBaseline: c.sinceBaseline } : {}),
    ...(c.usage !== undefined ? { usage: c.usage } : {}),
    ...(c.policyExceptions !== undefined && c.policyExceptions.length > 0
      ? { policyExceptions: [...c.policyExceptions].sort((a, b) => compare(a.rule, b.rule)) }
      : {}),
  };
}

/** The report in canonical order: clusters by environment then name. */
export function canonicalReport(clusters: readonly ClusterReport[]): PlanReport {
  return {
    clusters: clusters
      .map(canonicalCluster)
      .sort((a, b) => compare(a.environment, b.environment) || compare(a.name, b.name)),
  };
}

/** Mandatory findings across the report (they make `plan` exit 3). */
export function mandatoryViolations(report: PlanReport): number {
  return report.clusters.reduce(
    (n, c) => n + c.violations.filter((v) => v.enforcement === "mandatory").length,
    0,
  );
}

/** The JSON file's content. */
export function reportJson(report: PlanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
