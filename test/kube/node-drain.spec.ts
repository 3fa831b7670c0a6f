/**
 * Tier: a real kube-apiserver v1.33.13 with a real etcd, built from Go modules (ADR 0012), on loopback;
 * skipped, saying so, when they are not built. The drain that runs before a node's instance is deleted
 * (components/kube/drain.ts), against the real Eviction API and real PodDisruptionBudget checks.
 *
 * What cannot be real here: there is no kubelet, scheduler or controller-manager.
 * - An evicted pod only gets a deletionTimestamp; the kubelet would stop it and remove the object. Pods
 *   with `terminationGracePeriodSeconds: 0` are removed by the apiserver itself at eviction (its pod
 *   strategy deletes at once with a zero grace period); for the one pod with a grace period, the test
 *   plays the kubelet: it waits for the deletionTimestamp, checks the node is cordoned, and removes it.
 * - The disruption controller keeps a budget's status; the test writes that status itself (observed
 *   generation, disruptions allowed), which is what the Eviction API reads
 *   (kubernetes v1.33.13 pkg/registry/core/pod/storage/eviction.go `checkAndDecrement`).
 */
import { strict as assert } from "assert";
import * as k8s from "@kubernetes/client-node";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import { DrainError, drainAndDeleteNode } from "../../components/kube/drain";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

const NS = "apps";

