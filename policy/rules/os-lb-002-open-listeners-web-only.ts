import { resourceRule } from "../lib/rule";
import { isWorld } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const osLb002OpenListenersWebOnly = resourceRule(
  {
    name: "os-lb-002-open-listeners-web-only",
    description: "Load-balancer listeners open to every address only serve the public web ports (80/443).",
    priority: "P0",
    severity: "high",
    remediationSteps: "Set allowedCidrs on every listener that is not plain web ingress (80/443).",
    tags: ["network", "openstack", "loadbalancer"],
    sources: [
      'terraform-provider-openstack `docs/resources/lb_listener_v2.md` (`allowed_cidrs`: "If not present, defaults to allow all")',
      "`AVD-OPNSTK-0003` (`aquasecurity/trivy-checks:checks/cloud/openstack/networking/no_public_ingress.rego`)",
    ],
    configSchema: schema("publicIngressPorts"),
  },
  [T.listener],
  (props, args, report) => {
    const port = props["protocolPort"];
    const cidrs = Array.isArray(props["allowedCidrs"])
      ? (props["allowedCidrs"] as unknown[]).map(String)
      : [];
    const open = cidrs.length === 0 || cidrs.some(isWorld);
    const web = settings(args).publicIngressPorts;
    if (open && !(typeof port === "number" && web.includes(port))) {
      report(
        `listener on port ${String(port)} is open to every address; only ports ${web.join(", ")} may be`,
      );
    }
  },
);
