/**
 * The ordered teardown as a step of `destroy` (issue 16, ADR 0016): after the state export and before
 * the Pulumi destroy, with the stack's own facts: its admin kubeconfig (a secret output) and what its
 * state holds (the export just written). The teardown itself is `teardown/teardown.ts`.
 */
import type { OutputMap } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { ADDON_ENABLED, addonLabel } from "../spec/addons";
import { stateFacts } from "../teardown/orphans";
import type { TeardownLimits, TeardownReport } from "../teardown/teardown";

export interface TeardownOptions {
  /** Destroy even when the cluster's cloud resources may be left behind. @default false */
  readonly forceOrphans?: boolean;
  readonly limits?: TeardownLimits;
}

/** Runs the teardown for one stack, then `destroy` unless refused. */
export type ClusterTeardown = <T>(
  spec: ClusterSpec,
  stack: { readonly outputs: OutputMap; readonly exported: unknown },
  destroy: () => Promise<T>,
  progress: (line: string) => void,
  /** Gets the report before the destroy runs (a failing destroy keeps it in the cluster's result). */
  onReport: (report: TeardownReport) => void,
) => Promise<{ report: TeardownReport; destroyed?: T }>;

/** The teardown through the real cluster API (@kubernetes/client-node); modules load on first use. */
export function clusterTeardown(options: TeardownOptions, now: () => number): ClusterTeardown {
  return async (spec, stack, destroy, progress, onReport) => {
    const externalDns = spec.labels[addonLabel("external-dns")] === ADDON_ENABLED;
    const target = { cluster: spec.name, ...(externalDns ? { dnsZone: spec.dns.zone } : {}) };
    return stackTeardown(target, options, now)(stack, destroy, progress, onReport);
  };
}

/**
 * The same teardown for a stack known only by its cluster name: an orphan that `reconcile --prune`
 * destroys has no spec left, so its external-dns zone is unknown and that step is skipped (its records
 * are listed among the orphans when the cluster does not answer).
 */
export function stackTeardown(
  target: { readonly cluster: string; readonly dnsZone?: string },
  options: TeardownOptions,
  now: () => number,
): <T>(
  stack: { readonly outputs: OutputMap; readonly exported: unknown },
  destroy: () => Promise<T>,
  progress: (line: string) => void,
  onReport: (report: TeardownReport) => void,
) => Promise<{ report: TeardownReport; destroyed?: T }> {
  return async (stack, destroy, progress, onReport) => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { tearDown } = require("../teardown/teardown") as typeof import("../teardown/teardown");
    const { kubeClusterApi } = require("../teardown/cluster-api") as typeof import("../teardown/cluster-api");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const kubeconfig = stack.outputs["kubeconfig"]?.value;
    return tearDown(
      {
        cluster: target.cluster,
        ...(typeof kubeconfig === "string" ? { kubeconfig } : {}),
        facts: stateFacts(stack.exported),
        ...(target.dnsZone !== undefined ? { dnsZone: target.dnsZone } : {}),
        forceOrphans: options.forceOrphans === true,
      },
      {
        connect: (kc, limits) => kubeClusterApi(kc, limits),
        destroy,
        onReport,
        now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        progress,
        ...(options.limits !== undefined ? { limits: options.limits } : {}),
      },
    );
  };
}

/** What `destroy` does to one stack, in order, as `--dry-run` prints it (nothing is contacted). */
export function destroySteps(
  spec: ClusterSpec,
  backup: string,
  resourceTypes: readonly string[],
  options: TeardownOptions & { readonly teardown: boolean },
): string[] {
  const destroy =
    `pulumi destroy of ${resourceTypes.length} resource(s): the Vault paths the cluster wrote ` +
    `(${spec.production ? "kept: production" : "deleted"}), its Rancher object, the DNS records xcluster ` +
    `wrote itself, then the infrastructure`;
  const steps = [`export the state to ${backup}`];
  if (!options.teardown) return [...steps, destroy];
  if (!resourceTypes.includes("openstack:compute/instance:Instance")) {
    return [...steps, "no instance in the state: nothing to clean through the cluster", destroy];
  }
  const deadline = (options.limits?.deadlineMs ?? 900_000) / 1000;
  const perObject = (options.limits?.perObjectTimeoutMs ?? 300_000) / 1000;
  const externalDns = spec.labels[addonLabel("external-dns")] === ADDON_ENABLED;
  return [
    ...steps,
    `connect to the cluster API with the stack's admin kubeconfig (secret output kubeconfig); if it does not ` +
      `answer, list the orphans and ${options.forceOrphans ? "destroy anyway (--force-orphans)" : "stop (exit 6; --force-orphans destroys anyway)"}`,
    ...(externalDns
      ? [
          `switch external-dns to --policy=sync: it deletes the records owned by ${spec.name} in ${spec.dns.zone}`,
        ]
      : []),
    "delete every Service of type LoadBalancer and every PVC on a Cinder CSI volume with reclaim policy Delete (Retain volumes are reported, kept)",
    `wait until they and their volumes are gone (each at most ${perObject} s, all at most ${deadline} s)` +
      (externalDns ? ", then two external-dns sync intervals" : ""),
    `what did not go is listed as orphans: ${options.forceOrphans ? "destroy anyway (--force-orphans)" : "stop (exit 6)"}`,
    destroy,
  ];
}
