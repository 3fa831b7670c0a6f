import { resourceRule } from "../lib/rule";
import { chartName, get } from "../lib/helm";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

const ENFORCE = "pod-security.kubernetes.io/enforce";

export const k8sPsa001PrivilegedNamespaces = resourceRule(
  {
    name: "k8s-psa-001-privileged-namespaces",
    description:
      "Only allow-listed namespaces (the GPU operator's, Rancher's cattle-system) enforce the privileged Pod Security level, and the GPU operator is installed only there.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Label other namespaces baseline or restricted; install gpu-operator into its own namespace listed in privilegedNamespaces.",
    tags: ["kubernetes", "gpu"],
    sources: [
      'NVIDIA security.rst (operands need `privileged: true`, `hostPID`, `hostIPC`; "prevent any other users from accessing the Operator namespace")',
      "RKE2 hardening guide (CIS profile enforces `restricted` PSA except exempted namespaces)",
    ],
    configSchema: schema("privilegedNamespaces"),
  },
  [T.namespace, T.helmRelease],
  (props, args, report) => {
    const allowed = settings(args).privilegedNamespaces;
    if (args.type === T.helmRelease) {
      if (chartName(props) !== "gpu-operator") args.notApplicable("applies to the gpu-operator chart only");
      const ns =
        typeof props["namespace"] === "string" && props["namespace"] !== ""
          ? (props["namespace"] as string)
          : "default";
      if (!allowed.includes(ns))
        report(`gpu-operator runs privileged pods in namespace ${ns}, which is not in privilegedNamespaces`);
      return;
    }
    const name = get(props, "metadata", "name");
    const ns = typeof name === "string" && name !== "" ? name : args.name;
    if (get(props, "metadata", "labels", ENFORCE) === "privileged" && !allowed.includes(ns)) {
      report(`namespace ${ns} enforces the privileged Pod Security level`);
    }
  },
);
