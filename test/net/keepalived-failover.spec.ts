/**
 * Failover of both VIP groups of a keepalived-topology cluster, with the real Debian keepalived on a real
 * kernel. Tier: real Linux (network namespaces, veth, a bridge; root) and real keepalived, running exactly
 * the files our renderer writes for a node (keepalived.conf, check script, notify script, interface
 * detection run the way the systemd drop-in runs it). The health endpoints the check scripts ask are the
 * one stand-in (test/net/health-endpoint.ts): RKE2 and ingress-nginx cannot run here. Each keepalived runs
 * with a private /dev/log (its notify lines reach the test) and a private /var/lib holding a test server CA
 * where RKE2 keeps its own, so the API check verifies the endpoint's certificate as on a server
 * (test/net/private-mounts.ts).
 *
 * The network: three servers holding the API VIP and two ingress nodes holding the ingress VIP, all on one
 * bridge (one segment, as in a cluster's Neutron network), each node with a differently named interface so
 * that detection is really exercised. Addresses (10.211.1.0/24) exist only inside the test's namespaces.
 * A watcher reads every namespace's addresses every 100 ms for the whole run.
 *
 * Skips, saying why, when not root or without ip/keepalived/curl/openssl; fails instead under
 * XCLUSTER_REAL_ENGINE=required (CI).
 */
import { strict as assert } from "assert";
import { ChildProcess, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  DEFAULT_API_HEALTH_URL,
  DEFAULT_APISERVER_HEALTH_URL,
  DEFAULT_INGRESS_HEALTH_URL,
  KEEPALIVED_CHECK,
  KEEPALIVED_DROP_IN_PATH,
  KeepalivedConfigArgs,
  KeepalivedGroup,
  NOTIFY_LOG_TAG,
  RKE2_SERVER_CA_PATH,
  renderCheckScript,
  renderDetectInterfaceScript,
  renderKeepalivedNode,
} from "../../components/keepalived/render";
import { clusterScopedRouterIds } from "../../spec/router-ids";
import { HealthEndpoint, serverCa, startHealthEndpoint } from "./health-endpoint";
import { NetNode, NetSandbox, skipOrFail, whyNoRealNetwork } from "./netns";
import { SyslogSink, privateMounts } from "./private-mounts";
import { VipWatch } from "./vip-watch";

const ADVERT_SECONDS = 1;
const API_VIP = "10.211.1.10";
const INGRESS_VIP = "10.211.1.20";
const IDS = clusterScopedRouterIds("xcka-failover");

/** Budgets, in ms, from the rendered timings (KEEPALIVED_CHECK, advert_int), plus 1 s of slack. */
const S = 1000;
const BUDGET = {
  /**
   * Checks pass (`rise` runs after `init_fail`; the first run may find the endpoint still starting), then
   * the highest-priority backup's master-down timer (3 adverts + skew), plus process start-up.
   */
  firstHolder: ((KEEPALIVED_CHECK.rise + 1) * KEEPALIVED_CHECK.intervalSeconds + 4 * ADVERT_SECONDS + 2) * S,
  /** `fall` failed runs, the last one taking at most curl's --max-time, then a backup takes over. */
  checkFailure:
    (KEEPALIVED_CHECK.fall * KEEPALIVED_CHECK.intervalSeconds +
      KEEPALIVED_CHECK.curlMaxTimeSeconds +
      ADVERT_SECONDS +
      1) *
    S,
  /**
   * A stopping keepalived sends priority 0; a dead node sends nothing, and the backups' master-down timer
   * (3 adverts + skew) runs out.
   */
  keepalivedStop: (4 * ADVERT_SECONDS + 1) * S,
  /** How long a recovered node has to (wrongly) take the VIP back: its checks rise, then one advert. */
  preemptWindow: (KEEPALIVED_CHECK.rise * KEEPALIVED_CHECK.intervalSeconds + 3 * ADVERT_SECONDS) * S,
};

interface Member {
  readonly node: NetNode;
  readonly group: KeepalivedGroup;
  readonly conf: string;
  readonly dropIn: string;
  health?: HealthEndpoint;
  /** Servers only: the stand-in for the server's own kube-apiserver on 6443, which the API check asks too. */
  apiserver?: HealthEndpoint;
  keepalived?: ChildProcess;
}

