/**
 * Tier: real sockets on loopback and the real @kubernetes/client-node. A cluster API that accepts the
 * connection and never answers (a hung apiserver, a VIP whose holder froze) must not hang a scale-down:
 * every request of the drain is bounded by what is left of the drain's own bound, and the Node (so the
 * instance) is kept.
 */
import { strict as assert } from "assert";
import * as net from "net";
import * as k8s from "@kubernetes/client-node";
import { drainAndDeleteNode, DrainError } from "../../components/kube/drain";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";

describe("a drain against a cluster API that accepts connections and never answers", function () {
  this.timeout(60_000);
  const sockets: net.Socket[] = [];
  let server: net.Server;
  let api: k8s.CoreV1Api;

  before(async () => {
    server = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const pki = generateClusterPki({ caValidityDays: 30, adminValidityDays: 30 }, new Date());
    const kc = new k8s.KubeConfig();
    kc.loadFromString(
      renderKubeconfig({
        clusterName: "c1",
        serverUrl: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        serverCaCert: pki.serverCa.cert,
        admin: pki.admin,
      }),
    );
    api = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
  });

  it("rejects the drain within its bound, naming the call that got no answer, instead of hanging the update", async () => {
    const started = Date.now();
    await assert.rejects(
      drainAndDeleteNode(api, { nodeName: "c1-worker-5", timeoutSeconds: 2 }),
      (e: Error) => {
        assert.ok(e instanceof DrainError, String(e));
        assert.match(
          e.message,
          /drain c1-worker-5: cordon failed: the cluster API did not answer the cordon within/,
        );
        return true;
      },
    );
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 20_000, `took ${took} ms`);
    assert.ok(sockets.length >= 1, "the client did connect");
  });
});
