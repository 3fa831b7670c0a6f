/**
 * Registers an existing (RKE2, built by xcluster) cluster with the Rancher management server: a Rancher
 * cluster object for an imported cluster, labelled with the cluster's labels, and its registration
 * manifest (cattle-cluster-agent and friends) applied to the new cluster through the Kubernetes provider.
 *
 * Why a `yaml.v2.ConfigGroup` on the manifest URL: Rancher's registration commands are `curl | kubectl
 * apply` one-liners, and the "insecure" variant turns TLS verification off (`curl --insecure`). Handing the
 * HTTPS manifest URL to the Kubernetes provider instead keeps TLS verification on (the provider fetches it
 * with the system trust store at deployment time), needs no shell, no kubectl and no in-cluster Job with
 * cluster-admin rights, and makes every object in the manifest a Pulumi-managed resource that is removed
 * with the cluster. Nothing is fetched at plan time: the URL is a computed output, and under mocks the
 * group is one recorded resource. The URL embeds the registration token, so it is kept secret.
 *
 * Pod Security: the manifest creates `cattle-system` and the cattle-cluster-agent Deployment in it. On a
 * CIS-hardened RKE2 cluster an unlabelled namespace is `restricted`, and the agent (no securityContext)
 * would be rejected, so the namespace is created first, labelled, and the manifest applied after it. The
 * manifest's own Namespace object then finds it existing; `manifestProvider` must allow that
 * (`upsertExistingObjects`, since pulumi-kubernetes 4.29 a create of an existing object fails).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as rancher2 from "@pulumi/rancher2";
import { typeToken } from "./conventions";
import { podSecurityLabels, type PodSecurity } from "./addons/pod-security";

/** Namespace the registration manifest puts the cluster agent in (rancher/rancher pkg/systemtemplate/template.go v2.13.1, line 35). */
export const CATTLE_SYSTEM = "cattle-system";

/**
 * `cattle-system` on a downstream cluster: baseline. The cattle-cluster-agent Deployment has no
 * securityContext (so not restricted), no host namespaces and only a Secret volume
 * (pkg/systemtemplate/template.go v2.13.1, lines 117-228). The only host-network/hostPath pods of the
 * template are the pre-bootstrap agent and the kube-api-auth DaemonSet (lines 215-218, 230-294), which
 * exist for Rancher-provisioned clusters and the authorized cluster endpoint, neither of which xcluster
 * uses; the system-upgrade-controller Rancher would run there is off (`VERSION_MANAGEMENT_ANNOTATION`).
 */
export const DOWNSTREAM_CATTLE_SYSTEM: PodSecurity = {
  level: "baseline",
  reason: "cattle-cluster-agent has no securityContext but needs no host access",
};

/**
 * Rancher's per-cluster switch for managing an imported RKE2 cluster's version (it would install the
 * system-upgrade-controller and upgrade the nodes). "false": xcluster alone owns the RKE2 version. The
 * annotation takes precedence over the global `imported-cluster-version-management` setting (default
 * "true") (rancher/rancher pkg/controllers/management/importedclusterversionmanagement/
 * imported_cluster_version_management.go v2.13.1, lines 9-15; pkg/settings/setting.go line 404).
 */
export const VERSION_MANAGEMENT_ANNOTATION = "rancher.io/imported-cluster-version-management";

export interface RancherRegistrationArgs {
  /** Name of the cluster in Rancher. */
  readonly clusterName: string;
  /** Labels on the Rancher cluster object (Fleet and Rancher UIs select on them). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Description shown in Rancher.
   * @default "Managed by xcluster"
   */
  readonly description?: string;
  /** Provider for the downstream cluster, where `cattle-system` is created. */
  readonly kubernetesProvider: pulumi.ProviderResource;
  /**
   * Provider the registration manifest is applied with: the same cluster, with `upsertExistingObjects`
   * so that the manifest's `cattle-system` Namespace adopts the one created before it.
   */
  readonly manifestProvider: pulumi.ProviderResource;
  /** Pod Security `<major>.<minor>` version the namespace labels pin (`podSecurityVersion(spec)`). */
  readonly podSecurityVersion: string;
  /** Resources the registration waits for (the cluster's readiness gate). @default [] */
  readonly dependsOn?: readonly pulumi.Resource[];
}

export class RancherRegistration extends pulumi.ComponentResource {
  /** Rancher's id for the cluster (`c-…`). */
  readonly clusterId: pulumi.Output<string>;
  /** Registration manifest URL (secret: it embeds the token). */
  readonly manifestUrl: pulumi.Output<string>;
  /** Registration token (secret). */
  readonly registrationToken: pulumi.Output<string>;

  constructor(name: string, args: RancherRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("rancher", "Registration"), name, {}, opts);
    const cluster = new rancher2.Cluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        description: args.description ?? "Managed by xcluster",
        labels: { ...args.labels },
        annotations: { [VERSION_MANAGEMENT_ANNOTATION]: "false" },
      },
      { parent: this, dependsOn: [...(args.dependsOn ?? [])] },
    );
    this.clusterId = cluster.id;
    this.manifestUrl = pulumi.secret(cluster.clusterRegistrationToken.manifestUrl);
    this.registrationToken = pulumi.secret(cluster.clusterRegistrationToken.token);
    const labels = podSecurityLabels(DOWNSTREAM_CATTLE_SYSTEM.level, args.podSecurityVersion);
    const namespace = new k8s.core.v1.Namespace(
      `${name}-cattle-system`,
      { metadata: { name: CATTLE_SYSTEM, labels } },
      { parent: this, provider: args.kubernetesProvider, dependsOn: [...(args.dependsOn ?? [])] },
    );
    new k8s.yaml.v2.ConfigGroup(
      `${name}-manifest`,
      { files: [this.manifestUrl] },
      {
        parent: this,
        provider: args.manifestProvider,
        dependsOn: [cluster, namespace],
        // The manifest's Namespace object carries no labels; give it the same ones, so that applying it
        // (or re-creating it) never leaves cattle-system at the cluster's restricted default.
        transforms: [
          (a) =>
            a.type === "kubernetes:core/v1:Namespace" && a.name.endsWith(CATTLE_SYSTEM)
              ? { props: withLabels(a.props, labels), opts: a.opts }
              : undefined,
        ],
      },
    );
    this.registerOutputs({
      clusterId: this.clusterId,
      manifestUrl: this.manifestUrl,
      registrationToken: this.registrationToken,
    });
  }
}

function withLabels(props: pulumi.Inputs, labels: Readonly<Record<string, string>>): pulumi.Inputs {
  const metadata = (props["metadata"] ?? {}) as Record<string, unknown>;
  const existing = (metadata["labels"] ?? {}) as Record<string, string>;
  return { ...props, metadata: { ...metadata, labels: { ...existing, ...labels } } };
}
