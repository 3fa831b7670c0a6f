/**
 * Tier: real sockets on loopback and the real @kubernetes/client-node. A cluster API that accepts the
 * connection and then says nothing (a hung apiserver, a load balancer with no healthy member) costs the
 * teardown its request timeout, not the minutes of a TCP or TLS timeout, and is reported as not answering.
 */
import { strict as assert } from "assert";
import * as net from "net";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import { kubeClusterApi } from "../../teardown/cluster-api";
import { tearDown, type TeardownReport } from "../../teardown/teardown";

describe("a cluster API that accepts connections and never answers", function () {
  this.timeout(60_000);
  const sockets: net.Socket[] = [];
  let server: net.Server;
  let kubeconfig = "";

  before(async () => {
    server = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const pki = generateClusterPki({ caValidityDays: 30, adminValidityDays: 30 }, new Date());
    kubeconfig = renderKubeconfig({
      clusterName: "c1",
      serverUrl: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      serverCaCert: pki.serverCa.cert,
      admin: pki.admin,
    });
  });
  after(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
  });

  it("gives up on a request after its timeout", async () => {
    const started = Date.now();
    await assert.rejects(kubeClusterApi(kubeconfig, { requestTimeoutMs: 500 }).version(), /abort/i);
    const took = Date.now() - started;
    // Loose upper bound: a shared CI machine can be slow; without the timeout this would never return.
    assert.ok(took >= 450 && took < 15_000, `took ${took} ms`);
    assert.ok(sockets.length >= 1, "the client did connect");
  });

  it("rejects the destroy as unreachable within the request timeout, without calling it", async () => {
    let destroyed = 0;
    const started = Date.now();
    const { report } = await tearDown(
      {
        cluster: "c1",
        kubeconfig,
        facts: { instances: 1, networks: [], subnets: [], routers: [] },
        forceOrphans: false,
      },
      {
        connect: (kc, limits) => kubeClusterApi(kc, limits),
        destroy: async () => void (destroyed += 1),
        now: Date.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        progress: () => undefined,
        limits: { requestTimeoutMs: 500 },
      },
    );
    assert.ok(Date.now() - started < 5000);
    assert.equal(report.api, "unreachable");
    assert.match(report.reason ?? "", /does not answer/);
    assert.equal(report.refused, true);
    assert.equal(destroyed, 0);
  });

  it("hands over its report before the destroy, so a failing destroy (--force-orphans here) keeps it", async () => {
    const reports: TeardownReport[] = [];
    await assert.rejects(
      tearDown(
        {
          cluster: "c1",
          kubeconfig,
          facts: { instances: 1, networks: [], subnets: [{ id: "subnet-1" }], routers: [] },
          forceOrphans: true,
        },
        {
          connect: (kc, limits) => kubeClusterApi(kc, limits),
          destroy: async () => {
            throw new Error("subnet subnet-1 still has ports");
          },
          onReport: (r) => reports.push(r),
          now: Date.now,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          progress: () => undefined,
          limits: { requestTimeoutMs: 300 },
        },
      ),
      /still has ports/,
    );
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.refused, false);
    assert.equal(reports[0]?.steps.at(-1), "pulumi destroy");
    assert.ok(reports[0]?.orphans.some((o) => o.command.endsWith("subnet=subnet-1")));
  });
});
