/**
 * NVIDIA GPU Operator: drivers, container toolkit and device plugin on the GPU nodes. Selected only on
 * clusters that have GPU pools (the derived `xcluster.dev/gpu` label) and list the add-on. RKE2 runs its
 * own containerd with its own paths, so the toolkit is pointed at them; the operator's daemonsets tolerate
 * the GPU pools' taints.
 */
import type { ClusterSpec } from "../../spec/types";
import { addonLabel, ADDON_ENABLED } from "../../spec/addons";
import type { AddonDefinition } from "./addon";
import { GPU_CLUSTER_LABEL, gpuTolerations } from "./cluster-facts";

/**
 * RKE2's containerd: configuration template (RKE2 regenerates config.toml from it) and socket. The
 * runtime class is what GPU pods (e.g. JupyterHub's GPU profile) ask for.
 */
export const RKE2_CONTAINERD = {
  config: "/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl",
  socket: "/run/k3s/containerd/containerd.sock",
  runtimeClass: "nvidia",
} as const;

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
    const tolerations = gpuTolerations(spec);
    return {
      operator: { defaultRuntime: "containerd" },
      toolkit: {
        env: [
          { name: "CONTAINERD_CONFIG", value: RKE2_CONTAINERD.config },
          { name: "CONTAINERD_SOCKET", value: RKE2_CONTAINERD.socket },
          { name: "CONTAINERD_RUNTIME_CLASS", value: RKE2_CONTAINERD.runtimeClass },
          // Only pods that ask for the nvidia runtime class get it; CPU pods keep runc.
          { name: "CONTAINERD_SET_AS_DEFAULT", value: "false" },
        ],
      },
      daemonsets: { tolerations },
      "node-feature-discovery": { worker: { tolerations } },
    };
  },
  secrets: () => [],
};
