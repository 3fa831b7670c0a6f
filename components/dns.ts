/**
 * Route53 records for a cluster: `api.<cluster>.<zone>` → the API floating IP and
 * `*.apps.<cluster>.<zone>` → the ingress floating IP (plus any extra names on the ingress, such as the
 * Rancher hostname on the management cluster), created and removed with the cluster.
 *
 * The only module that imports @pulumi/aws, and only the three modules it needs (its full typings cost
 * seconds and hundreds of MB on every type-check).
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Record as Route53Record } from "@pulumi/aws/route53/record";
import { getZoneOutput } from "@pulumi/aws/route53/getZone";
import { typeToken } from "./conventions";

/** Route53 is global; the provider still needs a region for its endpoint and signing. */
export const ROUTE53_REGION = "us-east-1";

export interface Route53ProviderArgs {
  /** AWS access key id (from Vault). @default the AWS SDK's default credential chain */
  readonly accessKey?: pulumi.Input<string>;
  /** AWS secret access key (from Vault). @default the AWS SDK's default credential chain */
  readonly secretKey?: pulumi.Input<string>;
}

/** An AWS provider for Route53, with the keys (if given) kept secret in state. */
export function route53Provider(
  name: string,
  args: Route53ProviderArgs,
  opts?: pulumi.CustomResourceOptions,
): pulumi.ProviderResource {
  return new AwsProvider(
    name,
    {
      region: ROUTE53_REGION,
      accessKey: args.accessKey === undefined ? undefined : pulumi.secret(args.accessKey),
      secretKey: args.secretKey === undefined ? undefined : pulumi.secret(args.secretKey),
    },
    opts,
  );
}

export interface ClusterDnsArgs {
  /** Cluster name: the label under the zone. */
  readonly cluster: string;
  /** Hosted zone name, e.g. `ai.example.org`. */
  readonly zone: string;
  /** Look the zone up among private hosted zones. @default false */
  readonly privateZone?: boolean;
  /** Record TTL. */
  readonly ttlSeconds: number;
  /** Public address of the Kubernetes API (floating IP). */
  readonly apiAddress: pulumi.Input<string>;
  /** Public address of the ingress (floating IP). */
  readonly ingressAddress: pulumi.Input<string>;
  /**
   * Further fully qualified names pointing at the ingress, keyed by a stable role used in child names.
   * @default {}
   */
  readonly extraIngressNames?: Readonly<Record<string, string>>;
}

/** DNS names of a cluster. */
export function clusterDnsNames(cluster: string, zone: string): { api: string; appsWildcard: string } {
  return { api: `api.${cluster}.${zone}`, appsWildcard: `*.apps.${cluster}.${zone}` };
}

export class ClusterDns extends pulumi.ComponentResource {
  /** `api.<cluster>.<zone>`. */
  readonly apiName: string;
  /** `*.apps.<cluster>.<zone>`. */
  readonly appsWildcardName: string;
  /** The hosted zone's id. */
  readonly zoneId: pulumi.Output<string>;

  constructor(name: string, args: ClusterDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("dns", "ClusterDns"), name, {}, opts);
    const names = clusterDnsNames(args.cluster, args.zone);
    const zone = getZoneOutput({ name: args.zone, privateZone: args.privateZone ?? false }, { parent: this });
    this.zoneId = zone.zoneId;
    const record = (role: string, fqdn: string, address: pulumi.Input<string>): Route53Record =>
      new Route53Record(
        `${name}-${role}`,
        { zoneId: zone.zoneId, name: fqdn, type: "A", ttl: args.ttlSeconds, records: [address] },
        { parent: this },
      );
    record("api", names.api, args.apiAddress);
    record("apps-wildcard", names.appsWildcard, args.ingressAddress);
    for (const [role, fqdn] of Object.entries(args.extraIngressNames ?? {}))
      record(role, fqdn, args.ingressAddress);
    this.apiName = names.api;
    this.appsWildcardName = names.appsWildcard;
    this.registerOutputs({
      apiName: this.apiName,
      appsWildcardName: this.appsWildcardName,
      zoneId: this.zoneId,
    });
  }
}
