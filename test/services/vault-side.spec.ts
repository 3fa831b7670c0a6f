/**
 * Tiers: Pulumi mocks (what the cluster program asks Vault to hold: the Kubernetes auth mount, its config,
 * roles and policies, and the per-cluster Route53 credentials role), pure functions and properties
 * (fast-check) for the IAM policy. Neither Vault nor AWS IAM runs here: the Vault HCL is parsed by Vault's
 * own HCL library in test/services/vault-policy.spec.ts; the IAM document is asserted exactly and its name
 * patterns are matched with StringLike's documented semantics (`*` any run of characters, `?` one).
 */
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { ofType } from "../support/pulumi";
import type { RecordedResource } from "../../plan/mocks";
import {
  route53NamePatterns,
  route53PolicyDocument,
  type IamPolicyDocument,
} from "../../components/route53-credentials";
import { clusterDomain } from "../../components/addons/cluster-facts";
import { FAKE_INFRA, planPlatform, type PlatformRun } from "./harness";
import { addonLabels, referenceSpec } from "./fixtures";
import type { ClusterSpec } from "../../spec/types";

const SIG = "4dabf18193072939515e22adb298388d";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const plain = (v: unknown): unknown =>
  typeof v === "object" && v !== null && SIG in v ? (v as unknown as { value: unknown }).value : v;

function one(run: PlatformRun, type: string): RecordedResource[] {
  return ofType(run.resources, type);
}

