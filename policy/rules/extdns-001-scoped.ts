import { resourceRule } from "../lib/rule";
import { chartName, valuesOf } from "../lib/helm";
import { T } from "../lib/types";

export const extdns001Scoped = resourceRule(
  {
    name: "extdns-001-scoped",
    description:
      "external-dns is limited to the cluster's domains, owns its records by a per-cluster TXT owner and never deletes records it did not create.",
    priority: "P1",
    // High: without a domain filter and with policy sync it may delete any record of the account.
    severity: "high",
    remediationSteps:
      "Set domainFilters to the cluster's zone, txtOwnerId to the cluster name, and policy upsert-only.",
    tags: ["helm", "dns"],
    sources: [
      '`kubernetes-sigs/external-dns:charts/external-dns/values.yaml` (defaults `policy: upsert-only`, `txtOwnerId: ""`, `domainFilters: []`)',
    ],
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "external-dns") args.notApplicable("applies to the external-dns chart only");
    const v = valuesOf(props);
    const filters = v["domainFilters"];
    if (!Array.isArray(filters) || filters.length === 0) report("external-dns has no domainFilters");
    const owner = v["txtOwnerId"];
    if (typeof owner !== "string" || owner === "") report("external-dns has no txtOwnerId");
    if (v["policy"] === "sync") report("external-dns policy sync deletes records it did not create");
  },
);
