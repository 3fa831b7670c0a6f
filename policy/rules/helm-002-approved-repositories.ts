import { resourceRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

function norm(url: string): string {
  return url.trim().replace(/\/+$/, "").toLowerCase();
}

export const helm002ApprovedRepositories = resourceRule(
  {
    name: "helm-002-approved-repositories",
    description: "Helm charts come only from approved https or oci repositories.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Install the chart from a repository in the environment's approved.chartRepositories list (or have the platform team add the vendor's official repository there after review).",
    tags: ["helm", "supply-chain"],
    sources: [
      'supply-chain rationale of `CKV_AWS_386` and OpenStack Security Guide "chain of trust … from the source of the image to the destination"',
    ],
    configSchema: schema("approvedChartRepositories"),
  },
  [T.helmRelease],
  (props, args, report) => {
    const chart = String(props["chart"] ?? "");
    const opts = props["repositoryOpts"];
    const repo =
      opts !== null && typeof opts === "object" ? (opts as Record<string, unknown>)["repo"] : undefined;
    const source =
      typeof repo === "string" && repo !== "" ? repo : /^[a-z]+:\/\//i.test(chart) ? chart : undefined;
    if (source === undefined) {
      report(`chart ${chart} names no repository`);
      return;
    }
    if (!/^(https|oci):\/\//i.test(source)) {
      report(`repository ${source} is neither https nor oci`);
      return;
    }
    const approved = settings(args).approvedChartRepositories.map(norm);
    const s = norm(source);
    if (!approved.some((a) => s === a || s.startsWith(`${a}/`)))
      report(
        `repository ${source} is not in the environment's approved.chartRepositories list (${approved.join(", ")})`,
      );
  },
);
