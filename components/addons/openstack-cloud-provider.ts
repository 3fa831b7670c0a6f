/**
 * The OpenStack cloud provider, on every cluster whose OpenStack credentials come from Vault: the cloud
 * controller manager (node addresses and provider IDs, the `uninitialized` taint lifted, Services of type
 * LoadBalancer through Octavia where the cloud has it) and the Cinder CSI driver (volumes, a default
 * StorageClass that allows expansion, snapshots). RKE2 runs with `cloud-provider-name: external` on those
 * clusters (spec `rke2.cloudProviderName`), so both are installed before every other add-on.
 *
 * Charts from kubernetes/cloud-provider-openstack at the releases matching Kubernetes 1.33 (tags
 * `openstack-cloud-controller-manager-2.33.1`, `openstack-cinder-csi-2.33.1`). Both live in kube-system,
 * which RKE2's CIS Pod Security configuration exempts (rancher/rke2 pkg/rke2/psa.go v1.33.3+rke2r1): the
 * CCM runs on the host network and the CSI node plugin privileged with host mounts.
 *
 * Credentials: the `cloud.conf` both read is rendered into a Kubernetes Secret from the environment's
 * application credential in Vault (`vault.openstackCredentialPath`: `auth_url`, `application_credential_id`,
 * `application_credential_secret`), never into Helm values (the charts' `secret.create: false`).
 */
import type { ClusterSpec } from "../../spec/types";
import type { AddonDefinition, AddonSecret } from "./addon";
import { OPENSTACK_CLOUD_PROVIDER_LABEL } from "./cluster-facts";
import type { PodSecurity } from "./pod-security";

const REPOSITORY = "https://kubernetes.github.io/cloud-provider-openstack";

/** kube-system: exists on every cluster, exempt from Pod Security under RKE2's CIS profile. */
const KUBE_SYSTEM: PodSecurity = {
  level: "privileged",
  reason:
    "kube-system, exempt in RKE2's CIS Pod Security configuration; the CCM uses the host network and the " +
    "Cinder node plugin is privileged with host mounts",
};

/** Secret names the charts mount `cloud.conf` from. */
export const CCM_CLOUD_CONFIG_SECRET = "cloud-config";
export const CINDER_CLOUD_CONFIG_SECRET = "cinder-csi-cloud-config";

const VAULT_FIELDS = ["auth_url", "application_credential_id", "application_credential_secret"] as const;

/** Where the cloud provider's values come from in a cluster spec (for error messages). */
const SOURCE_FIELD = "vault.openstackCredentialPath";

/**
 * A string value as gcfg (gopkg.in/gcfg.v1 v1.2.3, the reader of both controllers) reads it back intact:
 * double-quoted, since unquoted `;` and `#` start a comment (scanner/scanner.go line 223) and surrounding
 * blanks are dropped; inside quotes only `\\`, `\"`, `\n` and `\t` are escapes (read.go line 16). The
 * format must not contain the 0 byte (doc.go), and other control characters have no escape: refused.
 */
