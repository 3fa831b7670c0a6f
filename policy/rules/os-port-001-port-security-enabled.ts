import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

export const osPort001PortSecurityEnabled = resourceRule(
  {
    name: "os-port-001-port-security-enabled",
    description:
      "Port security is never disabled on ports or networks: it carries the security groups and the anti-spoofing filters.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Remove portSecurityEnabled: false and noSecurityGroups: true; for a VIP that moves between nodes use allowedAddressPairs instead.",
    tags: ["network", "openstack"],
    sources: [
      'TF doc "Setting this explicitly to false will disable port security. In order to disable port security, the port must not have any security groups." (`docs/resources/networking_port_v2.md`)',
      'OpenStack Security Guide "Mitigate ARP spoofing" (`networking/services-security-best-practices.rst`) – port security carries SGs + anti-spoofing',
    ],
  },
  [T.port, T.network],
  (props, args, report) => {
    if (props["portSecurityEnabled"] === false) {
      report(
        args.type === T.network
          ? "port security is disabled for every port of the network (portSecurityEnabled: false)"
          : "port security is disabled (portSecurityEnabled: false)",
      );
    }
    if (args.type === T.port && props["noSecurityGroups"] === true) {
      report("noSecurityGroups: true leaves the port without security groups");
    }
  },
);
