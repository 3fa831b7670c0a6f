/**
 * Tier: a real kube-apiserver v1.33.13 with a real etcd, built from Go modules
 * (scripts/setup-kube-apiserver.sh, ADR 0012), on loopback. Skipped, saying so, when they are not built.
 * What the cluster will do with the PKI xcluster generates before it exists (ADR 0002): the admin client
 * certificate authenticates as system:masters, and nothing signed by another CA gets in.
 */
import { strict as assert } from "assert";
import { parse } from "yaml";
import {
  generateCa,
  generateClusterPki,
  issueClientCertificate,
  renderKubeconfig,
} from "../../components/rke2/pki";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

describe("the generated admin kubeconfig against a real kube-apiserver", function () {
  this.timeout(180_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let api: KubeApiServer | undefined;

  before(async function () {
    api = await startKubeApiServerOrSkip(this, pki);
  });
  after(async () => api?.stop());

  it("authenticates the admin certificate from the kubeconfig as a cluster admin (system:masters)", async () => {
    const kubeconfig = parse(
      renderKubeconfig({
        clusterName: "c1",
        serverUrl: api!.url,
        serverCaCert: pki.serverCa.cert,
        admin: pki.admin,
      }),
    ) as { users: { user: Record<string, string> }[] };
    const user = kubeconfig.users[0]!.user;
    const admin = {
      cert: Buffer.from(user["client-certificate-data"]!, "base64").toString(),
      key: Buffer.from(user["client-key-data"]!, "base64").toString(),
    };
    const secrets = await api!.get("/api/v1/namespaces/kube-system/secrets", admin);
    assert.equal(secrets.status, 200, secrets.body);
    const namespaces = await api!.get("/api/v1/namespaces", admin);
    assert.equal(namespaces.status, 200, namespaces.body);
    assert.match(namespaces.body, /"name":"default"/);
  });

  it("rejects a client certificate from another CA with 401, even claiming system:masters", async () => {
    const foreignCa = generateCa("foreign-ca", 30, new Date());
    const intruder = issueClientCertificate(foreignCa, "intruder", "system:masters", 30, new Date());
    const res = await api!.get("/api/v1/namespaces", intruder);
    assert.equal(res.status, 401, res.body);
  });

  it("rejects a certificate from the cluster's CA without a privileged group with 403", async () => {
    const nobody = issueClientCertificate(pki.clientCa, "nobody", "developers", 30, new Date());
    const res = await api!.get("/api/v1/namespaces/kube-system/secrets", nobody);
    assert.equal(res.status, 403, res.body);
    assert.match(res.body, /User \\"nobody\\" cannot list resource \\"secrets\\"/);
  });
});