export function gcfgString(key: string, value: string): string {
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
    throw new Error(`cloud.conf ${key}: the value holds a control character, which gcfg cannot read`);
  }
  const escaped = value.replace(
    /[\\"\n\t]/g,
    (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t" })[c] ?? c,
  );
  return `"${escaped}"`;
}

/**
 * The cloud provider's `cloud.conf` (INI): application-credential authentication in the cluster's region;
 * the load-balancer section on only where Octavia exists (kubernetes/cloud-provider-openstack
 * docs/openstack-cloud-controller-manager/using-openstack-cloud-controller-manager.md v1.33.1, lines
 * 140-215: `[Global]` application-credential-id/-secret, `[LoadBalancer]` enabled, lb-provider;
 * floating-network-id may stay unset while the cloud has one external network, line 192).
 */
export function renderCloudConf(spec: ClusterSpec, fields: Readonly<Record<string, string>>): string {
  const lines = [
    "[Global]",
    `auth-url=${gcfgString("auth-url", fields["auth_url"] ?? "")}`,
    `application-credential-id=${gcfgString("application-credential-id", fields["application_credential_id"] ?? "")}`,
    `application-credential-secret=${gcfgString("application-credential-secret", fields["application_credential_secret"] ?? "")}`,
    `region=${gcfgString("region", spec.openstack.region)}`,
    "",
    "[LoadBalancer]",
  ];
  if (spec.openstack.octaviaAvailable && spec.topology.mode === "octavia") {
    lines.push("enabled=true", `lb-provider=${gcfgString("lb-provider", spec.topology.provider)}`);
  } else if (spec.openstack.octaviaAvailable) {
    lines.push("enabled=true");
  } else {
    lines.push("enabled=false");
  }
  lines.push("", "[BlockStorage]", "ignore-volume-az=true", "");
  return lines.join("\n");
}

function cloudConfSecret(name: string): (spec: ClusterSpec) => AddonSecret[] {
  return (spec) => [
    {
      name,
      vaultPath: spec.vault.openstackCredentialPath,
      keys: Object.fromEntries(VAULT_FIELDS.map((f) => [f, f])),
      render: (fields) => ({ "cloud.conf": renderCloudConf(spec, fields) }),
      sourceField: SOURCE_FIELD,
    },
  ];
}

/**
 * RKE2 labels its servers `node-role.kubernetes.io/control-plane=true` (k3s-io/k3s pkg/server/server.go,
 * which RKE2 embeds); the chart's default selector expects the value "" (kubeadm's), which matches no RKE2
 * node (charts/openstack-cloud-controller-manager/values.yaml 2.33.1).
 */
const RKE2_CONTROL_PLANE = { "node-role.kubernetes.io/control-plane": "true" };

export const openstackCloudControllerManager: AddonDefinition = {
  name: "openstack-cloud-controller-manager",
  chart: "openstack-cloud-controller-manager",
  // 2.33.1 ships OCCM v1.33.1 (charts/openstack-cloud-controller-manager/Chart.yaml at that tag).
  version: "2.33.1",
  repository: REPOSITORY,
  namespace: "kube-system",
  existingNamespace: true,
  podSecurity: KUBE_SYSTEM,
  foundation: true,
  selector: { matchLabels: { [OPENSTACK_CLOUD_PROVIDER_LABEL]: "true" } },
  dependsOn: [],
  values: (spec: ClusterSpec) => ({
    nodeSelector: { ...RKE2_CONTROL_PLANE },
    // The chart's defaults (uninitialized, control-plane) plus RKE2 servers' CriticalAddonsOnly taint
    // (components/rke2/user-data.ts SERVER_TAINT).
    tolerations: [
      { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
      { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
      { key: "CriticalAddonsOnly", operator: "Exists" },
    ],
    secret: { enabled: true, create: false, name: CCM_CLOUD_CONFIG_SECRET },
    // No route controller: the CNI routes pod traffic. The service controller only where Octavia exists.
    enabledControllers: [
      "cloud-node",
      "cloud-node-lifecycle",
      ...(spec.openstack.octaviaAvailable ? ["service"] : []),
    ],
    cluster: { name: spec.name },
  }),
  secrets: cloudConfSecret(CCM_CLOUD_CONFIG_SECRET),
};

export const openstackCinderCsi: AddonDefinition = {
  name: "openstack-cinder-csi",
  chart: "openstack-cinder-csi",
  // Chart 2.33.1 (charts/cinder-csi-plugin/Chart.yaml at tag openstack-cinder-csi-2.33.1).
  version: "2.33.1",
  repository: REPOSITORY,
  namespace: "kube-system",
  existingNamespace: true,
  podSecurity: KUBE_SYSTEM,
  foundation: true,
  selector: { matchLabels: { [OPENSTACK_CLOUD_PROVIDER_LABEL]: "true" } },
  dependsOn: ["openstack-cloud-controller-manager"],
  values: (spec: ClusterSpec) => ({
    // The Secret instead of the chart's default host file /etc/config/cloud.conf (values.yaml lines
    // 114-118; templates/controllerplugin-deployment.yaml lines 229-237).
    secret: { enabled: true, hostMount: false, create: false, name: CINDER_CLOUD_CONFIG_SECRET },
    // The chart's StorageClasses; the Delete one is the cluster default and allows expansion
    // (templates/storageclass.yaml: csi-cinder-sc-delete / csi-cinder-sc-retain).
    storageClass: {
      enabled: true,
      delete: { isDefault: true, allowVolumeExpansion: true },
      retain: { isDefault: false, allowVolumeExpansion: true },
    },
    clusterID: spec.name,
  }),
  // Snapshots: RKE2 ships the snapshot controller and its CRDs as packaged components (rancher/rke2
  // charts/chart_versions.yaml v1.33.3+rke2r1, lines 48-51, rke2-snapshot-controller[-crd]) and the chart
  // runs the csi-snapshotter sidecar; the class tells them to use Cinder.
  manifests: () => [
    {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotClass",
      metadata: {
        name: "csi-cinder-snapclass",
        annotations: { "snapshot.storage.kubernetes.io/is-default-class": "true" },
      },
      driver: "cinder.csi.openstack.org",
      deletionPolicy: "Delete",
    },
  ],
  secrets: cloudConfSecret(CINDER_CLOUD_CONFIG_SECRET),
};