describe("the cluster's Vault side under mocks", () => {
  let ref: PlatformRun;
  const spec = referenceSpec();
  before(async () => {
    ref = await planPlatform(spec);
  });

  it("mounts the cluster's own Kubernetes auth backend at kubernetes-<cluster>", () => {
    const backends = one(ref, "vault:index/authBackend:AuthBackend");
    assert.deepEqual(
      backends.map((b) => [b.inputs["type"], b.inputs["path"]]),
      [["kubernetes", "kubernetes-ecmwf-ai-platform"]],
    );
  });

  it("configures the mount from the cluster's public API URL and server CA, without local fallbacks", () => {
    const [config] = one(ref, "vault:kubernetes/authBackendConfig:AuthBackendConfig") as [RecordedResource];
    assert.equal(config.inputs["backend"], "kubernetes-ecmwf-ai-platform");
    assert.equal(config.inputs["kubernetesHost"], FAKE_INFRA.api!.url);
    assert.equal(config.inputs["kubernetesCaCert"], FAKE_INFRA.api!.caCert);
    assert.equal(config.inputs["disableLocalCaJwt"], true);
    // No long-lived reviewer token is stored in Vault.
    assert.equal(config.inputs["tokenReviewerJwt"], undefined);
  });

  it("binds every role to the vault-auth service account of exactly one namespace, never default or *", () => {
    const roles = one(ref, "vault:kubernetes/authBackendRole:AuthBackendRole");
    assert.deepEqual(
      roles.map((r) => [
        r.inputs["roleName"],
        r.inputs["boundServiceAccountNames"],
        r.inputs["boundServiceAccountNamespaces"],
        r.inputs["audience"],
      ]),
      [
        // No audience: the login token is its own TokenReview bearer (test/kube/vault-token-review.spec.ts).
        ["vault-secrets-operator", ["vault-auth"], ["vault-secrets-operator"], undefined],
        ["external-dns", ["vault-auth"], ["external-dns"], undefined],
      ],
    );
    for (const r of roles) {
      for (const field of ["boundServiceAccountNames", "boundServiceAccountNamespaces"]) {
        const values = r.inputs[field] as string[];
        assert.ok(!values.includes("*") && !values.includes("default"), `${r.name} ${field}`);
      }
    }
  });

  it("gives external-dns's role a policy that reads its own credentials and nothing else", () => {
    const policies = one(ref, "vault:index/policy:Policy");
    assert.deepEqual(
      policies.map((p) => [p.inputs["name"], p.inputs["policy"]]),
      [
        [
          "xcluster-ecmwf-ai-platform-external-dns",
          'path "aws/creds/ecmwf-ai-platform-external-dns" {\n  capabilities = ["read"]\n}\n',
        ],
      ],
    );
    const role = one(ref, "vault:kubernetes/authBackendRole:AuthBackendRole").find(
      (r) => r.inputs["roleName"] === "external-dns",
    );
    assert.deepEqual(role?.inputs["tokenPolicies"], ["xcluster-ecmwf-ai-platform-external-dns"]);
    const operator = one(ref, "vault:kubernetes/authBackendRole:AuthBackendRole").find(
      (r) => r.inputs["roleName"] === "vault-secrets-operator",
    );
    assert.deepEqual(operator?.inputs["tokenPolicies"], []);
  });

  it("makes external-dns's VaultAuth and VaultDynamicSecret wait for the Vault side and the operator", () => {
    const deps = ref.dependsOn.get("ecmwf-ai-platform-addons-external-dns-prerequisites") ?? [];
    for (const needed of [
      "ecmwf-ai-platform-vault-auth-external-dns",
      "ecmwf-ai-platform-vault-auth-config",
      "ecmwf-ai-platform-route53-credentials-role",
      "ecmwf-ai-platform-addons-vault-secrets-operator",
    ]) {
      assert.ok(deps.includes(needed), `${needed} in ${deps.join(", ")}`);
    }
    assert.ok(
      (ref.dependsOn.get("ecmwf-ai-platform-addons-external-dns") ?? []).includes(
        "ecmwf-ai-platform-addons-external-dns-prerequisites",
      ),
      "the release waits for its Secret's source",
    );
  });

  it("issues external-dns's credentials from a per-cluster IAM-user role in the AWS secrets engine", () => {
    const [role] = one(ref, "vault:aws/secretBackendRole:SecretBackendRole") as [RecordedResource];
    assert.equal(role.inputs["backend"], "aws");
    assert.equal(role.inputs["name"], "ecmwf-ai-platform-external-dns");
    assert.equal(role.inputs["credentialType"], "iam_user");
    const doc = JSON.parse(String(role.inputs["policyDocument"])) as Json;
    // The zone the mocks' getZone answered for dns.zone.
    const zoneArn = String(doc["Statement"][0]["Resource"][0]);
    assert.match(zoneArn, /^arn:aws:route53:::hostedzone\/ZFAKE\d+$/);
    assert.deepEqual(doc, {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ChangeOwnRecordsOnly",
          Effect: "Allow",
          Action: ["route53:ChangeResourceRecordSets"],
          Resource: [zoneArn],
          Condition: {
            "ForAllValues:StringLike": {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["*.ecmwf-ai-platform.ai.example.org"],
            },
            Null: { "route53:ChangeResourceRecordSetsNormalizedRecordNames": "false" },
          },
        },
        {
          Sid: "ReadOwnZone",
          Effect: "Allow",
          Action: ["route53:ListResourceRecordSets"],
          Resource: [zoneArn],
        },
        { Sid: "FindZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
      ],
    });
  });

  it("puts no AWS key into any cluster: no Helm value, manifest or Secret holds the runner's key", () => {
    const clusterFacing = ref.resources.filter((r) => r.type.startsWith("kubernetes:"));
    const everything = JSON.stringify(clusterFacing.map((r) => r.inputs));
    for (const leaked of ["FAKEACCESSKEY", "fake-secret-access-key"]) {
      assert.ok(!everything.includes(leaked), `${leaked} reached the cluster`);
    }
    assert.doesNotMatch(everything, /AKIA[0-9A-Z]{16}|aws_secret_access_key|secret_access_key/);
    // The runner's own Route53 provider still uses its key, as a secret, outside every cluster.
    const route53 = ref.resources.find((r) => r.type === "pulumi:providers:aws");
    assert.equal(plain(route53?.inputs["accessKey"]), "FAKEACCESSKEY");
  });

  it("rejects external-dns on a cluster without DNS, naming dns.enabled", async () => {
    const noDns: ClusterSpec = { ...spec, dns: { ...spec.dns, enabled: false } };
    await assert.rejects(planPlatform(noDns), /add-on external-dns: dns\.enabled: .*enable dns/);
  });

  it("creates no auth mount on a cluster without vault-secrets-operator", async () => {
    const run = await planPlatform({ ...spec, labels: { team: "ai", ...addonLabels(["cert-manager"]) } });
    assert.deepEqual(one(run, "vault:index/authBackend:AuthBackend"), []);
    assert.deepEqual(one(run, "vault:aws/secretBackendRole:SecretBackendRole"), []);
  });
});

