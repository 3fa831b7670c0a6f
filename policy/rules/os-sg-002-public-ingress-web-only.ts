import { PORTS } from "../../components/conventions";
import { resourceRule } from "../lib/rule";
import { describeRule, describeSource, fromAdmin, fromCluster, viewRule } from "../lib/secgroup";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const osSg002PublicIngressWebOnly = resourceRule(
  {
    name: "os-sg-002-public-ingress-web-only",
    description:
      "Ingress from outside the cluster is only allowed on the public web ports (TCP 80/443) and for ICMP; admin CIDRs may also reach SSH and the Kubernetes API.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Open only TCP 80/443 to the world (on the ingress or load-balancer security group); restrict everything else to the cluster subnet, a remoteGroupId or, for SSH/6443, the admin CIDRs.",
    tags: ["network", "openstack"],
    sources: [
      "`AVD-OPNSTK-0003`",
      "`pulumi/compliance-policies:vendor-aws/aws/ec2/SecurityGroup/disallowPublicInternetIngress.ts` (severity critical, frameworks pcidss/iso27001)",
      "OpenStack Security Guide, security groups (`security-guide/source/networking/services-security-best-practices.rst`)",
    ],
    configSchema: schema("clusterCidrs", "adminCidrs", "publicIngressPorts"),
  },
  [T.secGroupRule],
  (props, args, report) => {
    const rule = viewRule(props);
    const s = settings(args);
    if (!rule.ingress || fromCluster(rule, s.clusterCidrs)) return;
    if (rule.protocol === "icmp") return;
    const admin = fromAdmin(rule, s.adminCidrs);
    const allowed = admin ? [...s.publicIngressPorts, PORTS.ssh, PORTS.kubeApi] : s.publicIngressPorts;
    const ok =
      rule.protocol === "tcp" && !rule.allPorts && rule.from === rule.to && allowed.includes(rule.from);
    if (!ok && admin) {
      report(
        `ingress ${describeRule(rule)} from ${describeSource(rule)} (admin CIDRs) goes beyond tcp ${allowed.join(", ")}`,
      );
    } else if (!ok) {
      report(
        `ingress ${describeRule(rule)} from ${describeSource(rule)} is public; only tcp ${allowed.join(", ")} may be`,
      );
    }
  },
);
