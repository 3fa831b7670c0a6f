import { resourceRule } from "../lib/rule";
import { chartName, get, valuesOf } from "../lib/helm";
import { T } from "../lib/types";

export const metadata001BlockCloudMetadata = resourceRule(
  {
    name: "metadata-001-block-cloud-metadata",
    description:
      "Notebook pods cannot reach the cloud metadata service (169.254.169.254), which serves the node's user data and metadata.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Keep singleuser.cloudMetadata.blockWithIptables true (the chart default), or keep the singleuser network policy on without cloudMetadataServer egress.",
    tags: ["helm", "jupyterhub", "network"],
    sources: [
      'Kubernetes "Restricting cloud metadata API access" (`securing-a-cluster.md`)',
      'z2jh `security.md` "Audit Cloud Metadata server access" + `values.yaml` defaults (`blockWithIptables: true`, singleuser `cloudMetadataServer: false`)',
      "kubernetes/kubernetes#8990",
    ],
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "jupyterhub") args.notApplicable("applies to the jupyterhub chart only");
    const single = get(valuesOf(props), "singleuser");
    if (get(single, "cloudMetadata", "blockWithIptables") !== false) return;
    if (get(single, "networkPolicy", "enabled") === false) {
      report(
        "user pods can reach the metadata service: blockWithIptables is false and the network policy is off",
      );
    } else if (get(single, "networkPolicy", "egressAllowRules", "cloudMetadataServer") === true) {
      report(
        "user pods can reach the metadata service: blockWithIptables is false and egress to it is allowed",
      );
    }
  },
);