describe("draining and deleting a node against a real kube-apiserver", function () {
  this.timeout(180_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let api: KubeApiServer | undefined;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let policy: k8s.PolicyV1Api;

  before(async function () {
    api = await startKubeApiServerOrSkip(this, pki);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(
      renderKubeconfig({
        clusterName: "c1",
        serverUrl: api.url,
        serverCaCert: pki.serverCa.cert,
        admin: pki.admin,
      }),
    );
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    policy = kc.makeApiClient(k8s.PolicyV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    // The ServiceAccount admission plugin needs the namespace's default account (no controller makes it).
    await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: "default" } } });
  });
  after(async () => api?.stop());

  const createNode = (name: string) =>
    core.createNode({
      body: { metadata: { name, labels: { "node-role.kubernetes.io/worker": "true" } } },
    });

  /** A running, ready pod bound to `node` (no scheduler: `spec.nodeName` binds it). */
  async function createPod(
    node: string,
    name: string,
    opts: {
      labels?: Record<string, string>;
      graceSeconds?: number;
      owner?: k8s.V1OwnerReference;
      namespace?: string;
    } = {},
  ): Promise<k8s.V1Pod> {
    const namespace = opts.namespace ?? NS;
    const pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name,
          labels: opts.labels ?? {},
          ...(opts.owner !== undefined ? { ownerReferences: [opts.owner] } : {}),
        },
        spec: {
          nodeName: node,
          terminationGracePeriodSeconds: opts.graceSeconds ?? 0,
          automountServiceAccountToken: false,
          containers: [{ name: "app", image: "registry.example.org/app:1" }],
        },
      },
    });
    // What the kubelet would report: running and ready (a Pending pod bypasses budgets).
    await core.patchNamespacedPodStatus({
      name,
      namespace,
      body: [
        {
          op: "add",
          path: "/status",
          value: {
            phase: "Running",
            conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date() }],
          },
        },
      ],
    });
    return pod;
  }

  /** The disruption controller's part: a budget over `app=<app>` allowing `allowed` disruptions. */
  async function setBudget(name: string, allowed: number): Promise<void> {
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name, namespace: NS });
    await policy.patchNamespacedPodDisruptionBudgetStatus({
      name,
      namespace: NS,
      body: [
        {
          op: "add",
          path: "/status",
          value: {
            observedGeneration: pdb.metadata?.generation ?? 1,
            disruptionsAllowed: allowed,
            currentHealthy: 1,
            desiredHealthy: 1,
            expectedPods: 1,
          },
        },
      ],
    });
  }

  async function createBudget(name: string, app: string, allowed: number): Promise<void> {
    await policy.createNamespacedPodDisruptionBudget({
      namespace: NS,
      body: { metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } } } },
    });
    await setBudget(name, allowed);
  }

  /** Polls `done` every 100 ms for up to 20 s. */
  async function waitFor(done: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(done(), "the condition never came true");
  }

  const podNames = async (node: string) =>
    (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items
      .map((p) => p.metadata?.name ?? "")
      .sort();

  const nodeExists = (name: string) =>
    core.readNode({ name }).then(
      () => true,
      (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e)),
    );

  it("cordons the node first, evicts every pod but the DaemonSet's, waits for them to go, then deletes the Node", async () => {
    const node = "c1-workers-5";
    await createNode(node);
    const ds = await apps.createNamespacedDaemonSet({
      namespace: NS,
      body: {
        metadata: { name: "node-agent" },
        spec: {
          selector: { matchLabels: { app: "node-agent" } },
          template: {
            metadata: { labels: { app: "node-agent" } },
            spec: { containers: [{ name: "agent", image: "registry.example.org/agent:1" }] },
          },
        },
      },
    });
    await createPod(node, "node-agent-x1", {
      labels: { app: "node-agent" },
      owner: {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        name: "node-agent",
        uid: ds.metadata?.uid ?? "",
        controller: true,
      },
    });
    await createPod(node, "web-1", { labels: { app: "web" } });
    await createPod(node, "batch-1", { labels: { app: "batch" } });
    await createPod(node, "slow-1", { labels: { app: "slow" }, graceSeconds: 30 });
    await createBudget("web", "web", 1);

    // The kubelet's part for the pod with a grace period: once it is terminating, remove it.
    let cordonedWhenEvicted: boolean | undefined;
    const kubelet = (async () => {
      for (let i = 0; i < 200; i++) {
        const pod = await core.readNamespacedPod({ name: "slow-1", namespace: NS });
        if (pod.metadata?.deletionTimestamp !== undefined) {
          cordonedWhenEvicted = (await core.readNode({ name: node })).spec?.unschedulable === true;
          await core.deleteNamespacedPod({ name: "slow-1", namespace: NS, gracePeriodSeconds: 0 });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const lines: string[] = [];
    const result = await drainAndDeleteNode(core, {
      nodeName: node,
      timeoutSeconds: 30,
      evictionRetrySeconds: 0.2,
      pollSeconds: 0.2,
      log: (l) => lines.push(l),
    });
    await kubelet;

    assert.equal(lines[0], `node ${node}: cordoned`);
    assert.equal(cordonedWhenEvicted, true, "the node was cordoned when its pods were evicted");
    assert.deepEqual([...result.evicted].sort(), [`${NS}/batch-1`, `${NS}/slow-1`, `${NS}/web-1`]);
    assert.deepEqual(result.skipped, [{ pod: `${NS}/node-agent-x1`, reason: "DaemonSet node-agent" }]);
    // The budget allowed one disruption and the eviction used it up.
    const budget = await policy.readNamespacedPodDisruptionBudget({ name: "web", namespace: NS });
    assert.equal(budget.status?.disruptionsAllowed, 0);
    assert.deepEqual(
      await podNames(node),
      ["node-agent-x1"],
      "only the DaemonSet's pod is left (it dies with the node)",
    );
    assert.equal(await nodeExists(node), false, "the Node object is gone");
  });

  it("waits while a PodDisruptionBudget refuses the eviction, and goes on once the budget allows it", async () => {
    const node = "c1-workers-4";
    await createNode(node);
    await createPod(node, "api-1", { labels: { app: "api" } });
    await createBudget("api", "api", 0);
    const drained = drainAndDeleteNode(core, {
      nodeName: node,
      timeoutSeconds: 30,
      evictionRetrySeconds: 0.2,
      pollSeconds: 0.2,
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await podNames(node), ["api-1"], "the budget held the pod for 1.5 s");
    assert.equal((await core.readNode({ name: node })).spec?.unschedulable, true);
    await setBudget("api", 1); // another replica became ready elsewhere
    const result = await drained;
    assert.deepEqual(result.evicted, [`${NS}/api-1`]);
    assert.equal(await nodeExists(node), false);
  });

  it("rejects a drain a PodDisruptionBudget blocks past the timeout, naming the pod and the budget, and keeps the Node cordoned", async () => {
    const node = "c1-workers-3";
    await createNode(node);
    await createPod(node, "db-1", { labels: { app: "db" } });
    await createBudget("db", "db", 0);
    const started = Date.now();
    await assert.rejects(
      drainAndDeleteNode(core, { nodeName: node, timeoutSeconds: 2, evictionRetrySeconds: 0.3 }),
      (e: unknown) => {
        assert.ok(e instanceof DrainError);
        assert.match(e.message, /^drain c1-workers-3: timed out after 2 s with 1 pod\(s\) still on the node/);
        assert.match(
          e.message,
          /apps\/db-1 \(eviction refused \(429\): Cannot evict pod as it would violate the pod's disruption budget\. The disruption budget db needs 1 healthy pods and has 1 currently\)/,
        );
        assert.match(e.message, /The node stays cordoned and is not deleted/);
        return true;
      },
    );
    const elapsed = Date.now() - started;
    // The upper bound is loose on purpose: a shared CI machine can be slow, and unbounded would be forever.
    assert.ok(elapsed >= 1500 && elapsed < 20_000, `bounded wait (took ${elapsed} ms)`);
    assert.equal((await core.readNode({ name: node })).spec?.unschedulable, true);
    assert.deepEqual(await podNames(node), ["db-1"]);
  });

  it("waits for a pod of a terminating namespace to be deleted with it, instead of failing on the refused eviction", async () => {
    // The namespace controller is not running here: the namespace stays Terminating with its pod in it,
    // and the test plays the controller (it marks the pod deleted) and then the kubelet (it removes it).
    const node = "c1-workers-8";
    const doomed = "doomed";
    await core.createNamespace({ body: { metadata: { name: doomed } } });
    await core.createNamespacedServiceAccount({ namespace: doomed, body: { metadata: { name: "default" } } });
    await createNode(node);
    await createPod(node, "job-1", { namespace: doomed, graceSeconds: 30 });
    await core.deleteNamespace({ name: doomed });
    assert.equal((await core.readNamespace({ name: doomed })).status?.phase, "Terminating");

    const lines: string[] = [];
    const drain = drainAndDeleteNode(core, {
      nodeName: node,
      timeoutSeconds: 60,
      evictionRetrySeconds: 0.3,
      pollSeconds: 0.2,
      log: (l) => lines.push(l),
    });
    let outcome = "pending";
    void drain.then(
      () => (outcome = "resolved"),
      (e: Error) => (outcome = `rejected: ${e.message}`),
    );
    // A few refused evictions (0.3 s apart): the drain keeps retrying, it does not fail.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(outcome, "pending");
    assert.deepEqual(await podNames(node), ["job-1"]);

    // The namespace controller's part: the pod is deleted with a grace period, so it stays, terminating.
    await core.deleteNamespacedPod({ name: "job-1", namespace: doomed });
    await waitFor(() => lines.some((l) => l.includes(`${doomed}/job-1 is being deleted with its namespace`)));
    assert.equal(outcome, "pending");
    // The kubelet's part: the pod is gone.
    await core.deleteNamespacedPod({ name: "job-1", namespace: doomed, gracePeriodSeconds: 0 });
    const result = await drain;
    assert.deepEqual(result.evicted, [], "nothing was evicted: the namespace deleted the pod");
    assert.equal(await nodeExists(node), false);
  });

  it("treats a Node that is already gone as drained", async () => {
    const result = await drainAndDeleteNode(core, { nodeName: "c1-workers-9", timeoutSeconds: 5 });
    assert.deepEqual(result, { nodeFound: false, evicted: [], skipped: [] });
  });
});
