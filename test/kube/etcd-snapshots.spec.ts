/**
 * Tier: a real kube-apiserver v1.33.13 with a real etcd, built from Go modules (ADR 0012), on loopback,
 * driven through the real CLI in-process (`main`); skipped, saying so, when they are not built.
 * `xcluster snapshot list` and `xcluster snapshot restore` against the upstream ETCDSnapshotFile CRD
 * (test/kube/fixtures/k3s.cattle.io_etcdsnapshotfiles.yaml, copied unchanged from github.com/k3s-io/api
 * v0.1.2, the version rke2 v1.33.3+rke2r1 selects). What cannot be real: no RKE2 server writes the
 * ETCDSnapshotFile objects here; the test creates them as RKE2 would (k3s pkg/etcd/snapshot.go records
 * one per file and location), and the CLI reaches the API with `--kubeconfig` instead of stack outputs
 * (which need a deployed stack).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@kubernetes/client-node";
import { main } from "../../cli/main";
import { captureIo } from "../../cli/io";
import { EXIT } from "../../cli/exit-codes";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

const ROOT = path.join(__dirname, "..", "..");
const CLUSTER = "ecmwf-ai-platform";
const CRD = path.join(__dirname, "fixtures", "k3s.cattle.io_etcdsnapshotfiles.yaml");

/** A local snapshot server-1 took, and the S3 copy of one server-0 took (names as k3s gives them). */
const LOCAL = "local-etcd-snapshot-ecmwf-ai-platform-server-1-1764655200-5e1a2b";
const S3 = "s3-etcd-snapshot-ecmwf-ai-platform-server-0-1764669600-9c3d4e";

