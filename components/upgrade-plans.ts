/**
 * Rolling RKE2 upgrades carried out in the cluster by Rancher's system-upgrade-controller (SUC), so that
 * a change of `rke2Version` never replaces a node: the controller (installed from its release manifests)
 * and two Plans, one for servers (one at a time, cordoned) and one for agents (drained, `concurrency`
 * from the spec, each waiting for the server plan). Changing the version changes the Plans' `version`;
 * SUC then runs the `rancher/rke2-upgrade` image on each node in turn.
 *
 * Facts, from system-upgrade-controller v0.20.1: the Plan API `upgrade.cattle.io/v1` and its fields
 * (pkg/apis/upgrade.cattle.io/v1/types.go: concurrency, nodeSelector, serviceAccountName, version,
 * tolerations, prepare, upgrade, cordon, drain{force, skipWaitForDeleteTimeout}); the release artifacts
 * `system-upgrade-controller.yaml` (namespace `system-upgrade`, service account `system-upgrade`) and
 * `crd.yaml` (scripts/package-controller); the version's `+` becomes `-` for the image tag
 * (pkg/upgrade/plan/plan.go `MungeVersion`). The plan shapes follow RKE2's "Automated Upgrades"
 * documentation (server plan: concurrency 1, cordon, control-plane nodes, tolerating CriticalAddonsOnly;
 * agent plan: `prepare: [prepare, server-plan]`, drain) and SUC's examples/k3s-upgrade.yaml.
 *
 * A cluster imported into Rancher has its SUC and plans managed by Rancher unless version management is
 * off for it (RKE2 docs, same page): see docs/operations.md.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { typeToken } from "./conventions";

/** The system-upgrade-controller release whose manifests are applied. */
export const SUC_VERSION = "v0.20.1";
const SUC_RELEASE = `https://github.com/rancher/system-upgrade-controller/releases/download/${SUC_VERSION}`;
export const SUC_MANIFESTS = [`${SUC_RELEASE}/crd.yaml`, `${SUC_RELEASE}/system-upgrade-controller.yaml`];
export const SUC_NAMESPACE = "system-upgrade";
export const SERVER_PLAN = "rke2-server";
export const AGENT_PLAN = "rke2-agent";
const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
const UPGRADE_IMAGE = "rancher/rke2-upgrade";

export interface UpgradePlanInput {
  /** The RKE2 release every node should run, e.g. `v1.33.5+rke2r1`. */
  readonly version: string;
  /** Agents drained and upgraded at a time. */
  readonly agentConcurrency: number;
  /** RKE2 `system-default-registry`: the upgrade image is pulled from there too; empty: Docker Hub. */
  readonly systemDefaultRegistry: string;
  /**
   * Every taint the cluster's agents carry (worker and GPU pools, ingress nodes): the agent plan tolerates
   * exactly these, so its privileged jobs reach every agent and nothing else (policy k8s-tol-001).
   */
  readonly agentTaints: readonly AgentTaint[];
}

/** A node taint as the spec states it. */
export interface AgentTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One `Equal` toleration per distinct agent taint, sorted for stable manifests. */
function agentTolerations(taints: readonly AgentTaint[]): Record<string, string>[] {
  const seen = new Map<string, AgentTaint>();
  for (const t of taints) seen.set(`${t.key}=${t.value}:${t.effect}`, t);
  return [...seen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => ({ key: t.key, operator: "Equal", value: t.value, effect: t.effect }));
}

/** One SUC Plan as plain data (apiVersion, kind, metadata, spec). */
export interface PlanManifest {
  readonly apiVersion: "upgrade.cattle.io/v1";
  readonly kind: "Plan";
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Record<string, unknown>;
}

/** The server plan and the agent plan, in that order. Pure. */
export function renderUpgradePlans(p: UpgradePlanInput): [PlanManifest, PlanManifest] {
  if (!Number.isInteger(p.agentConcurrency) || p.agentConcurrency < 1) {
    throw new Error(`upgrade.agentConcurrency: not a positive whole number (got ${p.agentConcurrency})`);
  }
  const image =
    p.systemDefaultRegistry === "" ? UPGRADE_IMAGE : `${p.systemDefaultRegistry}/${UPGRADE_IMAGE}`;
  const common = { serviceAccountName: SUC_NAMESPACE, version: p.version, upgrade: { image } };
  const metadata = (name: string) => ({ name, namespace: SUC_NAMESPACE });
  return [
    {
      apiVersion: "upgrade.cattle.io/v1",
      kind: "Plan",
      metadata: metadata(SERVER_PLAN),
      spec: {
        ...common,
        // One server at a time keeps etcd quorum; cordoned, not drained (servers run only system pods).
        concurrency: 1,
        cordon: true,
        nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: "In", values: ["true"] }] },
        // Servers carry CriticalAddonsOnly=true:NoExecute (rke2/user-data.ts SERVER_TAINT).
        tolerations: [{ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoExecute" }],
      },
    },
    {
      apiVersion: "upgrade.cattle.io/v1",
      kind: "Plan",
      metadata: metadata(AGENT_PLAN),
      spec: {
        ...common,
        concurrency: p.agentConcurrency,
        nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: "DoesNotExist" }] },
        // Every agent is upgraded, GPU and ingress nodes included: the plan tolerates each taint the spec
        // gives them, by key and value, never every taint (its jobs are privileged and mount the host's
        // root). SUC adds node.kubernetes.io/unschedulable itself, for the node it drains (pkg/upgrade/job/
        // job.go v0.20.1, lines 234-238). A taint put on a node by hand holds that node's upgrade job
        // (Pending) until it is removed: see docs/operations.md.
        ...(p.agentTaints.length > 0 ? { tolerations: agentTolerations(p.agentTaints) } : {}),
        // Agents wait until every server runs the new version (version skew: kubelet ≤ apiserver).
        prepare: { image, args: ["prepare", SERVER_PLAN] },
        drain: { force: true, skipWaitForDeleteTimeout: 60 },
      },
    },
  ];
}

export interface UpgradePlansArgs extends UpgradePlanInput {
  /** Cluster name, for messages. */
  readonly cluster: string;
}

/** system-upgrade-controller and the RKE2 upgrade plans; pass the cluster's Kubernetes provider. */
export class UpgradePlans extends pulumi.ComponentResource {
  /** The version the plans roll out. */
  readonly version: string;

  constructor(name: string, args: UpgradePlansArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("rke2", "UpgradePlans"), name, {}, opts);
    const [server, agent] = renderUpgradePlans(args);
    const controller = new k8s.yaml.v2.ConfigGroup(
      `${name}-controller`,
      { files: [...SUC_MANIFESTS] },
      { parent: this },
    );
    const plan = (suffix: string, m: PlanManifest, dependsOn: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${suffix}`,
        { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec },
        { parent: this, dependsOn },
      );
    const serverPlan = plan("server", server, [controller]);
    plan("agent", agent, [controller, serverPlan]);
    this.version = args.version;
    this.registerOutputs({});
  }
}
