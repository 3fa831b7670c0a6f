import { resourceRule } from "../lib/rule";
import { chartName, get, valuesOf } from "../lib/helm";
import { T } from "../lib/types";

const INSECURE = [
  "dummy",
  "null",
  "nullauthenticator",
  "shared-password",
  "jupyterhub.auth.DummyAuthenticator",
  "jupyterhub.auth.NullAuthenticator",
  "jupyterhub.authenticators.shared.SharedPasswordAuthenticator",
];

export const jhub001Authenticator = resourceRule(
  {
    name: "jhub-001-authenticator",
    description:
      "JupyterHub names a real authenticator: the chart's default (dummy) lets anyone log in with any password, and null/shared-password are no better.",
    priority: "P0",
    severity: "critical",
    remediationSteps:
      "Set hub.config.JupyterHub.authenticator_class to the spec's authenticator (github, gitlab, generic-oauth, azuread, ldap).",
    tags: ["helm", "jupyterhub", "auth"],
    sources: [
      '`jupyterhub/zero-to-jupyterhub-k8s@48ea50e3:jupyterhub/values.yaml` (`authenticator_class: dummy`), `docs/source/administrator/authentication.md` ("allows anyone to login with any username and password … only for initial testing")',
      'JupyterHub docs "Authenticators" (DummyAuthenticator "is *wildly* insecure")',
    ],
  },
  [T.helmRelease],
  (props, args, report) => {
    if (chartName(props) !== "jupyterhub") args.notApplicable("applies to the jupyterhub chart only");
    const cls = get(valuesOf(props), "hub", "config", "JupyterHub", "authenticator_class");
    if (typeof cls !== "string" || cls === "")
      report("hub.config.JupyterHub.authenticator_class is unset (the chart defaults to dummy)");
    else if (INSECURE.map((x) => x.toLowerCase()).includes(cls.toLowerCase()))
      report(`authenticator_class ${cls} lets anyone log in`);
  },
);