/** IAM StringLike: `*` matches any run of characters (also none), `?` exactly one; case-sensitive. */
function stringLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(value);
}

/** Whether a ChangeResourceRecordSets batch with these normalised names is allowed by `doc`. */
function allowsChange(doc: IamPolicyDocument, zoneArn: string, names: readonly string[]): boolean {
  return doc.Statement.some((s) => {
    if (!s.Action.includes("route53:ChangeResourceRecordSets") || !s.Resource.includes(zoneArn)) return false;
    const patterns = s.Condition?.["ForAllValues:StringLike"]?.[
      "route53:ChangeResourceRecordSetsNormalizedRecordNames"
    ] as readonly string[];
    return names.length > 0 && names.every((n) => patterns.some((p) => stringLike(p, n)));
  });
}

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

describe("per-cluster Route53 IAM policies (pure, properties)", () => {
  const zone = "ai.example.org";
  const arn = "arn:aws:route53:::hostedzone/Z123";

  it("lets a cluster change every name under its own domain, wildcard records included", () => {
    const doc = route53PolicyDocument("Z123", "c1.ai.example.org");
    for (const name of [
      "svc.c1.ai.example.org",
      "a-svc.c1.ai.example.org",
      "\\052.apps.c1.ai.example.org",
      "api.c1.ai.example.org",
    ]) {
      assert.ok(allowsChange(doc, arn, [name]), name);
    }
  });

  it("rejects names outside the cluster's domain, in another zone, or a batch with one foreign name", () => {
    const doc = route53PolicyDocument("Z123", "c1.ai.example.org");
    for (const names of [
      ["ai.example.org"],
      ["c1.ai.example.org"],
      ["svc.c2.ai.example.org"],
      ["xc1.ai.example.org"],
      ["svc.c1.ai.example.org", "rancher.ai.example.org"],
    ]) {
      assert.ok(!allowsChange(doc, arn, names), names.join(","));
    }
    assert.ok(!allowsChange(doc, "arn:aws:route53:::hostedzone/ZOTHER", ["svc.c1.ai.example.org"]));
  });

  it("never lets two clusters in one zone change the same name", () => {
    fc.assert(
      fc.property(label, label, label, (a, b, host) => {
        fc.pre(a !== b);
        const spec = (name: string) => ({ ...referenceSpec(), name, dns: { ...referenceSpec().dns, zone } });
        const [docA, docB] = [a, b].map((n) => route53PolicyDocument("Z123", clusterDomain(spec(n))));
        // Names either cluster may legitimately write, and the names built to straddle them.
        const candidates = [
          `${host}.${a}.${zone}`,
          `${host}.${b}.${zone}`,
          `${b}.${a}.${zone}`,
          `${a}.${b}.${zone}`,
          `${host}-${a}.${zone}`,
          `${a}.${zone}`,
          `${b}.${zone}`,
        ];
        for (const n of candidates) {
          assert.ok(!(allowsChange(docA!, arn, [n]) && allowsChange(docB!, arn, [n])), `${a} and ${b}: ${n}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("normalises the domain the way Route53 compares names: lower case, no trailing dot", () => {
    assert.deepEqual(route53NamePatterns("C1.AI.Example.org."), ["*.c1.ai.example.org"]);
  });
});
