import { resourceRule } from "../lib/rule";
import { nodeConfig } from "../lib/rke2";
import { T } from "../lib/types";

export const rke2005KubeconfigMode = resourceRule(
  {
    name: "rke2-005-kubeconfig-mode",
    description:
      "The admin kubeconfig RKE2 writes on servers is readable by its owner only (mode 0600 or stricter, CIS 1.1.13).",
    priority: "P0",
    severity: "high",
    remediationSteps: 'Set write-kubeconfig-mode: "0600" or leave it unset.',
    tags: ["rke2", "cis"],
    sources: [
      'CIS 1.1.13 "admin.conf file permissions are set to 600 or more restrictive" (rancher/rke2-docs `docs/security/cis_self_assessment112.md`)',
      "rancher/rke2-docs `docs/reference/server_config.md`",
    ],
  },
  [T.instance],
  (props, args, report) => {
    const mode = nodeConfig(props, args, ["server"])["write-kubeconfig-mode"];
    if (mode === undefined) return;
    const text = String(mode);
    if (!/^0?[0-7]{3}$/.test(text)) report(`write-kubeconfig-mode ${text} is not an octal file mode`);
    else if ((parseInt(text, 8) & 0o077) !== 0)
      report(`write-kubeconfig-mode ${text} lets other users read the admin kubeconfig`);
  },
);
