import { PORTS } from "../../components/conventions";
import { resourceRule } from "../lib/rule";
import { insideAny, isWorld, operatorRanges } from "../lib/net";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

const CONTROL_PORTS: readonly number[] = [PORTS.ssh, PORTS.kubeApi, PORTS.rke2Supervisor];

export const osLb001RestrictedControlListeners = resourceRule(
  {
    name: "os-lb-001-restricted-control-listeners",
    description:
      "Octavia listeners for SSH, the Kubernetes API (6443) and RKE2 registration (9345) admit only listed sources: the admin CIDRs and the cluster subnet (9345: the cluster subnet only).",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Set allowedCidrs on the listener: the admin CIDRs and the cluster subnet for 6443/22, the cluster subnet for 9345. Without allowedCidrs Octavia admits every address.",
    tags: ["network", "openstack", "loadbalancer"],
    sources: [
      'TF `docs/resources/lb_listener_v2.md` ("If not present, defaults to allow all"; `tls_versions`)',
      "`CKV_OPENSTACK_5` / `AVD-OPNSTK-0002` (restrict source/destination on firewall rules) as analogues",
    ],
    configSchema: schema("adminCidrs", "clusterCidrs"),
  },
  [T.listener],
  (props, args, report) => {
    const port = props["protocolPort"];
    if (typeof port !== "number" || !CONTROL_PORTS.includes(port)) return;
    const cidrs = Array.isArray(props["allowedCidrs"])
      ? (props["allowedCidrs"] as unknown[]).map(String)
      : [];
    if (cidrs.length === 0) {
      report(`listener on port ${port} has no allowedCidrs, so it admits every address`);
      return;
    }
    const s = settings(args);
    const allowed =
      port === PORTS.rke2Supervisor ? s.clusterCidrs : [...operatorRanges(s.adminCidrs), ...s.clusterCidrs];
    for (const c of cidrs) {
      if (isWorld(c)) report(`listener on port ${port} admits ${c}`);
      else if (allowed.length > 0 && !insideAny(c, allowed)) {
        const where =
          port === PORTS.rke2Supervisor ? "the cluster subnet" : "the admin CIDRs and the cluster subnet";
        report(`listener on port ${port} admits ${c}, outside ${where}`);
      }
    }
  },
);
