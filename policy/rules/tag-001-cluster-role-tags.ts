import { TAG_KEYS } from "../../components/conventions";
import { resourceRule } from "../lib/rule";
import { schema, settings } from "../lib/settings";
import { ROLES, tagMap } from "../lib/tags";
import { T } from "../lib/types";

const KEYS = [TAG_KEYS.cluster, TAG_KEYS.role, TAG_KEYS.environment];

export const tag001ClusterRoleTags = resourceRule(
  {
    name: "tag-001-cluster-role-tags",
    description:
      "Compute and network resources carry cluster=, role= and environment= tags (instances: tags or metadata) naming this cluster; role-aware rules depend on them.",
    priority: "P0",
    severity: "medium",
    remediationSteps: "Tag with resourceTags() / instanceMetadata() from components/conventions.ts.",
    tags: ["tagging", "openstack"],
    sources: [
      "no upstream standard – needed so role-aware rules are decidable",
      "audit rationale of `AVD-OPNSTK-0005`",
    ],
    configSchema: schema("clusterName", "environment"),
  },
  [T.instance, T.port, T.floatingIp, T.secGroup, T.loadBalancer, T.network, T.subnet, T.router],
  (props, args, report) => {
    const tags = tagMap(props["tags"]);
    const md = props["metadata"];
    const metadata =
      args.type === T.instance && md !== null && typeof md === "object"
        ? (md as Record<string, unknown>)
        : {};
    const value = (k: string): string | undefined => {
      const m = metadata[k];
      return tags.get(k) ?? (typeof m === "string" ? m : undefined);
    };
    const missing = KEYS.filter((k) => value(k) === undefined || value(k) === "");
    if (missing.length > 0) report(`missing ${missing.map((k) => `${k}=`).join(", ")}`);
    const role = value(TAG_KEYS.role);
    if (role !== undefined && role !== "" && !(ROLES as readonly string[]).includes(role)) {
      report(`role=${role} is not one of ${ROLES.join(", ")}`);
    }
    const s = settings(args);
    const cluster = value(TAG_KEYS.cluster);
    if (s.clusterName !== "" && cluster !== undefined && cluster !== s.clusterName) {
      report(`cluster=${cluster}, but this stack is cluster ${s.clusterName}`);
    }
    const env = value(TAG_KEYS.environment);
    if (s.environment !== "" && env !== undefined && env !== s.environment) {
      report(`environment=${env}, but this stack is in environment ${s.environment}`);
    }
  },
);
