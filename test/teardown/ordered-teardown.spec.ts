/**
 * Tier: a real kube-apiserver v1.33.13 with a real etcd, built from Go modules
 * (scripts/setup-kube-apiserver.sh, ADR 0012), on loopback in the test's temporary folder, reached with
 * the admin kubeconfig xcluster renders and @kubernetes/client-node. Skipped, saying so, when they are
 * not built. No controller runs beside it: the test plays the cloud controller manager (it removes
 * `service.kubernetes.io/load-balancer-cleanup` after a delay), the PVC protection controller, and the
 * PV controller with the Cinder CSI provisioner (it deletes the Released Delete volume, then lets its PV
 * go). The Pulumi destroy is a recorded function. Not real: OpenStack and Route53 (nothing reachable).
 */
import { strict as assert } from "assert";
import * as k8s from "@kubernetes/client-node";
import { generateClusterPki, renderKubeconfig } from "../../components/rke2/pki";
import { kubeClusterApi, type ClusterApi } from "../../teardown/cluster-api";
import { CINDER_CSI_DRIVER, LOAD_BALANCER_CLEANUP_FINALIZER } from "../../teardown/targets";
import { tearDown, type TeardownDeps } from "../../teardown/teardown";
import type { StateFacts } from "../../teardown/orphans";
import { startKubeApiServerOrSkip, type KubeApiServer } from "../support/kube-apiserver";

const CLUSTER = "c1";
const ZONE = "dev.example.org";
const FACTS: StateFacts = {
  instances: 3,
  networks: [{ id: "net-1", name: "c1-net" }],
  subnets: [{ id: "subnet-1", name: "c1-subnet" }],
  routers: [{ id: "router-1", name: "c1-router" }],
};
/** The apiserver's StorageObjectInUseProtection admission adds it to every claim (and pv-protection to volumes). */
const PVC_PROTECTION = "kubernetes.io/pvc-protection";
/** csi-provisioner keeps it on the PVs it provisioned until it deleted the volume. */
const PROVISIONER_FINALIZER = "external-provisioner.volume.kubernetes.io/finalizer";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const notFound = (e: unknown) => (e as { code?: number }).code === 404;

/** One ordered log of what the teardown asked and what the "controllers" did. */
class Timeline {
  readonly events: { at: number; what: string }[] = [];
  add(what: string): void {
    this.events.push({ at: Date.now(), what });
  }
  index(pattern: RegExp): number {
    return this.events.findIndex((e) => pattern.test(e.what));
  }
  lastIndex(pattern: RegExp): number {
    const i = [...this.events].reverse().findIndex((e) => pattern.test(e.what));
    return i < 0 ? -1 : this.events.length - 1 - i;
  }
}

/** The teardown's API, every call recorded. */
function recorded(api: ClusterApi, t: Timeline): ClusterApi {
  return {
    version: () => (t.add("version"), api.version()),
    listServices: () => (t.add("list services"), api.listServices()),
    listClaims: () => (t.add("list claims"), api.listClaims()),
    listVolumes: () => (t.add("list volumes"), api.listVolumes()),
    delete: (k, o) => (t.add(`delete ${k} ${o.namespace}/${o.name}`), api.delete(k, o)),
    presence: async (k, o) => {
      const p = await api.presence(k, o);
      t.add(`presence ${k} ${o.namespace}/${o.name} ${p.gone ? "gone" : "present"}`);
      return p;
    },
    readDeployment: (o) => (t.add(`read deployment ${o.namespace}/${o.name}`), api.readDeployment(o)),
    setContainerArgs: (o, c, args) => (t.add(`set args ${args.join(" ")}`), api.setContainerArgs(o, c, args)),
  };
}

/**
 * The controllers of a real cluster, played: OCCM removes the load-balancer finalizer `serviceDelayMs`
 * after it sees a Service deleting (never for the names in `stuck`), the PVC protection controller lets
 * a deleting claim go, the PV controller and the Cinder CSI provisioner delete a Released Cinder volume
 * with reclaim policy Delete and then let its PV go.
 */
