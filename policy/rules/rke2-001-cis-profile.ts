import { resourceRule } from "../lib/rule";
import { isFalse } from "../lib/cloudinit";
import { nodeConfig } from "../lib/rke2";
import { schema, settings } from "../lib/settings";
import { T } from "../lib/types";

export const rke2001CisProfile = resourceRule(
  {
    name: "rke2-001-cis-profile",
    description:
      "Production RKE2 nodes run with the CIS profile (restricted Pod Security, hardened kernel parameters, etcd user) and keep protect-kernel-defaults.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Set profile: cis in every node's RKE2 config (spec rke2.cisProfile) and do not set protect-kernel-defaults: false.",
    tags: ["rke2", "cis"],
    sources: [
      "`rancher/rke2-docs:docs/security/hardening_guide.md`",
      "rancher/rke2-docs `docs/reference/linux_agent_config.md` (`profile` valid on agents)",
      "Rancher RKE2 hardening guide",
    ],
    configSchema: schema("production"),
  },
  [T.instance],
  (props, args, report) => {
    if (!settings(args).production) args.notApplicable("applies to production clusters only");
    const config = nodeConfig(props, args);
    const profile = config["profile"];
    if (typeof profile !== "string" || !/^cis(-[0-9.]+)?$/.test(profile)) {
      report(`RKE2 profile is ${profile === undefined ? "unset" : String(profile)}, not cis`);
    }
    if (isFalse(config["protect-kernel-defaults"]))
      report("protect-kernel-defaults: false undoes the CIS kernel hardening");
  },
);
