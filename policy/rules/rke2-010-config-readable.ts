import { RKE2_CONFIG_PATH } from "../../components/conventions";
import { resourceRule } from "../lib/rule";
import { rke2ConfigOf } from "../lib/cloudinit";
import { RKE2_NODE_ROLES, roleOf } from "../lib/tags";
import { T } from "../lib/types";

export const rke2010ConfigReadable = resourceRule(
  {
    name: "rke2-010-config-readable",
    description: `Every RKE2 node's user data is #cloud-config writing its RKE2 config to ${RKE2_CONFIG_PATH}, so the node rules can check it (they fail closed).`,
    priority: "P0",
    severity: "high",
    remediationSteps: `Render user data as #cloud-config with a write_files entry for ${RKE2_CONFIG_PATH} (plain, b64 or gzip+b64) holding a YAML mapping.`,
    tags: ["rke2"],
    sources: [
      "rancher/rke2-docs `docs/install/configuration.md` (`/etc/rancher/rke2/config.yaml`)",
      "cloud-init `write_files` module documentation (encodings `b64`, `gz+b64`)",
    ],
  },
  [T.instance],
  (props, args, report) => {
    const role = roleOf(props);
    if (role === undefined || !RKE2_NODE_ROLES.includes(role))
      args.notApplicable("applies to RKE2 nodes only");
    const lookup = rke2ConfigOf(props);
    if (!("config" in lookup)) report(`no readable RKE2 config: ${lookup.missing}`);
  },
);