function priority(index: number): number {
  // As the components give them: descending with the index; with nopreempt they only break the first tie.
  return 200 - 10 * index;
}

/** Writes the node's rendered files (the drop-in is kept aside: the test runs its ExecStartPre itself). */
function install(node: NetNode, group: KeepalivedGroup, index: number, peers: readonly NetNode[]): Member {
  const args: KeepalivedConfigArgs = {
    group,
    routerId: node.name,
    virtualRouterId: group === "api" ? IDS.api : IDS.ingress,
    priority: priority(index),
    unicastSourceIp: node.address,
    unicastPeers: peers.filter((p) => p !== node).map((p) => p.address),
    vip: group === "api" ? API_VIP : INGRESS_VIP,
    vipPrefixLength: 32,
    advertIntervalSeconds: ADVERT_SECONDS,
    directory: node.dir,
  };
  let dropIn = "";
  for (const f of renderKeepalivedNode(args).files) {
    if (f.path === KEEPALIVED_DROP_IN_PATH) dropIn = f.content;
    else fs.writeFileSync(f.path, f.content, { mode: Number.parseInt(f.permissions, 8) });
  }
  return { node, group, conf: path.join(node.dir, "keepalived.conf"), dropIn };
}

describe("keepalived failover of the API and ingress VIPs (real Linux, real keepalived)", function () {
  this.timeout(120_000);
  this.bail(true);
  let sandbox: NetSandbox | undefined;
  let journal: SyslogSink | undefined;
  let watch: VipWatch;
  let servers: Member[];
  let ingress: Member[];
  const measured: Record<string, number> = {};

  before(function () {
    const why = whyNoRealNetwork(["ip", "keepalived", "curl", "openssl", "logger", "unshare", "findmnt"]);
    if (why !== undefined) return skipOrFail(this, why);
    sandbox = new NetSandbox();
    const sb = sandbox;
    const s = ["enp1s0", "eth0", "ens3"].map((nic, i) => sb.addNode(`s${i}`, `10.211.1.${11 + i}`, nic));
    const g = ["ens4", "eth1"].map((nic, i) => sb.addNode(`i${i}`, `10.211.1.${21 + i}`, nic));
    servers = s.map((n, i) => install(n, "api", i, s));
    ingress = g.map((n, i) => install(n, "ingress", i, g));
  });

  after(function () {
    if (Object.keys(measured).length > 0) console.log(`      measured (ms): ${JSON.stringify(measured)}`);
    journal?.close();
    sandbox?.destroy();
  });

  afterEach(function () {
    if (this.currentTest?.state !== "failed" || sandbox === undefined) return;
    for (const m of [...(servers ?? []), ...(ingress ?? [])]) {
      const log = path.join(m.node.dir, "keepalived.log");
      if (fs.existsSync(log))
        console.log(
          `--- ${m.node.name} keepalived.log (tail)\n${fs.readFileSync(log, "utf8").split("\n").slice(-25).join("\n")}`,
        );
    }
  });

  const all = () => [...servers, ...ingress];
  const sb = () => sandbox as NetSandbox;

  it("finds each node's interface at boot the way the systemd drop-in does, and keepalived -t accepts both groups there", () => {
    for (const m of all()) {
      const pre = /^ExecStartPre=(.+)$/m.exec(m.dropIn)?.[1]?.split(" ");
      assert.ok(pre !== undefined, `no ExecStartPre in the drop-in:\n${m.dropIn}`);
      const detect = sb().exec(m.node, pre);
      assert.equal(detect.status, 0, detect.output);
      assert.match(
        detect.output,
        new RegExp(`keepalived uses ${m.node.interfaceName}, which holds ${m.node.address}`),
      );
      const written = fs.readFileSync(path.join(m.node.dir, "interface.conf"), "utf8");
      assert.match(written, new RegExp(`^\\$XCLUSTER_INTERFACE=${m.node.interfaceName}$`, "m"));
      const check = sb().exec(m.node, ["keepalived", "--config-test", "-f", m.conf]);
      assert.equal(check.status, 0, `${m.node.name}: keepalived -t: ${check.output}`);
      assert.equal(check.output.trim(), "", `${m.node.name}: keepalived -t warned`);
    }
  });

  it("falls back to the default route's interface when the node's address is missing, and fails when there is neither", () => {
    const node = sb().addNode("x0", "10.211.1.31", "eno1");
    const script = path.join(node.dir, "detect.sh");
    fs.writeFileSync(script, renderDetectInterfaceScript("10.211.1.99", { waitSeconds: 1 }), { mode: 0o755 });
    const out = path.join(node.dir, "interface.conf");
    sb().exec(node, ["ip", "route", "add", "default", "via", "10.211.1.1", "dev", "eno1"]);
    const fallback = sb().exec(node, [script, out]);
    assert.equal(fallback.status, 0, fallback.output);
    assert.match(
      fallback.output,
      /keepalived uses eno1, which has the default route \(10\.211\.1\.99 not found\)/,
    );
    assert.match(fs.readFileSync(out, "utf8"), /^\$XCLUSTER_INTERFACE=eno1$/m);
    fs.rmSync(out);
    sb().exec(node, ["ip", "route", "del", "default"]);
    const neither = sb().exec(node, [script, out]);
    assert.equal(neither.status, 1);
    assert.match(neither.output, /no interface holds 10\.211\.1\.99 and there is no default route/);
    assert.ok(!fs.existsSync(out), "nothing written");
  });

  it("the API check accepts the supervisor only with the certificate the cluster's server CA signed", () => {
    const node = sb().addNode("x1", "10.211.1.32", "enp2s0");
    const endpoint = startHealthEndpoint(sb(), node, DEFAULT_API_HEALTH_URL, "ok");
    const apiserver = startHealthEndpoint(sb(), node, DEFAULT_APISERVER_HEALTH_URL, "unauthorized");
    const script = path.join(node.dir, "check_api.sh");
    fs.writeFileSync(script, renderCheckScript("api"), { mode: 0o755 });
    const checkWith = (ca: string) => {
      const r = sb().exec(node, privateMounts([script], { varLib: { [RKE2_SERVER_CA_PATH]: ca } }));
      return r;
    };
    // The endpoint starts in the background: the right CA passes as soon as it listens.
    let right = checkWith(serverCa(sb()).ca);
    for (let i = 0; i < 30 && right.status !== 0; i++) {
      spawnSync("sleep", ["0.1"]);
      right = checkWith(serverCa(sb()).ca);
    }
    assert.equal(right.status, 0, right.output);
    const wrong = checkWith(serverCa(sb(), "other").ca);
    assert.equal(wrong.status, 1, wrong.output);
    assert.match(wrong.output, /certificate/i);
    // The supervisor answers, but the apiserver beside it does not serve: the check fails and says why.
    apiserver.set("fail");
    const noApiserver = checkWith(serverCa(sb()).ca);
    assert.equal(noApiserver.status, 1, noApiserver.output);
    assert.match(
      noApiserver.output,
      /kube-apiserver at https:\/\/127\.0\.0\.1:6443\/readyz is not serving \(HTTP 503\)/,
    );
    apiserver.set("ok");
    assert.equal(checkWith(serverCa(sb()).ca).status, 0, "a ready apiserver (200) passes");
    apiserver.set("unauthorized");
    assert.equal(checkWith(serverCa(sb()).ca).status, 0, "401 (anonymous auth off) passes: it serves");
    endpoint.set("fail");
    assert.equal(checkWith(serverCa(sb()).ca).status, 1, "a 503 fails the check");
  });

  it("gives the API VIP to server-0, the first server whose check passes, and the ingress VIP to exactly one ingress node", async () => {
    servers.forEach((m, i) => {
      m.health = startHealthEndpoint(sb(), m.node, DEFAULT_API_HEALTH_URL, i === 0 ? "ok" : "fail");
      m.apiserver = startHealthEndpoint(sb(), m.node, DEFAULT_APISERVER_HEALTH_URL, "unauthorized");
    });
    ingress.forEach((m) => (m.health = startHealthEndpoint(sb(), m.node, DEFAULT_INGRESS_HEALTH_URL, "ok")));
    journal = new SyslogSink(sb().dir);
    await journal.listen();
    watch = new VipWatch(
      sb(),
      all().map((m) => m.node),
      [API_VIP, INGRESS_VIP],
    );
    const start = watch.now();
    // Each keepalived (and the scripts it runs) sees RKE2's server CA where the API check looks for it, and
    // logs to the test's journal.
    const mounts = { log: journal, varLib: { [RKE2_SERVER_CA_PATH]: serverCa(sb()).ca } };
    for (const m of all()) {
      const d = m.node.dir;
      m.keepalived = sb().start(
        m.node,
        privateMounts(
          [
            "keepalived",
            "--dont-fork",
            "--log-console",
            "--log-detail",
            "-f",
            m.conf,
            "-p",
            `${d}/keepalived.pid`,
            "-r",
            `${d}/vrrp.pid`,
            "-c",
            `${d}/checkers.pid`,
          ],
          mounts,
        ),
        path.join(d, "keepalived.log"),
      );
    }
    const [api, ing] = await Promise.all([
      watch.singleHolder(API_VIP, BUDGET.firstHolder),
      watch.singleHolder(INGRESS_VIP, BUDGET.firstHolder),
    ]);
    measured["firstApiHolder"] = watch.now() - start;
    assert.equal(api, "s0");
    assert.ok(["i0", "i1"].includes(ing));
    // Servers 1 and 2 come up too (they joined through the VIP); give their checks time to rise.
    servers.slice(1).forEach((m) => m.health?.set("ok"));
    await new Promise((r) =>
      setTimeout(r, (KEEPALIVED_CHECK.rise * KEEPALIVED_CHECK.intervalSeconds + 1) * S),
    );
    assert.deepEqual(watch.holdersOf(API_VIP), ["s0"]);
  });

  it("moves the API VIP to another server when server-0's check fails", async () => {
    const start = watch.now();
    servers[0]!.health?.set("fail");
    const next = await watch.until(
      "the API VIP leaves s0",
      (s) => {
        const h = s.holders.get(API_VIP) ?? [];
        return h.length === 1 && h[0] !== "s0";
      },
      BUDGET.checkFailure,
    );
    measured["apiCheckFailover"] = next.at - start;
    assert.ok(["s1", "s2"].includes((next.holders.get(API_VIP) ?? [])[0] ?? ""));
  });

  it("logs each state change to the journal through the notify script, tagged keepalived-notify", async () => {
    const notified = (pattern: RegExp) =>
      (journal?.lines ?? []).filter((l) => l.includes(` ${NOTIFY_LOG_TAG}: `) && pattern.test(l));
    // keepalived runs notify scripts without waiting for them: give the last one a moment.
    for (let i = 0; i < 50 && notified(/ s0: INSTANCE api_vip is now FAULT /).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const holder = watch.holdersOf(API_VIP)[0] ?? "";
    const expected: [string, RegExp][] = [
      [
        "s0 took the API VIP",
        /^<29>.* s0: INSTANCE api_vip is now MASTER \(priority 200\); this node holds the API VIP 10\.211\.1\.10$/,
      ],
      [
        "s0 gave it up when its check failed",
        /^<29>.* s0: INSTANCE api_vip is now FAULT \(priority \d+\); this node does not hold the API VIP 10\.211\.1\.10$/,
      ],
      [`${holder} took it over`, new RegExp(` ${holder}: INSTANCE api_vip is now MASTER `)],
      [
        "an ingress node took the ingress VIP",
        / i[01]: INSTANCE ingress_vip is now MASTER .*holds the ingress VIP 10\.211\.1\.20$/,
      ],
    ];
    for (const [what, pattern] of expected)
      assert.ok(
        notified(pattern).length > 0,
        `${what}: no such journal line in\n${(journal?.lines ?? []).join("\n")}`,
      );
  });

  it("leaves the API VIP where it is when server-0 recovers (nopreempt), though server-0 has the highest priority", async () => {
    const holder = watch.holdersOf(API_VIP)[0];
    const from = watch.now();
    servers[0]!.health?.set("ok");
    await new Promise((r) => setTimeout(r, BUDGET.preemptWindow));
    const since = watch.samples.filter((s) => s.at >= from);
    assert.ok(since.length > BUDGET.preemptWindow / 200, "the watch kept sampling");
    for (const s of since) assert.deepEqual(s.holders.get(API_VIP), [holder], `at ${s.at} ms`);
  });

  it("moves the API VIP when the holder's kube-apiserver stops serving though its supervisor still answers /ping", async () => {
    const holder = watch.holdersOf(API_VIP)[0];
    const m = servers.find((x) => x.node.name === holder)!;
    const start = watch.now();
    m.apiserver?.set("fail");
    const next = await watch.until(
      "the API VIP leaves the node whose apiserver is down",
      (s) => {
        const h = s.holders.get(API_VIP) ?? [];
        return h.length === 1 && h[0] !== holder;
      },
      BUDGET.checkFailure,
    );
    measured["apiserverDownFailover"] = next.at - start;
    // Its apiserver comes back; its checks rise again before the next test takes another server away.
    m.apiserver?.set("unauthorized");
    await new Promise((r) => setTimeout(r, BUDGET.preemptWindow));
    assert.deepEqual(watch.holdersOf(API_VIP), next.holders.get(API_VIP), "nopreempt: it stays a backup");
  });

  it("moves the API VIP when the holder's keepalived stops", async () => {
    const holder = watch.holdersOf(API_VIP)[0];
    const m = servers.find((x) => x.node.name === holder)!;
    const start = watch.now();
    m.keepalived?.kill("SIGTERM");
    const next = await watch.until(
      "the API VIP leaves the stopped node",
      (s) => {
        const h = s.holders.get(API_VIP) ?? [];
        return h.length === 1 && h[0] !== holder;
      },
      BUDGET.keepalivedStop,
    );
    measured["apiStopFailover"] = next.at - start;
  });

  it("moves the API VIP when its holder dies outright (off the network, every process killed: no goodbye advert)", async () => {
    const holder = watch.holdersOf(API_VIP)[0];
    const m = servers.find((x) => x.node.name === holder)!;
    const start = watch.now();
    // Off the network first, then every process killed: its peers hear nothing more, not even a goodbye.
    sb().killNode(m.node);
    const next = await watch.until(
      "the API VIP leaves the dead node",
      (s) => {
        const h = s.holders.get(API_VIP) ?? [];
        return h.length === 1 && h[0] !== holder;
      },
      BUDGET.keepalivedStop,
    );
    measured["apiNodeDeathFailover"] = next.at - start;
  });

  it("moves the ingress VIP when the holder's controller hangs: the check times out instead of hanging", async () => {
    const holder = watch.holdersOf(INGRESS_VIP)[0];
    const m = ingress.find((x) => x.node.name === holder)!;
    const start = watch.now();
    m.health?.set("hang");
    const next = await watch.until(
      "the ingress VIP leaves the hung node",
      (s) => {
        const h = s.holders.get(INGRESS_VIP) ?? [];
        return h.length === 1 && h[0] !== holder;
      },
      BUDGET.checkFailure,
    );
    measured["ingressHangFailover"] = next.at - start;
  });

  it("never had two holders of either VIP, in any 100 ms sample of the whole run", () => {
    assert.deepEqual(watch.doubleHolders(), []);
    assert.ok(watch.samples.length > 100, `samples: ${watch.samples.length}`);
    // Starting five keepalived and five endpoints at once can stall one round on a busy machine.
    assert.ok(watch.largestGapMs() < 2000, `largest gap between samples: ${watch.largestGapMs()} ms`);
    assert.ok(watch.medianGapMs() < 250, `median gap between samples: ${watch.medianGapMs()} ms`);
    measured["samples"] = watch.samples.length;
    measured["medianSampleGap"] = watch.medianGapMs();
    measured["largestSampleGap"] = watch.largestGapMs();
  });
});
