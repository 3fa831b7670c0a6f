import { resourceRule } from "../lib/rule";
import { chartName, compareVersions, get, valuesOf } from "../lib/helm";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const gpu001OperatorVersion = resourceRule(
  {
    name: "gpu-001-operator-version",
    description:
      "The NVIDIA gpu-operator (and an overridden container toolkit) is at or above the release that fixes the container-toolkit escapes (CVE-2024-0132 … CVE-2025-23359).",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Raise the gpu-operator chart version (and toolkit.version, if overridden) to the configured minimum or later.",
    tags: ["helm", "gpu", "supply-chain"],
    sources: [
      "`NVIDIA/cloud-native-docs:gpu-operator/security.rst` (CVE-2024-0132/0133 fixed in 24.6.2 / toolkit 1.16.2; CVE-2024-0134 in 24.9.0 / 1.17.0; CVE-2024-0135/0136/0137 in 24.9.1 / 1.17.3; CVE-2025-23359 in 24.9.2 / 1.17.4)",
    ],
    configSchema: schema("minGpuOperatorVersion", "minContainerToolkitVersion"),
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "gpu-operator") args.notApplicable("applies to the gpu-operator chart only");
    const s = settings(args);
    const version = typeof props["version"] === "string" ? (props["version"] as string) : "";
    const cmp = compareVersions(version, s.minGpuOperatorVersion);
    if (cmp === undefined)
      report(`gpu-operator version ${version || "unset"} cannot be compared with ${s.minGpuOperatorVersion}`);
    else if (cmp < 0) report(`gpu-operator ${version} is older than ${s.minGpuOperatorVersion}`);
    const toolkit = get(valuesOf(props), "toolkit", "version");
    if (typeof toolkit === "string" && toolkit !== "") {
      const t = compareVersions(toolkit, s.minContainerToolkitVersion);
      if (t === undefined || t < 0)
        report(`toolkit.version ${toolkit} is older than ${s.minContainerToolkitVersion}`);
    }
  },
);
