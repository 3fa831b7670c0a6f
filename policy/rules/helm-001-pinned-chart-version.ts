import { resourceRule } from "../lib/rule";
import { EXACT_VERSION_RE } from "../lib/helm";
import { T } from "../lib/types";

export const helm001PinnedChartVersion = resourceRule(
  {
    name: "helm-001-pinned-chart-version",
    description:
      "Helm releases pin an exact chart version; without one Helm installs whatever is latest on every run.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Set version to an exact release (e.g. v1.17.2) in the add-on catalogue; no ranges, no devel.",
    tags: ["helm", "supply-chain"],
    sources: [
      '`pulumi/pulumi-kubernetes:sdk/nodejs/helm/v3/release.ts` ("If this is not specified, the latest version is installed")',
      "`CKV_TF_1/2`",
      "`CKV_K8S_14`",
    ],
  },
  [T.helmRelease],
  (props, _args, report) => {
    const chart = String(props["chart"] ?? "");
    const version = props["version"];
    if (typeof version !== "string" || version === "") report(`chart ${chart} has no version`);
    else if (!EXACT_VERSION_RE.test(version))
      report(`chart ${chart} version ${version} is not an exact version`);
    if (props["devel"] === true) report("devel: true admits pre-release charts");
  },
);
