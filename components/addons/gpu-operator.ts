/**
 * NVIDIA GPU Operator: drivers (unless the GPU image has them), container toolkit and device plugin on the
 * GPU nodes. Selected only on clusters that have GPU pools (the derived `xcluster.dev/gpu` label) and list
 * the add-on. Configured exactly as RKE2 documents it for the pinned release: the toolkit is told where
 * RKE2's containerd socket is, nothing else (rancher/rke2-docs docs/add-ons/gpu_operators.md, tab
 * v25.10.x). In particular no CONTAINERD_CONFIG: pointed at RKE2's `config.toml.tmpl`, the toolkit writes a
 * near-empty template over RKE2's own settings. GPUs reach pods through CDI (chart default `cdi.enabled:
 * true`, deployments/gpu-operator/values.yaml v25.10.1 line 15), which needs containerd 2.0: RKE2
 * v1.33.3+rke2r1 ships 2.0.5 (rancher/rke2 Dockerfile line 120).
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";
import { GPU_CLUSTER_LABEL, gpuTolerations, type Toleration } from "./cluster-facts";

/** RKE2's containerd socket (RKE2 sets CONTAINER_RUNTIME_ENDPOINT to it: rancher/rke2 Dockerfile line 165). */
export const RKE2_CONTAINERD_SOCKET = "/run/k3s/containerd/containerd.sock";

/** A toleration as the chart's defaults write them (`operator: Exists` has no value). */
type ChartToleration = { key: string; operator: "Exists" | "Equal"; value?: string; effect: string };

/** `daemonsets.tolerations` default (deployments/gpu-operator/values.yaml v25.10.1, lines 37-40). */
const CHART_DAEMONSET_TOLERATIONS: readonly ChartToleration[] = [
  { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
];

/** `node-feature-discovery.worker.tolerations` default (values.yaml v25.10.1, lines 535-546). */
const CHART_NFD_WORKER_TOLERATIONS: readonly ChartToleration[] = [
  { key: "node-role.kubernetes.io/master", operator: "Equal", value: "", effect: "NoSchedule" },
  { key: "node-role.kubernetes.io/control-plane", operator: "Equal", value: "", effect: "NoSchedule" },
  { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
];

/**
 * Helm replaces a list value as a whole, so the chart's default tolerations are kept and the GPU pools'
 * taints added where the defaults do not already tolerate them.
 */
function withPoolTaints(
  defaults: readonly ChartToleration[],
  pools: readonly Toleration[],
): ChartToleration[] {
  const covered = (t: Toleration) =>
    defaults.some(
      (d) => d.key === t.key && d.effect === t.effect && (d.operator === "Exists" || d.value === t.value),
    );
  return [...defaults.map((d) => ({ ...d })), ...pools.filter((t) => !covered(t)).map((t) => ({ ...t }))];
}

/**
 * The oldest gpu-operator release without the published Container Toolkit CVEs: 24.9.2 fixed
 * CVE-2025-23359 (policy GPU-001's minimum); 25.3.1 fixed CVE-2025-23266 (toolkit 1.17.8).
 */
export const MIN_GPU_OPERATOR_VERSION = "v25.3.1";

export const gpuOperator: AddonDefinition = {
  name: "gpu-operator",
  chart: "gpu-operator",
  // 25.10.1 ships NVIDIA Container Toolkit v1.18.1 (NVIDIA GPU Operator release notes).
  version: "v25.10.1",
  repository: "https://helm.ngc.nvidia.com/nvidia",
  namespace: "gpu-operator",
  podSecurity: {
    level: "privileged",
    reason:
      "the driver, container-toolkit, device-plugin and validator daemonsets are privileged and mount host " +
      "paths (they load kernel modules and reconfigure containerd); only this namespace gets that",
  },
  selector: {
    matchLabels: { [addonLabel("gpu-operator")]: ADDON_ENABLED },
    matchExpressions: [{ key: GPU_CLUSTER_LABEL, operator: "In", values: ["true"] }],
  },
  dependsOn: [],
  values: (spec: ClusterSpec) => {
    const pools = gpuTolerations(spec);
    return {
      // values.yaml v25.10.1 line 227 (toolkit.env).
      toolkit: { env: [{ name: "CONTAINERD_SOCKET", value: RKE2_CONTAINERD_SOCKET }] },
      // values.yaml line 130: the operator's driver container, or the driver the GPU image carries.
      driver: { enabled: spec.addons.gpuDrivers === "operator" },
      daemonsets: { tolerations: withPoolTaints(CHART_DAEMONSET_TOLERATIONS, pools) },
      "node-feature-discovery": {
        worker: { tolerations: withPoolTaints(CHART_NFD_WORKER_TOLERATIONS, pools) },
      },
    };
  },
  secrets: () => [],
};
