import { stackRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { ofType, referenced } from "../lib/stack";
import { clusterOf, roleOf } from "../lib/tags";
import { T } from "../lib/types";

function groupsOf(props: Record<string, unknown>): string[] {
  const hints = props["schedulerHints"];
  if (!Array.isArray(hints)) return [];
  return hints
    .map((h) => (h as Record<string, unknown>)["group"])
    .filter((g): g is string => typeof g === "string" && g !== "");
}

function policiesOf(props: Record<string, unknown>): string[] {
  const p = props["policies"];
  return Array.isArray(p) ? p.map(String) : typeof p === "string" ? [p] : [];
}

export const osHa002ServerAntiAffinity = stackRule(
  {
    name: "os-ha-002-server-anti-affinity",
    description:
      "In production, a cluster's RKE2 servers (and its keepalived ingress nodes) share one hard anti-affinity server group, so one hypervisor failure cannot take quorum (or the VIP) down.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Create a server group with policies ['anti-affinity'] per cluster and role, and pass it to every server (and ingress node) in schedulerHints[].group.",
    tags: ["compute", "openstack", "availability"],
    configSchema: schema("production", "allowSoftAntiAffinity"),
  },
  (args, report) => {
    const s = settings(args);
    if (!s.production) args.notApplicable("applies to production clusters only");
    const accepted = s.allowSoftAntiAffinity ? ["anti-affinity", "soft-anti-affinity"] : ["anti-affinity"];
    const groupsPerSet = new Map<string, Set<string>>();
    for (const i of ofType(args.resources, T.instance)) {
      const role = roleOf(i.props);
      if (role !== "server" && role !== "ingress") continue;
      const groups = groupsOf(i.props);
      if (groups.length === 0) {
        report(`${role} instance has no server-group scheduler hint`, i.urn);
        continue;
      }
      const key = `${clusterOf(i.props) ?? "(untagged)"}/${role}`;
      const set = groupsPerSet.get(key) ?? new Set<string>();
      groups.forEach((g) => set.add(g));
      groupsPerSet.set(key, set);
      for (const g of referenced(i, "schedulerHints", T.serverGroup)) {
        const policies = policiesOf(g.props);
        if (!policies.some((p) => accepted.includes(p))) {
          report(
            `${role} instance is in server group ${g.name} with policies [${policies.join(", ")}]`,
            i.urn,
          );
        }
      }
    }
    for (const [key, set] of groupsPerSet) {
      if (set.size > 1)
        report(`${key.replace("/", " ")} instances are spread over ${set.size} server groups`);
    }
  },
);
