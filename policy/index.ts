/**
 * The CrossGuard entry point: `pulumi preview --policy-pack policy` runs this file (cwd = policy/).
 * Constructing the PolicyPack starts the analyzer server and prints its port, so nothing else may import
 * this module; everything testable lives in `policies.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";
import { PACK_ENFORCEMENT, PACK_NAME } from "./pack";

new PolicyPack(PACK_NAME, {
  policies: [...policies],
  enforcementLevel: PACK_ENFORCEMENT,
  displayName: "xcluster security rules",
  description:
    "Security rules for RKE2 clusters on OpenStack: network exposure, node configuration, add-ons, DNS, Vault and tagging.",
  tags: ["openstack", "rke2", "kubernetes", "security"],
});