class CloudControllers {
  private readonly seen = new Map<string, number>();
  private running = true;
  private loop: Promise<void> | undefined;
  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly t: Timeline,
    private readonly serviceDelayMs: Readonly<Record<string, number>>,
    private readonly stuck: readonly string[] = [],
  ) {}

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        await this.tick().catch((e: unknown) => {
          if ((e as { code?: number }).code !== 409) throw e;
        });
        await sleep(100);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private since(key: string): number {
    if (!this.seen.has(key)) this.seen.set(key, Date.now());
    return Date.now() - this.seen.get(key)!;
  }

  private async tick(): Promise<void> {
    for (const s of (await this.core.listServiceForAllNamespaces()).items) {
      const key = `${s.metadata!.namespace}/${s.metadata!.name}`;
      const fin = s.metadata?.finalizers ?? [];
      if (!s.metadata?.deletionTimestamp || !fin.includes(LOAD_BALANCER_CLEANUP_FINALIZER)) continue;
      if (this.stuck.includes(key) || this.since(`svc ${key}`) < (this.serviceDelayMs[key] ?? 0)) continue;
      s.metadata.finalizers = fin.filter((f) => f !== LOAD_BALANCER_CLEANUP_FINALIZER);
      this.t.add(
        `occm deleted load balancer kube_service_${CLUSTER}_${s.metadata.namespace}_${s.metadata.name}`,
      );
      await this.core.replaceNamespacedService({
        name: s.metadata.name!,
        namespace: s.metadata.namespace!,
        body: s,
      });
    }
    for (const c of (await this.core.listPersistentVolumeClaimForAllNamespaces()).items) {
      const key = `${c.metadata!.namespace}/${c.metadata!.name}`;
      if (!c.metadata?.deletionTimestamp || this.since(`pvc ${key}`) < 300) continue;
      c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION);
      this.t.add(`pvc-protection released ${key}`);
      await this.core.replaceNamespacedPersistentVolumeClaim({
        name: c.metadata.name!,
        namespace: c.metadata.namespace!,
        body: c,
      });
    }
    const claims = new Set(
      (await this.core.listPersistentVolumeClaimForAllNamespaces()).items.map(
        (c) => `${c.metadata!.namespace}/${c.metadata!.name}`,
      ),
    );
    for (const pv of (await this.core.listPersistentVolume()).items) {
      const ref = pv.spec?.claimRef;
      const released = ref !== undefined && !claims.has(`${ref.namespace}/${ref.name}`);
      if (!released || pv.spec?.csi?.driver !== CINDER_CSI_DRIVER) continue;
      if (pv.spec.persistentVolumeReclaimPolicy !== "Delete") continue;
      const name = pv.metadata!.name!;
      if (!pv.metadata?.deletionTimestamp) {
        this.t.add(`pv controller deletes released ${name}`);
        await this.core.deletePersistentVolume({ name });
        continue;
      }
      if (this.since(`pv ${name}`) < 500) continue;
      this.t.add(`cinder csi deleted volume ${pv.spec.csi.volumeHandle}`);
      pv.metadata.finalizers = [];
      await this.core.replacePersistentVolume({ name, body: pv });
    }
  }
}

