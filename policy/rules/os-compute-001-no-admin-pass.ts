import { resourceRule } from "../lib/rule";
import { T } from "../lib/types";

export const osCompute001NoAdminPass = resourceRule(
  {
    name: "os-compute-001-no-admin-pass",
    description:
      "Instances never get an admin password (adminPass): it lands in the stack state and opens password logins.",
    priority: "P0",
    severity: "high",
    remediationSteps: "Remove adminPass; log in with the cluster's SSH key pair.",
    tags: ["compute", "openstack"],
    sources: [
      "`CKV_OPENSTACK_4` (`checkov/terraform/checks/resource/openstack/ComputeInstanceAdminPassword.py`)",
      "`AVD-OPNSTK-0001` (`checks/cloud/openstack/compute/no_plaintext_password.rego`)",
    ],
  },
  [T.instance],
  (props, _args, report) => {
    const p = props["adminPass"];
    if (typeof p === "string" && p !== "") report("adminPass is set");
  },
);
