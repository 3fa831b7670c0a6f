/**
 * Each cluster's own Route53 credentials, issued by Vault's AWS secrets engine: a role per cluster whose
 * IAM policy lets its holder change only records under the cluster's own domain (`*.<cluster>.<zone>`) in
 * the one hosted zone. external-dns receives them through a VaultDynamicSecret (short-lived IAM users,
 * rotated by Vault and VSO); no static AWS key is copied into any cluster.
 *
 * The name restriction uses Route53's condition key `route53:ChangeResourceRecordSetsNormalizedRecordNames`
 * (AWS Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control"): values
 * are normalised (lower case, no trailing dot, other characters as `\ooo` octal escapes such as `\052`
 * for `*`), and `ForAllValues:StringLike` requires every name in a change batch to match. The statement
 * shapes follow external-dns's own least-privilege policy (kubernetes-sigs/external-dns
 * docs/tutorials/aws.md v0.20.0, lines 14-37 and its ABAC variant lines 46-64).
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { typeToken } from "./conventions";

/** An IAM policy document (the subset xcluster writes). */
export interface IamPolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  }[];
}

const NAMES_KEY = "route53:ChangeResourceRecordSetsNormalizedRecordNames";

/** The Route53 name patterns a cluster's credentials may change: every name under `<domain>`. */
export function route53NamePatterns(domain: string): string[] {
  return [`*.${domain.toLowerCase().replace(/\.$/, "")}`];
}

/**
 * The IAM policy of one cluster's Route53 credentials: change records under `domain` in zone `zoneId`
 * only; list that zone's records; find the zone (ListHostedZones has no resource-level scoping).
 */
export function route53PolicyDocument(zoneId: string, domain: string): IamPolicyDocument {
  const zone = `arn:aws:route53:::hostedzone/${zoneId.replace(/^\/?hostedzone\//, "")}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ChangeOwnRecordsOnly",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: [zone],
        Condition: {
          "ForAllValues:StringLike": { [NAMES_KEY]: route53NamePatterns(domain) },
          // ForAllValues is also true when the key is absent; require it.
          Null: { [NAMES_KEY]: "false" },
        },
      },
      {
        Sid: "ReadOwnZone",
        Effect: "Allow",
        Action: ["route53:ListResourceRecordSets"],
        Resource: [zone],
      },
      {
        Sid: "FindZones",
        Effect: "Allow",
        Action: ["route53:ListHostedZones"],
        Resource: ["*"],
      },
    ],
  };
}

/** The role name in the AWS secrets engine; VSO reads `<mount>/creds/<role>`. */
export function route53RoleName(cluster: string): string {
  return `${cluster}-external-dns`;
}

export interface Route53CredentialsArgs {
  /** Cluster name (names the role). */
  readonly cluster: string;
  /** Mount of Vault's AWS secrets engine. */
  readonly backend: string;
  /** The hosted zone id. */
  readonly zoneId: pulumi.Input<string>;
  /** `<cluster>.<zone>`: records under it may be changed. */
  readonly domain: string;
}

export class Route53Credentials extends pulumi.ComponentResource {
  /** `<mount>/creds/<role>`: where the credentials are read. */
  readonly credsPath: string;
  readonly role: vault.aws.SecretBackendRole;

  constructor(name: string, args: Route53CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("vault", "Route53Credentials"), name, {}, opts);
    const role = route53RoleName(args.cluster);
    this.role = new vault.aws.SecretBackendRole(
      `${name}-role`,
      {
        backend: args.backend,
        name: role,
        // An IAM user per lease with this inline policy; Vault deletes it when the lease ends.
        credentialType: "iam_user",
        policyDocument: pulumi
          .output(args.zoneId)
          .apply((id) => JSON.stringify(route53PolicyDocument(id, args.domain))),
        userPath: "/xcluster/",
      },
      { parent: this },
    );
    this.credsPath = `creds/${role}`;
    this.registerOutputs({ credsPath: this.credsPath });
  }
}
