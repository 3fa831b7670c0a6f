/** Tier: pure (the spec loader on files in a temporary directory). `rke2.etcdSnapshots.s3`. */
import { strict as assert } from "assert";
import { baseCluster, baseEnvironment, loadFiles } from "../support/spec-files";

const s3 = {
  endpoint: "s3.eu-west-1.amazonaws.com",
  bucket: "snapshots-prod",
  credentialPath: "platform/prod/etcd-s3",
};
const vault = {
  address: "https://vault.example.org:8200",
  openstackCredentialPath: "a",
  awsCredentialPath: "b",
  sshPublicKeyPath: "c",
  clusterPathPrefix: "clusters",
};

describe("spec: etcd snapshots to S3", () => {
  it("resolves the S3 settings, the folder defaulting to the cluster name", () => {
    const r = loadFiles({
      "environment.yaml": baseEnvironment({ vault }),
      "c1.yaml": baseCluster({ rke2: { etcdSnapshots: { s3 } } }),
    });
    assert.deepEqual(r.messages, []);
    assert.deepEqual(r.clusters[0]?.rke2.etcdS3, { ...s3, folder: "c1", region: "" });
  });

  it("rejects S3 snapshots in an environment without Vault, at the credential path's position", () => {
    const r = loadFiles({
      "environment.yaml": baseEnvironment(),
      "c1.yaml": baseCluster({ rke2: { etcdSnapshots: { s3 } } }),
    });
    assert.equal(r.messages.length, 1);
    assert.match(
      r.messages[0] ?? "",
      /^c1\.yaml:\d+:\d+: spec\.parameters\.rke2\.etcdSnapshots\.s3\.credentialPath: S3 credentials come from Vault, which environment "prod" does not enable/,
    );
  });

  it("rejects an endpoint with a scheme and a malformed bucket name", () => {
    const r = loadFiles({
      "environment.yaml": baseEnvironment({ vault }),
      "c1.yaml": baseCluster({
        rke2: { etcdSnapshots: { s3: { ...s3, endpoint: "https://s3", bucket: "Bad_Bucket" } } },
      }),
    });
    assert.deepEqual(r.messages.map((m) => m.split(": ")[1]).sort(), [
      "spec.parameters.rke2.etcdSnapshots.s3.bucket",
      "spec.parameters.rke2.etcdSnapshots.s3.endpoint",
    ]);
  });
});
