import { resourceRule } from "../lib/rule";
import { chartName, valuesOf } from "../lib/helm";
import { T } from "../lib/types";

const SHARED_NAMESPACES = ["default", "kube-system", "kube-public"];

/**
 * The OpenStack cloud provider belongs in kube-system: its controller runs on the host network and its CSI
 * node plugin privileged, and kube-system is the namespace RKE2's CIS Pod Security configuration exempts
 * (rancher/rke2 pkg/rke2/psa.go v1.33.3+rke2r1).
 */
const KUBE_SYSTEM_CHARTS = ["openstack-cloud-controller-manager", "openstack-cinder-csi"];

function latestTags(v: unknown, path: string, out: string[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => latestTags(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "tag" && x === "latest") out.push(`${path}.${k}`);
      else if (k === "image" && typeof x === "string" && /:latest$/.test(x)) out.push(`${path}.${k}`);
      else latestTags(x, `${path}.${k}`, out);
    }
  }
}

export const helm004NamespaceAndImageTags = resourceRule(
  {
    name: "helm-004-namespace-and-image-tags",
    description:
      "Each add-on gets its own namespace (not default or kube-system, the OpenStack cloud provider aside) and no image is pulled by the mutable tag latest.",
    priority: "P1",
    // High: a mutable tag is an unreviewed image on the next pull (mandatory in production, issue 14).
    severity: "high",
    remediationSteps:
      "Set namespace (with createNamespace) per add-on; pin image tags (or digests) in values.",
    tags: ["helm", "kubernetes"],
    sources: [
      "pulumi/pulumi-kubernetes `sdk/nodejs/helm/v3/release.ts` (`verify`, `keyring`)",
      '`CKV_K8S_14` "Image Tag should be fixed - not latest or blank", `CKV_K8S_43` "Image should use digest"',
    ],
  },
  [T.helmRelease],
  (props, _args, report) => {
    const ns = props["namespace"];
    const name = typeof ns === "string" && ns !== "" ? ns : "default";
    const cloudProvider = name === "kube-system" && KUBE_SYSTEM_CHARTS.includes(chartName(props));
    if (SHARED_NAMESPACES.includes(name) && !cloudProvider) report(`release installs into namespace ${name}`);
    const found: string[] = [];
    latestTags(valuesOf(props), "values", found);
    for (const p of found) report(`${p} uses the mutable tag latest`);
  },
);
