/**
 * Tier: the real engine (pulumi CLI, nodejs language host, the project's dynamic provider, serialised into
 * the state) against a real kube-apiserver v1.33.13 with a real etcd (ADR 0012), both on loopback. The
 * program holds only NodeDrain resources (and a Probe standing in for the cluster's PKI); no OpenStack,
 * no RKE2, no kubelet (the drained nodes carry pods that end at eviction: grace period 0). Skipped,
 * saying so, without the CLI or the apiserver.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as k8s from "@kubernetes/client-node";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { NodeDrain } from "../../components/node-drain";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import { runFleet } from "../../fleet/run-fleet";
import type { ProgramFactory } from "../../fleet/workspace";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";
import { realEngine } from "./engine";
import { EngineProject, filesUnder } from "./project";
import { Probe } from "./fixtures/probe";

describe("node drains on the real engine, against a real kube-apiserver", function () {
  this.timeout(300_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let pulumi: PulumiCommand;
  let p: EngineProject;
  let api: KubeApiServer | undefined;
  let core: k8s.CoreV1Api;
  let kubeconfig: string;

  before(async function () {
    pulumi = await realEngine(this);
    api = await startKubeApiServerOrSkip(this, pki);
    kubeconfig = renderKubeconfig({
      clusterName: "a",
      serverUrl: api.url,
      serverCaCert: pki.serverCa.cert,
      admin: pki.admin,
    });
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedServiceAccount({
      namespace: "default",
      body: { metadata: { name: "default" } },
    });
    for (const node of ["a-workers-0", "a-workers-1"]) {
      await core.createNode({ body: { metadata: { name: node } } });
      await core.createNamespacedPod({
        namespace: "default",
        body: {
          metadata: { name: `${node}-app` },
          spec: {
            nodeName: node,
            terminationGracePeriodSeconds: 0,
            automountServiceAccountToken: false,
            containers: [{ name: "app", image: "registry.example.org/app:1" }],
          },
        },
      });
    }
    p = new EngineProject({ clusters: ["a"] });
  });
  after(async () => {
    p?.dispose();
    await api?.stop();
  });

  /** The cluster's PKI stand-in and one drain per node, `deletedWith` it as the cluster program does. */
  function program(nodes: string[]): ProgramFactory {
    return () => async () => {
      const pkiStandIn = new Probe("a-pki", {});
      for (const node of nodes) {
        new NodeDrain(
          `${node}-drain`,
          { nodeName: node, kubeconfig, timeoutSeconds: 30 },
          { deletedWith: pkiStandIn },
        );
      }
      return {};
    };
  }

  const up = (nodes: string[]) =>
    runFleet("up", [p.cluster("a")], p.options(pulumi, { program: program(nodes) }));
  const nodeNames = async () => (await core.listNode()).items.map((n) => n.metadata?.name).sort();
  const pods = async () =>
    (await core.listNamespacedPod({ namespace: "default" })).items.map((x) => x.metadata?.name).sort();

  it("creates a drain per node without touching the nodes, and keeps the kubeconfig's key encrypted in the state", async () => {
    const report = await up(["a-workers-0", "a-workers-1"]);
    const r = report.clusters[0];
    assert.equal(report.exitCode, 0, `${r?.message ?? ""} ${r?.error?.detail ?? ""}`);
    assert.equal(r?.changes.create, 4, "the stack, the stand-in and two drains");
    assert.deepEqual(await nodeNames(), ["a-workers-0", "a-workers-1"]);
    assert.equal((await core.readNode({ name: "a-workers-1" })).spec?.unschedulable, undefined);
    const keyLine = pki.admin.key.split("\n")[5] ?? "";
    assert.ok(keyLine.length > 40);
    for (const file of filesUnder(p.stateDir))
      assert.ok(!fs.readFileSync(file, "utf8").includes(keyLine), file);
  });

  it("drains and deletes the removed node's Kubernetes Node when its drain leaves the program, and leaves the other alone", async () => {
    const report = await up(["a-workers-0"]);
    const r = report.clusters[0];
    assert.equal(report.exitCode, 0, `${r?.message ?? ""} ${r?.error?.detail ?? ""}`);
    assert.equal(r?.changes.delete, 1);
    assert.deepEqual(await nodeNames(), ["a-workers-0"]);
    assert.deepEqual(await pods(), ["a-workers-0-app"], "the removed node's pod was evicted");
    assert.equal((await core.readNode({ name: "a-workers-0" })).spec?.unschedulable, undefined);
  });

  it("drains nothing when the whole cluster is destroyed (deletedWith the PKI)", async () => {
    const report = await runFleet(
      "destroy",
      [p.cluster("a")],
      p.options(pulumi, { program: program(["a-workers-0"]), yes: true }),
    );
    const r = report.clusters[0];
    assert.equal(report.exitCode, 0, `${r?.message ?? ""} ${r?.error?.detail ?? ""}`);
    assert.deepEqual(await nodeNames(), ["a-workers-0"]);
    assert.deepEqual(await pods(), ["a-workers-0-app"]);
    assert.equal(
      (await core.readNode({ name: "a-workers-0" })).spec?.unschedulable,
      undefined,
      "not even cordoned",
    );
  });
});
