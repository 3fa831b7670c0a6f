import { resourceRule } from "../lib/rule";

export const prov002OpenstackApplicationCredentials = resourceRule(
  {
    name: "prov-002-openstack-application-credentials",
    description:
      "The OpenStack provider authenticates with a scoped application credential (from Vault), not a user's password.",
    priority: "P1",
    severity: "medium",
    remediationSteps:
      "Pass applicationCredentialId/applicationCredentialSecret read from Vault instead of userName/password.",
    tags: ["providers", "openstack", "secrets"],
    sources: [
      "`CKV_OPENSTACK_1` (`checkov/terraform/checks/provider/openstack/credentials.py`: no hard-coded password, token or application credential secret)",
      "OpenStack Keystone application credentials documentation (scoped, revocable, no user password)",
    ],
  },
  ["pulumi:providers:openstack"],
  (props, _args, report) => {
    const pw = props["password"];
    if (typeof pw === "string" && pw !== "") report("openstack provider authenticates with a password");
  },
);
