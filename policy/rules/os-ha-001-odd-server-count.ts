import { stackRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { ofType } from "../lib/stack";
import { clusterOf, roleOf } from "../lib/tags";
import { T } from "../lib/types";

export const osHa001OddServerCount = stackRule(
  {
    name: "os-ha-001-odd-server-count",
    description:
      "Each cluster runs an odd number of RKE2 servers (etcd quorum), at least 3 in production; an even number tolerates no more failures than one fewer.",
    priority: "P0",
    severity: "high",
    remediationSteps: "Set the control plane's server count to 3 or 5 (1 is acceptable outside production).",
    tags: ["compute", "openstack", "availability"],
    sources: [
      '`rancher/rke2-docs:docs/install/ha.md` ("An odd number (three recommended) of server nodes"; quorum explanation)',
      "Pulumi stack-count pattern `pulumi/examples:policy-packs/stackvalidation-ts/index.ts`",
    ],
    configSchema: schema("production"),
  },
  (args, report) => {
    const counts = new Map<string, number>();
    for (const i of ofType(args.resources, T.instance)) {
      if (roleOf(i.props) !== "server") continue;
      const c = clusterOf(i.props) ?? "(untagged)";
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    if (counts.size === 0) args.notApplicable("the stack has no RKE2 servers");
    const production = settings(args).production;
    for (const [cluster, n] of counts) {
      if (production && (n < 3 || n % 2 === 0)) {
        report(`cluster ${cluster} has ${n} RKE2 servers; production needs an odd number of at least 3`);
      } else if (!production && n % 2 === 0) {
        report(`cluster ${cluster} has ${n} RKE2 servers; use an odd number`);
      }
    }
  },
);
