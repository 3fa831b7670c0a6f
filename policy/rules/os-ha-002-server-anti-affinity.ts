import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { ofType, referenced } from "../lib/stack";
import { clusterOf, roleOf } from "../lib/tags";
import { T } from "../lib/types";
import { propertyOf, tryRead, Undecided } from "../lib/unknown";

/**
 * The server groups an instance's scheduler hints name: the referenced server-group resources when the
 * hint comes from one (its ID is unknown until the group exists, the dependency is not), else the IDs
 * written. `unknown` when a hint is set but nothing says which group it names.
 */
function groupsOf(i: PolicyResource): string[] | "unknown" {
  const refs = referenced(i, "schedulerHints", T.serverGroup).map((g) => g.urn);
  if (refs.length > 0) return refs;
  const hints = propertyOf(i, "schedulerHints");
  if (hints.state === "unknown") return "unknown";
  if (hints.state === "absent" || !Array.isArray(hints.value)) return [];
  const groups: string[] = [];
  for (const h of hints.value as Record<string, unknown>[]) {
    const g = tryRead(() => h["group"]);
    if (g === "unknown") return "unknown";
    if (typeof g.value === "string" && g.value !== "") groups.push(g.value);
  }
  return groups;
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
    sources: [
      "OpenStack Security Guide (`ServerGroupAntiAffinity` filter)",
      "TF `docs/resources/compute_servergroup_v2.md` (policies)",
      "RKE2 HA doc",
    ],
    configSchema: schema("production", "allowSoftAntiAffinity"),
  },
  (args, report) => {
    const s = settings(args);
    if (!s.production) args.notApplicable("applies to production clusters only");
    const accepted = s.allowSoftAntiAffinity ? ["anti-affinity", "soft-anti-affinity"] : ["anti-affinity"];
    const groupsPerSet = new Map<string, Set<string>>();
    const undecided = new Undecided();
    for (const i of ofType(args.resources, T.instance)) {
      const role = roleOf(i.props);
      if (role !== "server" && role !== "ingress") continue;
      const groups = groupsOf(i);
      if (groups === "unknown") {
        undecided.note(i, "schedulerHints");
        continue;
      }
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
    undecided.settle();
  },
);
