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
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as rancher2 from "@pulumi/rancher2";
import { typeToken } from "./conventions";

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
  /** Provider for the downstream cluster, where the registration manifest is applied. */
  readonly kubernetesProvider: pulumi.ProviderResource;
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
      },
      { parent: this },
    );
    this.clusterId = cluster.id;
    this.manifestUrl = pulumi.secret(cluster.clusterRegistrationToken.manifestUrl);
    this.registrationToken = pulumi.secret(cluster.clusterRegistrationToken.token);
    new k8s.yaml.v2.ConfigGroup(
      `${name}-manifest`,
      { files: [this.manifestUrl] },
      { parent: this, provider: args.kubernetesProvider, dependsOn: [cluster] },
    );
    this.registerOutputs({
      clusterId: this.clusterId,
      manifestUrl: this.manifestUrl,
      registrationToken: this.registrationToken,
    });
  }
}
