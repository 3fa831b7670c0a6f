import type { PolicyResource } from "@pulumi/policy";
import { chartName, get } from "../lib/helm";
import { stackRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import {
  describeMatchAll,
  hostLevelSetting,
  matchAllTolerations,
  type MatchAllToleration,
} from "../lib/tolerations";
import { T } from "../lib/types";
import { tryRead, Undecided } from "../lib/unknown";

const ENFORCE = "pod-security.kubernetes.io/enforce";

/**
 * A system-upgrade-controller Plan: every job it starts on a node runs privileged, on the host's network,
 * PID and IPC namespaces, with the host's root mounted (rancher/system-upgrade-controller v0.20.1
 * pkg/upgrade/job/job.go lines 199-201, 243-244, 458), so its tolerations decide where that runs.
 */
const SUC_PLAN = "kubernetes:upgrade.cattle.io/v1:Plan";
/** Kubernetes objects whose pod template carries tolerations (`kubernetes:<group/version>:<Kind>`). */
const WORKLOAD_KINDS = ["DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod"];
const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";

/**
 * The one broad toleration a chart we deploy genuinely needs. The Cinder CSI node plugin is the kubelet's
 * only way to attach, format and mount a Cinder volume on its node (the CSI spec's Node service; the
 * chart runs it as a privileged, host-network DaemonSet: templates/nodeplugin-daemonset.yaml lines 24, 82),
 * so it must run on every node a pod with a volume can land on, tainted GPU and ingress nodes included;
 * the chart's own default is exactly `[{operator: Exists}]` (kubernetes/cloud-provider-openstack
 * charts/cinder-csi-plugin/values.yaml lines 106-107 at openstack-cinder-csi-2.33.1). The controller
 * plugin gets no such allowance (its default is `[]`, line 147). Nothing else is allowed: keyed
 * tolerations are always possible.
 */
const ALLOWED: readonly { readonly chart: string; readonly path: RegExp; readonly why: string }[] = [
  {
    chart: "openstack-cinder-csi",
    path: /^values\.csi\.plugin\.nodePlugin\.tolerations\[\d+\]$/,
    why: "the CSI node plugin mounts volumes on every node",
  },
];

type Level = "restricted" | "baseline" | "privileged" | "exempt" | "unknown";

/** Each namespace's Pod Security enforce level, from the stack's Namespace objects. */
function namespaceLevels(resources: readonly PolicyResource[], undecided: Undecided): Map<string, Level> {
  const levels = new Map<string, Level>();
  for (const ns of ofType(resources, T.namespace)) {
    const read = tryRead(() => {
      const name = get(ns.props, "metadata", "name");
      return {
        name: typeof name === "string" && name !== "" ? name : ns.name,
        level: get(ns.props, "metadata", "labels", ENFORCE),
      };
    });
    if (read === "unknown") {
      undecided.note(ns, "metadata");
      continue;
    }
    const level = read.value.level;
    levels.set(
      read.value.name,
      level === "restricted" || level === "baseline" || level === "privileged" ? level : "unknown",
    );
  }
  return levels;
}

/**
 * Why a workload in `namespace` counts as privileged, or undefined when its namespace enforces
 * `restricted` (which forbids every host-level setting, kubernetes/pod-security-admission). kube-system is
 * exempt from Pod Security under RKE2's CIS profile (rancher/rke2 pkg/rke2/psa.go `restrictedPSAConfig`,
 * v1.33.3+rke2r1), and a namespace the stack does not label has a level nobody here can see.
 */
function namespaceReason(namespace: string, levels: Map<string, Level>): string | undefined {
  const level = levels.get(namespace) ?? (namespace === "kube-system" ? "exempt" : "unknown");
  switch (level) {
    case "restricted":
      return undefined;
    case "exempt":
      return `namespace ${namespace} is exempt from Pod Security`;
    case "unknown":
      return `namespace ${namespace} has no Pod Security level this stack sets`;
    default:
      return `namespace ${namespace} enforces the ${level} Pod Security level`;
  }
}

function report1(
  what: string,
  why: string,
  found: readonly MatchAllToleration[],
  report: (m: string, urn?: string) => void,
  urn: string,
): void {
  for (const t of found) report(`${what} (${why}): ${describeMatchAll(t)}`, urn);
}

/** The workload objects of a ConfigGroup's inline `objs`, with their namespaces. */
function groupWorkloads(props: Record<string, unknown>): { obj: unknown; path: string }[] {
  const objs = props["objs"];
  if (!Array.isArray(objs)) return [];
  return objs.flatMap((o, i) => {
    const kind = get(o, "kind");
    return typeof kind === "string" && (WORKLOAD_KINDS.includes(kind) || kind === "Plan")
      ? [{ obj: o, path: `objs[${i}]` }]
      : [];
  });
}

function isWorkloadType(type: string): boolean {
  const kind = type.split(":").pop() ?? "";
  return type.startsWith("kubernetes:") && WORKLOAD_KINDS.includes(kind) && !type.includes("helm.sh");
}

export const k8sTol001PrivilegedTolerations = stackRule(
  {
    name: "k8s-tol-001-privileged-tolerations",
    description:
      "Privileged workloads (Helm releases and workloads in namespaces that are exempt, privileged or baseline, or that set privileged, host namespaces or hostPath; system-upgrade-controller Plans) carry no toleration that matches every taint (operator Exists with no key), at any depth of their values, so they cannot spread onto servers, ingress and GPU nodes. Only the Cinder CSI node plugin, which must mount volumes on every node, may.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Tolerate the taints the workload needs by key (e.g. {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}); never {operator: Exists} without a key. For a workload that truly must run everywhere, use a restricted namespace or ask for a reviewed built-in allowance.",
    tags: ["kubernetes", "scheduling"],
    sources: [
      "k8s.io/api v0.33.13 `core/v1/types.go` `type Toleration` (an empty key with operator Exists matches every taint; an empty effect every effect)",
      "kubernetes/pod-security-admission `policy/check_privileged.go`, `check_hostNamespaces.go`, `check_hostPathVolumes.go` (what makes a pod privileged)",
      "rancher/rke2 v1.33.3+rke2r1 `pkg/rke2/psa.go` (kube-system exempt under the CIS profile)",
      "rancher/system-upgrade-controller v0.20.1 `pkg/upgrade/job/job.go` (upgrade jobs: privileged, host namespaces, host root mounted)",
      "kubernetes/cloud-provider-openstack openstack-cinder-csi-2.33.1 `charts/cinder-csi-plugin/values.yaml` lines 106-107 (the node plugin's default `[{operator: Exists}]`, the one allowance)",
    ],
    configSchema: schema("privilegedNamespaces"),
  },
  (args, report) => {
    const undecided = new Undecided();
    const levels = namespaceLevels(args.resources, undecided);
    // A namespace allowed to run privileged pods counts as privileged even before its object is seen.
    for (const ns of settings(args).privilegedNamespaces) if (!levels.has(ns)) levels.set(ns, "privileged");

    for (const r of ofType(args.resources, T.helmRelease)) {
      const read = tryRead(() => ({
        chart: chartName(r.props),
        namespace:
          typeof r.props["namespace"] === "string" && r.props["namespace"] !== ""
            ? (r.props["namespace"] as string)
            : "default",
        found: matchAllTolerations(r.props["values"], "values"),
        host: hostLevelSetting(r.props["values"], "values"),
      }));
      if (read === "unknown") {
        undecided.note(r, "values");
        continue;
      }
      const { chart, namespace, host } = read.value;
      const allowance = ALLOWED.filter((a) => a.chart === chart);
      const found = read.value.found.filter((t) => !allowance.some((a) => a.path.test(t.path)));
      const why = host !== undefined ? `${host} makes it privileged` : namespaceReason(namespace, levels);
      if (why !== undefined) report1(`chart ${chart || "?"}`, why, found, report, r.urn);
    }

    for (const r of args.resources) {
      if (r.type === SUC_PLAN) {
        const read = tryRead(() => matchAllTolerations(r.props["spec"], "spec"));
        if (read === "unknown") undecided.note(r, "spec");
        else
          report1(
            "upgrade Plan",
            "its jobs run privileged with the host's root mounted",
            read.value,
            report,
            r.urn,
          );
        continue;
      }
      const objects: { obj: unknown; path: string }[] | "unknown" = isWorkloadType(r.type)
        ? [{ obj: r.props, path: "" }]
        : r.type === CONFIG_GROUP
          ? (() => {
              const read = tryRead(() => groupWorkloads(r.props));
              return read === "unknown" ? "unknown" : read.value;
            })()
          : [];
      if (objects === "unknown") {
        undecided.note(r, "objs");
        continue;
      }
      for (const { obj, path } of objects) {
        const read = tryRead(() => {
          const kind = get(obj, "kind");
          const ns = get(obj, "metadata", "namespace");
          return {
            what: `${typeof kind === "string" ? kind : (r.type.split(":").pop() ?? "?")}${path === "" ? "" : ` ${path}`}`,
            isPlan: kind === "Plan",
            namespace: typeof ns === "string" && ns !== "" ? ns : "default",
            found: matchAllTolerations(get(obj, "spec"), path === "" ? "spec" : `${path}.spec`),
            host: hostLevelSetting(get(obj, "spec"), path === "" ? "spec" : `${path}.spec`),
          };
        });
        if (read === "unknown") {
          undecided.note(r, "spec");
          continue;
        }
        const v = read.value;
        const why = v.isPlan
          ? "its jobs run privileged with the host's root mounted"
          : v.host !== undefined
            ? `${v.host} makes it privileged`
            : namespaceReason(v.namespace, levels);
        if (why !== undefined) report1(v.what, why, v.found, report, r.urn);
      }
    }
    undecided.settle();
  },
);