describe("xcluster snapshot list/restore against a real kube-apiserver with RKE2's ETCDSnapshotFile CRD", function () {
  this.timeout(180_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let api: KubeApiServer | undefined;
  let dir: string;
  let kubeconfigFile: string;

  before(async function () {
    api = await startKubeApiServerOrSkip(this, pki);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-snapshots-"));
    kubeconfigFile = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfigFile,
      renderKubeconfig({
        clusterName: CLUSTER,
        serverUrl: api.url,
        serverCaCert: pki.serverCa.cert,
        admin: pki.admin,
      }),
      { mode: 0o600 },
    );
    // A project whose prod environment holds the reference cluster, sending snapshots to S3.
    const prod = path.join(dir, "stacks", "prod");
    fs.mkdirSync(prod, { recursive: true });
    fs.copyFileSync(
      path.join(ROOT, "stacks", "prod", "environment.yaml"),
      path.join(prod, "environment.yaml"),
    );
    fs.writeFileSync(
      path.join(prod, `${CLUSTER}.yaml`),
      fs
        .readFileSync(path.join(ROOT, "stacks", "prod", `${CLUSTER}.yaml`), "utf8")
        .replace(
          "    floatingIpPool: external-internet\n",
          "    floatingIpPool: external-internet\n    rke2:\n      etcdSnapshots:\n        s3:\n" +
            "          endpoint: s3.eu-west-1.amazonaws.com\n          bucket: snapshots-prod\n" +
            "          region: eu-west-1\n          credentialPath: platform/prod/etcd-s3\n",
        ),
    );

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigFile);
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    // loadYaml deserialises into the typed model (`x-kubernetes-int-or-string` → xKubernetesIntOrString), which
    // the client serialises back; a plain parse would lose the fields whose JSON names differ.
    await ext.createCustomResourceDefinition({
      body: k8s.loadYaml<k8s.V1CustomResourceDefinition>(fs.readFileSync(CRD, "utf8")),
    });
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const group = { group: "k3s.cattle.io", version: "v1", plural: "etcdsnapshotfiles" };
    // A CRD is served a moment after it is created.
    for (let i = 0; ; i++) {
      const ok = await objects.listClusterCustomObject(group).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error("the ETCDSnapshotFile CRD was never served");
      await new Promise((r) => setTimeout(r, 100));
    }
    const file = (name: string, spec: Record<string, unknown>, status: Record<string, unknown>) =>
      objects.createClusterCustomObject({
        ...group,
        body: { apiVersion: "k3s.cattle.io/v1", kind: "ETCDSnapshotFile", metadata: { name }, spec, status },
      });
    await file(
      LOCAL,
      {
        snapshotName: "etcd-snapshot-ecmwf-ai-platform-server-1-1764655200",
        nodeName: `${CLUSTER}-server-1`,
        location:
          "file:///var/lib/rancher/rke2/server/db/snapshots/etcd-snapshot-ecmwf-ai-platform-server-1-1764655200",
      },
      { size: "18874368", creationTime: "2025-12-02T06:00:00Z", readyToUse: true },
    );
    await file(
      S3,
      {
        snapshotName: "etcd-snapshot-ecmwf-ai-platform-server-0-1764669600",
        nodeName: `${CLUSTER}-server-0`,
        location: "s3://snapshots-prod/ecmwf-ai-platform/etcd-snapshot-ecmwf-ai-platform-server-0-1764669600",
        s3: {
          endpoint: "s3.eu-west-1.amazonaws.com",
          bucket: "snapshots-prod",
          prefix: "ecmwf-ai-platform",
          region: "eu-west-1",
        },
      },
      { size: "19922944", creationTime: "2025-12-02T10:00:00Z", readyToUse: true },
    );
    await file(
      "local-etcd-snapshot-ecmwf-ai-platform-server-2-1764640800-0f0f0f",
      {
        snapshotName: "etcd-snapshot-ecmwf-ai-platform-server-2-1764640800",
        nodeName: `${CLUSTER}-server-2`,
        location:
          "file:///var/lib/rancher/rke2/server/db/snapshots/etcd-snapshot-ecmwf-ai-platform-server-2-1764640800",
      },
      {
        creationTime: "2025-12-02T02:00:00Z",
        readyToUse: false,
        error: { message: "etcd did not answer", time: "2025-12-02T02:00:05Z" },
      },
    );
  });
  after(async () => {
    await api?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]) {
    const io = captureIo();
    const code = await main(["snapshot", ...args, "--kubeconfig", kubeconfigFile], io, dir);
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
  }

  it("lists every snapshot newest first with its node, location, size, creation time and status", async () => {
    const r = await cli(["list", CLUSTER]);
    assert.equal(r.code, EXIT.ok, r.err);
    const lines = r.out.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^NAME\s+NODE\s+LOCATION\s+SIZE\s+CREATED\s+STATUS$/);
    assert.match(
      lines[1] ?? "",
      new RegExp(`^${S3}\\s+${CLUSTER}-server-0\\s+s3\\s+19\\.0 MiB\\s+2025-12-02T10:00:00Z\\s+ready$`),
    );
    assert.match(
      lines[2] ?? "",
      new RegExp(`^${LOCAL}\\s+${CLUSTER}-server-1\\s+local\\s+18\\.0 MiB\\s+2025-12-02T06:00:00Z\\s+ready$`),
    );
    assert.match(
      lines[3] ?? "",
      /server-2\s+local\s+-\s+2025-12-02T02:00:00Z\s+failed: etcd did not answer$/,
    );
    assert.equal(lines.length, 4);
  });

  it("lists the snapshots as JSON with sizes in bytes and the S3 details RKE2 recorded", async () => {
    const r = await cli(["list", `prod/${CLUSTER}`, "--json"]);
    assert.equal(r.code, EXIT.ok, r.err);
    const json = JSON.parse(r.out) as { cluster: string; snapshots: Record<string, unknown>[] };
    assert.equal(json.cluster, CLUSTER);
    assert.deepEqual(
      json.snapshots.map((s) => [s["name"], s["storage"], s["sizeBytes"], s["status"]]),
      [
        [S3, "s3", 19922944, "ready"],
        [LOCAL, "local", 18874368, "ready"],
        // A failed snapshot has no size (the type's doc: "If not specified, the snapshot failed").
        ["local-etcd-snapshot-ecmwf-ai-platform-server-2-1764640800-0f0f0f", "local", undefined, "failed"],
      ],
    );
    assert.deepEqual((json.snapshots[0]?.["s3"] as Record<string, unknown>)["prefix"], "ecmwf-ai-platform");
  });

  it("prints the S3 restore runbook: stop every server, reset server-0 from S3 with Vault's credentials, wipe and rejoin the others", async () => {
    const r = await cli(["restore", CLUSTER, S3]);
    assert.equal(r.code, EXIT.ok, r.err);
    assert.equal(
      r.out.trimEnd(),
      [
        `Restore etcd of prod/${CLUSTER} from snapshot ${S3} (s3, taken by ${CLUSTER}-server-0 at 2025-12-02T10:00:00Z). Every node keeps running as an instance;`,
        "the Kubernetes API is down from step 1 until step 3 has finished. Run the commands as root on the servers named.",
        "",
        "1. Stop RKE2 on every server",
        `   on ${CLUSTER}-server-0 (10.0.50.11), ${CLUSTER}-server-1 (10.0.50.12), ${CLUSTER}-server-2 (10.0.50.13):`,
        "     systemctl stop rke2-server",
        `2. Restore the snapshot on ${CLUSTER}-server-0; wait for the log line that RKE2 can be restarted without the flags, then start it`,
        `   on ${CLUSTER}-server-0 (10.0.50.11):`,
        `     export AWS_ACCESS_KEY_ID="$(vault kv get -mount='secret' -field=access_key_id 'platform/prod/etcd-s3')"`,
        `     export AWS_SECRET_ACCESS_KEY="$(vault kv get -mount='secret' -field=secret_access_key 'platform/prod/etcd-s3')"`,
        "     rke2 server --cluster-reset \\",
        "       --cluster-reset-restore-path='etcd-snapshot-ecmwf-ai-platform-server-0-1764669600' \\",
        "       --etcd-s3 \\",
        "       --etcd-s3-endpoint='s3.eu-west-1.amazonaws.com' \\",
        "       --etcd-s3-bucket='snapshots-prod' \\",
        "       --etcd-s3-folder='ecmwf-ai-platform' \\",
        "       --etcd-s3-region='eu-west-1'",
        "     systemctl start rke2-server",
        `3. Remove etcd's data on the other servers and start them: they join ${CLUSTER}-server-0 again`,
        `   on ${CLUSTER}-server-1 (10.0.50.12), ${CLUSTER}-server-2 (10.0.50.13):`,
        "     rm -rf /var/lib/rancher/rke2/server/db",
        "     systemctl start rke2-server",
        "4. Check: every node Ready, then no change in Pulumi (nothing in its state depends on etcd's content)",
        "     kubectl get nodes",
        `     xcluster preview prod/${CLUSTER} --env prod`,
        "",
        "Notes:",
        "  - The servers' config names the kube-system Secret xcluster-etcd-s3 for S3; it cannot be read while the cluster is down, so the reset is given the S3 settings and credentials directly.",
        `  - A reset leaves /var/lib/rancher/rke2/server/db/reset-flag on ${CLUSTER}-server-0; RKE2 removes it when it starts normally, and a later reset needs it gone (rke2 docs).`,
      ].join("\n"),
    );
  });

  it("prints the local restore runbook: the file is copied from the server that took it to server-0, and S3 is turned off for the reset", async () => {
    const r = await cli(["restore", CLUSTER, LOCAL, "--json"]);
    assert.equal(r.code, EXIT.ok, r.err);
    const book = JSON.parse(r.out) as {
      resetServer: { name: string; address: string };
      steps: { title: string; on: { name: string; address: string }[]; commands: string[] }[];
    };
    const file =
      "/var/lib/rancher/rke2/server/db/snapshots/etcd-snapshot-ecmwf-ai-platform-server-1-1764655200";
    assert.deepEqual(book.resetServer, { name: `${CLUSTER}-server-0`, address: "10.0.50.11" });
    assert.deepEqual(
      book.steps.map((s) => [s.on.map((n) => n.name), s.commands]),
      [
        [[0, 1, 2].map((i) => `${CLUSTER}-server-${i}`), ["systemctl stop rke2-server"]],
        [[`${CLUSTER}-server-1`], [`scp '${file}' 10.0.50.11:'${file}'`]],
        [
          [`${CLUSTER}-server-0`],
          [
            `rke2 server --cluster-reset \\\n  --cluster-reset-restore-path='${file}' \\\n  --etcd-s3=false`,
            "systemctl start rke2-server",
          ],
        ],
        [
          [`${CLUSTER}-server-1`, `${CLUSTER}-server-2`],
          ["rm -rf /var/lib/rancher/rke2/server/db", "systemctl start rke2-server"],
        ],
        [[], ["kubectl get nodes", `xcluster preview prod/${CLUSTER} --env prod`]],
      ],
    );
  });

  it("rejects an unknown snapshot name, suggesting the closest and listing what exists (exit 2)", async () => {
    const r = await cli(["restore", CLUSTER, S3.replace("9c3d4e", "9c3d4f")]);
    assert.equal(r.code, EXIT.invalid);
    assert.equal(r.out, "");
    assert.match(
      r.err,
      new RegExp(
        `^xcluster snapshot restore: no snapshot ${S3.replace("9c3d4e", "9c3d4f")} in ${CLUSTER} \\(did you mean "${S3}"\\?\\) \\(allowed: ${S3}, ${LOCAL}, `,
      ),
    );
  });

  it("rejects restoring a snapshot that failed (exit 2)", async () => {
    const r = await cli([
      "restore",
      CLUSTER,
      "local-etcd-snapshot-ecmwf-ai-platform-server-2-1764640800-0f0f0f",
    ]);
    assert.equal(r.code, EXIT.invalid);
    assert.match(
      r.err,
      /snapshot local-etcd-snapshot-ecmwf-ai-platform-server-2-1764640800-0f0f0f of ecmwf-ai-platform failed \(etcd did not answer\); choose one whose status is ready/,
    );
  });
});