describe("ordered teardown against a real kube-apiserver (the test plays the cloud controllers)", function () {
  this.timeout(180_000);
  const pki = generateClusterPki({ caValidityDays: 3650, adminValidityDays: 365 }, new Date());
  let api: KubeApiServer | undefined;
  let kubeconfig = "";
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async function () {
    api = await startKubeApiServerOrSkip(this, pki);
    kubeconfig = renderKubeconfig({
      clusterName: CLUSTER,
      serverUrl: api.url,
      serverCaCert: pki.serverCa.cert,
      admin: pki.admin,
    });
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    for (const name of ["shop", "data", "external-dns"]) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
  });
  after(async () => api?.stop());

  async function loadBalancer(namespace: string, name: string, hostname?: string, ip?: string) {
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: {
          name,
          finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER],
          ...(hostname ? { annotations: { "external-dns.alpha.kubernetes.io/hostname": hostname } } : {}),
        },
        spec: { type: "LoadBalancer", ports: [{ port: 80, targetPort: 8080 }], selector: { app: name } },
      },
    });
    if (ip !== undefined) {
      // What OCCM writes once the Octavia load balancer has its floating IP (a documentation address).
      const svc = await core.readNamespacedService({ name, namespace });
      svc.status = { loadBalancer: { ingress: [{ ip }] } };
      await core.replaceNamespacedServiceStatus({ name, namespace, body: svc });
    }
  }

  async function volumeAndClaim(name: string, driver: string, policy: "Delete" | "Retain") {
    await core.createPersistentVolume({
      body: {
        metadata: { name: `pv-${name}`, finalizers: [PROVISIONER_FINALIZER] },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: policy,
          storageClassName: `sc-${name}`,
          csi: { driver, volumeHandle: `vol-${name}` },
          claimRef: { namespace: "data", name },
        },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace: "data",
      body: {
        metadata: { name },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "1Gi" } },
          storageClassName: `sc-${name}`,
          volumeName: `pv-${name}`,
        },
      },
    });
  }

  const exists = async (read: () => Promise<unknown>) =>
    read().then(
      () => true,
      (e: unknown) => (notFound(e) ? false : Promise.reject(e)),
    );

  function deps(
    t: Timeline,
    limits: TeardownDeps<string>["limits"] = {},
  ): TeardownDeps<string> & { progressLines: string[] } {
    const progressLines: string[] = [];
    return {
      connect: (kc, l) => recorded(kubeClusterApi(kc, l), t),
      destroy: async () => {
        t.add("pulumi destroy");
        return "destroyed";
      },
      now: Date.now,
      sleep,
      progress: (line) => progressLines.push(line),
      limits: {
        pollMs: 150,
        progressIntervalMs: 500,
        perObjectTimeoutMs: 20_000,
        deadlineMs: 40_000,
        ...limits,
      },
      progressLines,
    };
  }

  it("deletes LoadBalancer Services and Cinder claims, waits until their controllers let them go, then destroys", async () => {
    await loadBalancer("shop", "web", "web.dev.example.org, other.example.com", "192.0.2.10");
    await loadBalancer("default", "api");
    await core.createNamespacedService({
      namespace: "shop",
      body: {
        metadata: { name: "internal" },
        spec: { ports: [{ port: 80 }], selector: { app: "internal" } },
      },
    });
    await volumeAndClaim("db", CINDER_CSI_DRIVER, "Delete");
    await volumeAndClaim("archive", CINDER_CSI_DRIVER, "Retain");
    await volumeAndClaim("shared", "nfs.csi.k8s.io", "Delete");
    await apps.createNamespacedDeployment({
      namespace: "external-dns",
      body: {
        metadata: { name: "external-dns" },
        spec: {
          selector: { matchLabels: { app: "external-dns" } },
          template: {
            metadata: { labels: { app: "external-dns" } },
            spec: {
              containers: [
                {
                  name: "external-dns",
                  image: "registry.k8s.io/external-dns/external-dns:v0.20.0",
                  args: [
                    "--interval=1s",
                    "--source=service",
                    "--policy=upsert-only",
                    "--registry=txt",
                    "--txt-owner-id=c1",
                  ],
                },
              ],
            },
          },
        },
      },
    });

    const t = new Timeline();
    const controllers = new CloudControllers(core, t, { "shop/web": 1500, "default/api": 700 });
    controllers.start();
    const d = deps(t);
    const { report, destroyed } = await tearDown(
      { cluster: CLUSTER, kubeconfig, facts: FACTS, dnsZone: ZONE, forceOrphans: false },
      d,
    );
    await controllers.stop();

    assert.equal(destroyed, "destroyed", JSON.stringify({ report, progress: d.progressLines }, null, 1));
    assert.equal(report.api, "answered");
    assert.equal(report.apiVersion, "v1.33.13");
    assert.equal(report.refused, false);
    assert.deepEqual(report.orphans, []);
    // Order: external-dns switched, then every deletion, then the wait, then the destroy, which comes after
    // the last cloud resource went.
    const firstDelete = t.index(/^delete /);
    assert.ok(t.index(/^set args .*--policy=sync/) < firstDelete, JSON.stringify(t.events));
    assert.ok(t.lastIndex(/^delete /) < t.index(/^presence /));
    const destroy = t.index(/^pulumi destroy$/);
    assert.equal(destroy, t.events.length - 1);
    for (const done of [
      /occm deleted load balancer kube_service_c1_shop_web/,
      /occm deleted load balancer kube_service_c1_default_api/,
      /cinder csi deleted volume vol-db/,
    ]) {
      assert.ok(t.index(done) >= 0 && t.index(done) < destroy, `${done} before the destroy`);
    }
    assert.deepEqual(
      t.events.filter((e) => e.what.startsWith("delete ")).map((e) => e.what),
      ["delete Service default/api", "delete Service shop/web", "delete PersistentVolumeClaim data/db"],
    );
    // What was deleted, the cloud resource each stands for, and how long each wait took.
    assert.deepEqual(
      report.deleted.map((o) => [o.kind, o.namespace, o.name, o.cloudResource, o.outcome]),
      [
        ["Service", "default", "api", "kube_service_c1_default_api", "gone"],
        ["Service", "shop", "web", "kube_service_c1_shop_web", "gone"],
        ["PersistentVolumeClaim", "data", "db", "vol-db", "gone"],
        ["PersistentVolume", "", "pv-db", "vol-db", "gone"],
      ],
    );
    const waited = Object.fromEntries(report.deleted.map((o) => [`${o.kind} ${o.name}`, o.waitedMs]));
    assert.ok(waited["Service web"]! >= 1400, `web waited ${waited["Service web"]} ms`);
    assert.ok(waited["Service api"]! >= 600 && waited["Service api"]! < waited["Service web"]!);
    assert.ok(waited["PersistentVolume pv-db"]! >= waited["PersistentVolumeClaim db"]!);
    assert.ok(report.waitMs >= 1400);
    assert.ok(
      d.progressLines.some((l) => /waiting for \d object\(s\).*load-balancer-cleanup/.test(l)),
      d.progressLines.join("\n"),
    );
    // The Retain volume is reported, never deleted; another driver's claim and a ClusterIP Service stay.
    assert.deepEqual(report.retainedVolumes, [
      { volume: "pv-archive", cinderVolumeId: "vol-archive", claim: { namespace: "data", name: "archive" } },
    ]);
    assert.ok(await exists(() => core.readPersistentVolume({ name: "pv-archive" })));
    assert.ok(
      await exists(() => core.readNamespacedPersistentVolumeClaim({ namespace: "data", name: "archive" })),
    );
    assert.ok(
      await exists(() => core.readNamespacedPersistentVolumeClaim({ namespace: "data", name: "shared" })),
    );
    assert.ok(await exists(() => core.readPersistentVolume({ name: "pv-shared" })));
    assert.ok(await exists(() => core.readNamespacedService({ namespace: "shop", name: "internal" })));
    assert.equal(await exists(() => core.readNamespacedService({ namespace: "shop", name: "web" })), false);
    // external-dns now runs with --policy=sync and got two intervals after the Services went.
    const dep = await apps.readNamespacedDeployment({ namespace: "external-dns", name: "external-dns" });
    const args = dep.spec!.template.spec!.containers[0]!.args!;
    assert.ok(args.includes("--policy=sync") && !args.includes("--policy=upsert-only"), args.join(" "));
    assert.ok(args.includes("--txt-owner-id=c1"));
    assert.equal(report.dns?.status, "requested");
    assert.equal(report.dns?.policyBefore, "upsert-only");
    assert.equal(report.dns?.verified, false);
    // Two sync intervals (2 × 1 s), less timer slack: Node starts a timer from libuv's loop time, cached
    // at the start of the current loop iteration (nodejs/node v20 lib/internal/timers.js `insert`,
    // `start = getLibuvNow()`), so the sleep can end a few milliseconds short of 2,000 by a Date.now read
    // later in that iteration.
    assert.ok(report.dns!.waitedMs >= 2000 - 50, `waited ${report.dns!.waitedMs} ms`);
    assert.deepEqual(report.dns?.records, [
      {
        name: "web.dev.example.org",
        type: "A",
        txtName: "a-web.dev.example.org",
        targets: ["192.0.2.10"],
        source: { namespace: "shop", name: "web" },
      },
    ]);
  });

  it("rejects the destroy when a Service outlives its limit, naming its load balancer; --force-orphans destroys", async () => {
    await loadBalancer("shop", "stuck");
    const t = new Timeline();
    const controllers = new CloudControllers(core, t, {}, ["shop/stuck"]);
    controllers.start();
    const limits = { perObjectTimeoutMs: 1200 };
    const refused = await tearDown(
      { cluster: CLUSTER, kubeconfig, facts: FACTS, forceOrphans: false },
      deps(t, limits),
    );
    assert.equal(refused.destroyed, undefined);
    assert.equal(t.index(/^pulumi destroy$/), -1, "no destroy");
    assert.equal(refused.report.refused, true);
    const stuck = refused.report.deleted.find((o) => o.name === "stuck");
    assert.equal(stuck?.outcome, "timed-out");
    assert.ok(stuck!.waitedMs >= 1200);
    assert.deepEqual(stuck?.finalizers, [LOAD_BALANCER_CLEANUP_FINALIZER]);
    const lb = refused.report.orphans.find((o) => o.kind === "load-balancer");
    assert.deepEqual(lb?.known, ["kube_service_c1_shop_stuck"]);
    assert.match(lb!.command, /^openstack loadbalancer list .*grep ' kube_service_c1_'$/);
    assert.ok(refused.report.orphans.some((o) => o.kind === "port" && o.command.includes("subnet=subnet-1")));

    const forced = await tearDown(
      { cluster: CLUSTER, kubeconfig, facts: FACTS, forceOrphans: true },
      deps(t, limits),
    );
    await controllers.stop();
    assert.equal(forced.destroyed, "destroyed");
    assert.equal(forced.report.forceOrphans, true);
    assert.equal(forced.report.refused, false);
    assert.deepEqual(forced.report.orphans.find((o) => o.kind === "load-balancer")?.known, [
      "kube_service_c1_shop_stuck",
    ]);
  });

  it("rejects the destroy when the API is gone, listing the orphan selectors; --force-orphans destroys", async () => {
    await api!.stop();
    api = undefined;
    const t = new Timeline();
    const refused = await tearDown(
      { cluster: CLUSTER, kubeconfig, facts: FACTS, dnsZone: ZONE, forceOrphans: false },
      deps(t, { requestTimeoutMs: 2000 }),
    );
    assert.equal(refused.destroyed, undefined);
    assert.equal(refused.report.api, "unreachable");
    assert.match(refused.report.reason ?? "", /does not answer/);
    assert.equal(refused.report.refused, true);
    assert.deepEqual(
      refused.report.orphans.map((o) => o.kind),
      ["load-balancer", "floating-ip", "volume", "port", "dns-record"],
    );
    const cmd = Object.fromEntries(refused.report.orphans.map((o) => [o.kind, o.command]));
    assert.match(
      cmd["volume"]!,
      /openstack volume list --long --property cinder\.csi\.openstack\.org\/cluster=c1$/,
    );
    assert.match(cmd["floating-ip"]!, /grep 'from cluster c1\$'/);
    assert.match(cmd["port"]!, /openstack port list --long --fixed-ip subnet=subnet-1/);
    assert.match(cmd["dns-record"]!, /external-dns\/owner=c1/);
    assert.deepEqual(
      t.events.map((e) => e.what),
      ["version"],
    );

    const forced = await tearDown(
      { cluster: CLUSTER, kubeconfig, facts: FACTS, dnsZone: ZONE, forceOrphans: true },
      deps(t, { requestTimeoutMs: 2000 }),
    );
    assert.equal(forced.destroyed, "destroyed");
    assert.equal(forced.report.orphans.length, 5);
    assert.equal(t.events.at(-1)?.what, "pulumi destroy");
  });
});
