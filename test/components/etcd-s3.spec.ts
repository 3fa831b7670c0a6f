/**
 * etcd snapshots off the servers. Tiers: pure (the Secret's data, the server config), Pulumi mocks (the
 * whole cluster program through the offline plan, with the policy pack's rke2-009 evaluated on it).
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import { etcdS3SecretData } from "../../components/etcd-s3-secret";
import { ETCD_S3_SECRET_NAME, renderServerConfig } from "../../components/rke2/config";
import { planCluster } from "../../plan/plan-cluster";
import { renderCluster } from "../../plan/render-cluster";
import type { ClusterSpec, EtcdS3 } from "../../spec/types";
import { referenceClusterSpec } from "../support/cluster-specs";
import { isRecordedSecret, recordedValue } from "./rke2-mock-helpers";

const S3: EtcdS3 = {
  endpoint: "s3.eu-west-1.amazonaws.com",
  bucket: "ecmwf-etcd-snapshots",
  folder: "ecmwf-ai-platform",
  region: "eu-west-1",
  credentialPath: "platform/prod/etcd-s3",
};
const withS3 = (): ClusterSpec => {
  const base = referenceClusterSpec();
  return { ...base, rke2: { ...base.rke2, etcdS3: S3 } };
};

describe("etcd snapshots to S3", function () {
  this.timeout(120_000);

  it("names only the config secret in the servers' RKE2 config, never a key", () => {
    const spec = withS3();
    const config = parse(
      renderServerConfig({
        nodeName: "s0",
        nodeIp: "10.0.50.11",
        tlsSans: [],
        rke2: spec.rke2,
        labels: {},
        taints: [],
        cisProfile: "",
        bootstrap: { mode: "initialise" },
      }),
    ) as Record<string, unknown>;
    assert.equal(config["etcd-s3"], true);
    assert.equal(config["etcd-s3-config-secret"], ETCD_S3_SECRET_NAME);
    assert.deepEqual(
      Object.keys(config)
        .filter((k) => k.startsWith("etcd-s3"))
        .sort(),
      ["etcd-s3", "etcd-s3-config-secret"],
      "RKE2 reads the secret only when no other etcd-s3 option is set",
    );
  });

  it("writes RKE2's key names into the secret, with the credentials from Vault", () => {
    assert.deepEqual(etcdS3SecretData(S3, { access_key_id: "AK", secret_access_key: "SK" }), {
      "etcd-s3-endpoint": "s3.eu-west-1.amazonaws.com",
      "etcd-s3-bucket": "ecmwf-etcd-snapshots",
      "etcd-s3-folder": "ecmwf-ai-platform",
      "etcd-s3-region": "eu-west-1",
      "etcd-s3-access-key": "AK",
      "etcd-s3-secret-key": "SK",
    });
  });

  it("rejects Vault credentials without a secret access key, naming the path", () => {
    assert.throws(
      () => etcdS3SecretData(S3, { access_key_id: "AK" }),
      /etcd S3 credentials at platform\/prod\/etcd-s3: missing secret_access_key/,
    );
  });

  it("creates the kube-system secret with its data secret, and puts no key in any user data", async () => {
    const resources = await renderCluster(withS3());
    const secrets = resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
    const s3 = secrets.find((r) => r.name === "ecmwf-ai-platform-etcd-s3-secret");
    assert.ok(s3, secrets.map((r) => r.name).join(", "));
    assert.deepEqual(recordedValue(s3.inputs["metadata"]), {
      name: ETCD_S3_SECRET_NAME,
      namespace: "kube-system",
    });
    assert.ok(isRecordedSecret(s3.inputs["stringData"]));
    const data = recordedValue(s3.inputs["stringData"]) as Record<string, string>;
    assert.equal(
      data["etcd-s3-secret-key"],
      "fake-secret-access-key",
      "read from Vault (the plan's fake answer)",
    );
    for (const i of resources.filter((r) => r.type === "openstack:compute/instance:Instance")) {
      assert.doesNotMatch(String(recordedValue(i.inputs["userData"])), /fake-secret-access-key/, i.name);
    }
  });

  it("satisfies rke2-009 in production once snapshots go to S3 (it is reported without)", async () => {
    const rule = "rke2-009-etcd-backup-tls";
    const without = await planCluster(referenceClusterSpec());
    assert.ok(
      without.violations.some((v) => v.policy === rule),
      "the reference cluster keeps snapshots local",
    );
    const withs3 = await planCluster(withS3());
    assert.equal(withs3.error, undefined);
    assert.deepEqual(
      withs3.violations.filter((v) => v.policy === rule),
      [],
    );
  });
});
