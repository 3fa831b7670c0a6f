import { resourceRule } from "../lib/rule";
import {
  describeRule,
  describeSource,
  fromAdmin,
  fromCluster,
  sensitivePortsOf,
  viewRule,
} from "../lib/secgroup";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const osSg001SensitivePorts = resourceRule(
  {
    name: "os-sg-001-sensitive-ports",
    description:
      "Control-plane and node ports (SSH, Kubernetes API, RKE2 supervisor, etcd, kubelet, NodePorts, CNI) are never reachable from outside the cluster.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Limit the rule's remoteIpPrefix to the cluster subnet or use a remoteGroupId of the cluster's nodes; SSH and the Kubernetes API may also be opened to the admin CIDRs. Never omit the source: Neutron reads a rule without remoteIpPrefix and remoteGroupId as 'from anywhere'.",
    tags: ["network", "openstack"],
    sources: [
      "`CKV_OPENSTACK_2` (`checkov/terraform/checks/resource/openstack/SecurityGroupUnrestrictedIngress22.py`, `AbsSecurityGroupUnrestrictedIngress.py`)",
      "`AVD-OPNSTK-0003` (`aquasecurity/trivy-checks:checks/cloud/openstack/networking/no_public_ingress.rego`)",
      'RKE2 inbound port table + "The VXLAN port on nodes should not be exposed to the world" (`rancher/rke2-docs:docs/install/requirements.md`)',
      "CIS 4.2.4 kubelet read-only port (`docs/security/cis_self_assessment112.md`)",
    ],
    configSchema: schema("clusterCidrs", "adminCidrs"),
  },
  [T.secGroupRule],
  (props, args, report) => {
    const rule = viewRule(props);
    if (!rule.ingress || fromCluster(rule, settings(args).clusterCidrs)) return;
    const admin = fromAdmin(rule, settings(args).adminCidrs);
    const exposed = sensitivePortsOf(rule).filter((p) => !(p.admin && admin));
    const labels = [...new Set(exposed.map((p) => p.label))];
    if (labels.length > 0) {
      report(
        `ingress ${describeRule(rule)} from ${describeSource(rule)} exposes ${labels.join(", ")} outside the cluster`,
      );
    }
  },
);
