import { parse } from "yaml";
import { resourceRule } from "../lib/rule";
import { EXACT_VERSION_RE } from "../lib/helm";
import { T } from "../lib/types";

function profileOf(yamlText: unknown): string | undefined {
  if (typeof yamlText !== "string" || yamlText === "") return undefined;
  try {
    const doc: unknown = parse(yamlText);
    const p =
      doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)["profile"] : undefined;
    return typeof p === "string" ? p : undefined;
  } catch {
    return undefined;
  }
}

export const rancher001HardenedCluster = resourceRule(
  {
    name: "rancher-001-hardened-cluster",
    description:
      "Rancher-provisioned RKE2 clusters (ClusterV2 with rkeConfig) use the restricted Pod Security template, the CIS profile, etcd snapshots, secure registries and an exact Kubernetes version.",
    priority: "P0",
    severity: "high",
    remediationSteps:
      "Set defaultPodSecurityAdmissionConfigurationTemplateName: rancher-restricted, machineGlobalConfig 'profile: cis', keep etcd snapshots, drop insecure registries and pin kubernetesVersion (e.g. v1.33.3+rke2r1).",
    tags: ["rancher", "rke2", "cis"],
    sources: [
      'Rancher RKE2 hardening guide, "Reference Hardened RKE2 Template Configuration" (`rancher/rancher-docs:docs/reference-guides/rancher-security/hardening-guides/rke2-hardening-guide/rke2-hardening-guide.md`)',
      "`rancher/terraform-provider-rancher2@c37fdac6:docs/resources/cluster_v2.md` (`etcd.disable_snapshots`, `snapshot_retention`, `s3_config.skip_ssl_verify`, `registries.configs.insecure`, `default_pod_security_admission_configuration_template_name`)",
    ],
  },
  [T.rancherClusterV2],
  (props, args, report) => {
    const rke = props["rkeConfig"];
    if (rke === null || typeof rke !== "object")
      args.notApplicable("the cluster is not provisioned by Rancher (no rkeConfig)");
    const r = rke as Record<string, unknown>;
    const psa = props["defaultPodSecurityAdmissionConfigurationTemplateName"];
    if (psa !== "rancher-restricted")
      report(`Pod Security template is ${typeof psa === "string" ? psa : "unset"}, not rancher-restricted`);
    const profile = profileOf(r["machineGlobalConfig"]);
    if (profile === undefined || !profile.startsWith("cis"))
      report("machineGlobalConfig does not set profile: cis");
    const etcd = r["etcd"] as Record<string, unknown> | undefined;
    if (etcd?.["disableSnapshots"] === true)
      report("rkeConfig.etcd.disableSnapshots turns etcd snapshots off");
    const regs = (r["registries"] as Record<string, unknown> | undefined)?.["configs"];
    if (Array.isArray(regs)) {
      for (const c of regs as Record<string, unknown>[]) {
        if (c["insecure"] === true) report(`registry ${String(c["hostname"])} is configured insecure`);
      }
    }
    const version = props["kubernetesVersion"];
    if (typeof version !== "string" || !EXACT_VERSION_RE.test(version)) {
      report(`kubernetesVersion ${String(version)} is not an exact release`);
    }
  },
);
