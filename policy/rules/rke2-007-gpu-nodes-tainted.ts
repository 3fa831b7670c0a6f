import { resourceRule } from "../lib/rule";
import { listFlag, rke2ConfigOf } from "../lib/cloudinit";
import { schema, settings } from "../lib/settings";
import { globMatch, roleOf } from "../lib/tags";
import { T } from "../lib/types";

export const rke2007GpuNodesTainted = resourceRule(
  {
    name: "rke2-007-gpu-nodes-tainted",
    description:
      "GPU nodes carry role=gpu and the GPU taint (NoSchedule or NoExecute), so only workloads that tolerate it (and ask for GPUs) land there.",
    priority: "P0",
    severity: "medium",
    remediationSteps:
      "Tag GPU-flavor instances role=gpu and add node-taint nvidia.com/gpu=present:NoSchedule (spec pool taints) to their RKE2 config.",
    tags: ["rke2", "gpu"],
    sources: [
      'Kubernetes "Nodes with Special Hardware" (`kubernetes/website:content/en/docs/concepts/scheduling-eviction/taint-and-toleration.md`)',
      "`NVIDIA/gpu-operator:deployments/gpu-operator/values.yaml` (`daemonsets.tolerations: key nvidia.com/gpu, operator Exists, effect NoSchedule`; NFD worker tolerates the same)",
      "RKE2 `node-taint` (`linux_agent_config.md`)",
    ],
    configSchema: schema("gpuFlavorPatterns", "gpuTaintKey"),
  },
  [T.instance],
  (props, args, report) => {
    const s = settings(args);
    const role = roleOf(props);
    const flavor = typeof props["flavorName"] === "string" ? (props["flavorName"] as string) : "";
    const gpuFlavor = flavor !== "" && s.gpuFlavorPatterns.some((p) => globMatch(p, flavor));
    if (role !== "gpu" && !gpuFlavor) args.notApplicable("applies to GPU nodes only");
    if (role !== "gpu") report(`GPU flavor ${flavor} on an instance with role=${role ?? "none"}`);
    const lookup = rke2ConfigOf(props);
    if (!("config" in lookup)) return;
    const tainted = listFlag(lookup.config, "node-taint").some((t) => {
      const m = /^([^=:]+)(=[^:]*)?:(NoSchedule|NoExecute)$/.exec(t.trim());
      return m !== null && m[1] === s.gpuTaintKey;
    });
    if (!tainted) report(`GPU node has no ${s.gpuTaintKey} taint with effect NoSchedule or NoExecute`);
  },
);
