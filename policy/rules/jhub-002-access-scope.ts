import { resourceRule } from "../lib/rule";
import { chartName, get, valuesOf } from "../lib/helm";
import { T } from "../lib/types";

const ALLOW_KEYS = ["allowed_users", "allowed_groups", "allowed_organizations", "allowed_teams"];

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : typeof v === "string" && v !== "";
}

export const jhub002AccessScope = resourceRule(
  {
    name: "jhub-002-access-scope",
    description:
      "JupyterHub admits only listed users, groups or organisations, never everyone the identity provider knows (allow_all).",
    priority: "P1",
    severity: "high",
    remediationSteps:
      "Set allowed_groups (or allowed_users / allowed_organizations) on the authenticator (spec jupyterhubAuth.allowedGroups) and never allow_all: true.",
    tags: ["helm", "jupyterhub", "auth"],
    sources: [
      'JupyterHub docs "Authentication and User Basics" (`allow_all` semantics, 5.0 change)',
      "GHSA-gprj-3p75-f996 (`allow_all` took precedence over IdP restriction)",
      "z2jh `docs/source/administrator/security.md` (HTTPS)",
    ],
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "jupyterhub") args.notApplicable("applies to the jupyterhub chart only");
    const config = get(valuesOf(props), "hub", "config");
    const sections =
      config !== null && typeof config === "object" ? Object.entries(config as Record<string, unknown>) : [];
    const auth = sections.filter(([k]) => k.endsWith("Authenticator"));
    if (auth.some(([, v]) => get(v, "allow_all") === true))
      report("allow_all: true admits every user of the identity provider");
    const restricted = auth.some(([, v]) => ALLOW_KEYS.some((k) => nonEmpty(get(v, k))));
    if (!restricted) report("no authenticator lists allowed_users, allowed_groups or allowed_organizations");
  },
);
