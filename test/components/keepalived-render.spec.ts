import { strict as assert } from "assert";
import { execFile, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { KEEPALIVED_CONFIG_PATH } from "../../components/conventions";
import {
  API_CHECK_SCRIPT_PATH,
  DETECT_INTERFACE_SCRIPT_PATH,
  GARP_MASTER_REFRESH_SECONDS,
  INGRESS_CHECK_SCRIPT_PATH,
  KEEPALIVED_CHECK,
  KEEPALIVED_DROP_IN_PATH,
  KeepalivedConfigArgs,
  NOTIFY_LOG_TAG,
  NOTIFY_SCRIPT_PATH,
  renderApiCheckScript,
  renderDetectInterfaceScript,
  renderIngressCheckScript,
  renderKeepalivedConf,
  renderKeepalivedNode,
  renderNotifyScript,
} from "../../components/keepalived/render";
import { skipTier } from "../support/tiers";

const base: KeepalivedConfigArgs = {
  group: "ingress",
  routerId: "ecmwf-ai-platform-ingress-0",
  interfaceName: "eth0",
  virtualRouterId: 51,
  priority: 110,
  unicastSourceIp: "10.0.50.11",
  unicastPeers: ["10.0.50.12"],
  vip: "10.0.50.5",
  vipPrefixLength: 32,
  advertIntervalSeconds: 1,
};

/** server-0 of the API group: the same segment as the ingress group, so another virtual_router_id. */
const api: KeepalivedConfigArgs = {
  group: "api",
  routerId: "ecmwf-ai-platform-server-0",
  interfaceName: "eth0",
  virtualRouterId: 52,
  priority: 200,
  unicastSourceIp: "10.0.50.11",
  unicastPeers: ["10.0.50.12", "10.0.50.13"],
  vip: "10.0.50.10",
  vipPrefixLength: 32,
  advertIntervalSeconds: 1,
};

function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** A non-loopback interface of this machine: `keepalived -t` rejects interfaces that do not exist. */
function localInterface(): string | undefined {
  return Object.entries(os.networkInterfaces())
    .filter(([, addrs]) => (addrs ?? []).some((a) => !a.internal))
    .map(([name]) => name)
    .sort()[0];
}

describe("keepalived renderer", () => {
  it("renders unicast VRRP, BACKUP with nopreempt, the check script tracked and the VIP on the interface", () => {
    const conf = renderKeepalivedConf({ ...base, unicastPeers: ["10.0.50.13", "10.0.50.12"] });
    assert.match(conf, /^\s+state BACKUP$/m);
    assert.match(conf, /^\s+nopreempt$/m);
    assert.match(conf, /^\s+unicast_src_ip 10\.0\.50\.11$/m);
    assert.match(conf, /unicast_peer \{\n\s+10\.0\.50\.12\n\s+10\.0\.50\.13\n\s+\}/);
    assert.match(conf, /virtual_ipaddress \{\n\s+10\.0\.50\.5\/32 dev eth0\n/);
    assert.match(conf, /^\s+virtual_router_id 51$/m);
    assert.match(conf, /^\s+advert_int 1$/m);
    assert.match(conf, new RegExp(`script "${INGRESS_CHECK_SCRIPT_PATH}"`));
    assert.match(conf, /track_script \{\n\s+check_ingress\n/);
    assert.match(conf, /^\s+enable_script_security$/m);
    assert.doesNotMatch(conf, /mcast|vrrp_strict|state MASTER|authentication/);
  });

  it("renders the same bytes whatever the order of peers", () => {
    const a = renderKeepalivedConf({ ...base, unicastPeers: ["10.0.50.9", "10.0.50.12", "10.0.50.100"] });
    const b = renderKeepalivedConf({ ...base, unicastPeers: ["10.0.50.100", "10.0.50.9", "10.0.50.12"] });
    assert.equal(a, b);
    assert.ok(a.indexOf("10.0.50.9\n") < a.indexOf("10.0.50.12\n"), "peers sorted numerically");
  });

  it("renders the API group with its own instance, check script and the supervisor's /ping", () => {
    const conf = renderKeepalivedConf({ ...api, unicastPeers: ["10.0.50.13", "10.0.50.12"] });
    assert.match(conf, /^vrrp_instance api_vip \{$/m);
    assert.match(conf, /^vrrp_script check_api \{$/m);
    assert.match(conf, new RegExp(`script "${API_CHECK_SCRIPT_PATH}"`));
    assert.match(conf, /track_script \{\n\s+check_api\n/);
    assert.match(conf, /virtual_ipaddress \{\n\s+10\.0\.50\.10\/32 dev eth0\n/);
    assert.match(conf, /unicast_peer \{\n\s+10\.0\.50\.12\n\s+10\.0\.50\.13\n\s+\}/);
    assert.doesNotMatch(conf, /ingress/);
    const script = renderApiCheckScript();
    assert.match(script, /'https:\/\/127\.0\.0\.1:9345\/ping'/);
    // The apiserver is a static pod apart from the supervisor: the check asks it too, over verified TLS.
    assert.match(
      script,
      /--cacert \S+ --max-time 1 --output \/dev\/null --write-out '%\{http_code\}' 'https:\/\/127\.0\.0\.1:6443\/readyz'/,
    );
    assert.match(script, /^ {2}200\|401\|403\) exit 0 ;;$/m);
    // Two requests share curl's budget, so the script ends before keepalived's timeout kills it.
    assert.equal([...script.matchAll(/--max-time 1 /g)].length, 2);
    assert.ok(2 * 1 <= KEEPALIVED_CHECK.curlMaxTimeSeconds);
  });

  it("gives a node of either group its configuration, its check script, the package and the service", () => {
    for (const [args, script] of [
      [api, API_CHECK_SCRIPT_PATH],
      [base, INGRESS_CHECK_SCRIPT_PATH],
    ] as const) {
      const node = renderKeepalivedNode(args);
      const byPath = new Map(node.files.map((f) => [f.path, f]));
      assert.equal(byPath.get(KEEPALIVED_CONFIG_PATH)?.content, renderKeepalivedConf(args));
      assert.equal(byPath.get(KEEPALIVED_CONFIG_PATH)?.permissions, "0600");
      assert.equal(byPath.get(script)?.permissions, "0755");
      assert.match(byPath.get(script)?.content ?? "", /^#!\/bin\/sh\n/);
      assert.deepEqual(node.packages, ["keepalived"]);
      assert.deepEqual(node.services, ["keepalived.service"]);
      const paths = node.files.map((f) => f.path);
      assert.deepEqual(paths, [...paths].sort(), "files sorted by path");
    }
  });

  const snapshots: [string, () => string][] = [
    ["keepalived.conf.snap", () => renderKeepalivedConf({ ...base, authPass: "s3cr3t00" })],
    ["check_ingress.sh.snap", () => renderIngressCheckScript()],
    ["keepalived-api.conf.snap", () => renderKeepalivedConf(api)],
    ["check_api.sh.snap", () => renderApiCheckScript()],
  ];
  for (const [file, render] of snapshots) {
    it(`renders ${file.replace(".snap", "")} unchanged (snapshot; UPDATE_SNAPSHOTS=1 rewrites it)`, () => {
      const snapshot = path.join(__dirname, "__snapshots__", file);
      if (process.env["UPDATE_SNAPSHOTS"] === "1") fs.writeFileSync(snapshot, render());
      assert.equal(render(), fs.readFileSync(snapshot, "utf8"));
    });
  }

  it("renders PASS authentication only when a secret is given", () => {
    assert.match(
      renderKeepalivedConf({ ...base, authPass: "abc12345" }),
      /auth_type PASS\n\s+auth_pass abc12345\n/,
    );
  });

  it("without an interface override, includes the interface detected at boot and ships the detection", () => {
    const { interfaceName: _omitted, ...detected } = api;
    const conf = renderKeepalivedConf(detected);
    assert.match(conf, /^includer interface\.conf$/m);
    assert.match(conf, /^\s+interface \$\{XCLUSTER_INTERFACE\}$/m);
    assert.match(conf, /^\s+10\.0\.50\.10\/32 dev \$\{XCLUSTER_INTERFACE\}$/m);
    assert.doesNotMatch(conf, /ens3|eth0/);
    const node = renderKeepalivedNode(detected);
    const dropIn = node.files.find((f) => f.path === KEEPALIVED_DROP_IN_PATH);
    assert.equal(dropIn?.permissions, "0644");
    assert.match(
      dropIn?.content ?? "",
      /^\[Service\]\nExecStartPre=\/etc\/keepalived\/detect_interface\.sh \/etc\/keepalived\/interface\.conf$/m,
    );
    const detect = node.files.find((f) => f.path === DETECT_INTERFACE_SCRIPT_PATH);
    assert.equal(detect?.content, renderDetectInterfaceScript("10.0.50.11"));
    assert.equal(detect?.permissions, "0755");
  });

  it("with an interface override, writes it literally and ships no detection", () => {
    const conf = renderKeepalivedConf({ ...api, interfaceName: "enp1s0" });
    assert.match(conf, /^\s+interface enp1s0$/m);
    assert.match(conf, /dev enp1s0$/m);
    assert.doesNotMatch(conf, /includer|XCLUSTER_INTERFACE/);
    const paths = renderKeepalivedNode({ ...api, interfaceName: "enp1s0" }).files.map((f) => f.path);
    assert.ok(!paths.includes(KEEPALIVED_DROP_IN_PATH) && !paths.includes(DETECT_INTERFACE_SCRIPT_PATH));
  });

  it("refreshes gratuitous ARP, notifies every state change, and bounds each check in time", () => {
    for (const args of [api, base]) {
      const conf = renderKeepalivedConf(args);
      assert.match(conf, new RegExp(`^\\s+garp_master_refresh ${GARP_MASTER_REFRESH_SECONDS}$`, "m"));
      assert.match(conf, new RegExp(`^\\s+notify ${NOTIFY_SCRIPT_PATH}$`, "m"));
      assert.match(conf, new RegExp(`^\\s+timeout ${KEEPALIVED_CHECK.timeoutSeconds}$`, "m"));
      assert.match(conf, /^\s+init_fail$/m);
    }
    assert.ok(
      KEEPALIVED_CHECK.curlMaxTimeSeconds < KEEPALIVED_CHECK.timeoutSeconds,
      "curl gives up before keepalived kills the script",
    );
    assert.match(
      renderIngressCheckScript(),
      new RegExp(`--max-time ${KEEPALIVED_CHECK.curlMaxTimeSeconds} `),
    );
    const notify = renderNotifyScript(api);
    assert.match(notify, new RegExp(`logger -t ${NOTIFY_LOG_TAG} `));
    assert.match(notify, /MASTER\) holds="holds the API VIP 10\.0\.50\.10"/);
  });

  it("keeps the whole node under one directory when asked (tests run it from a temporary one)", () => {
    const node = renderKeepalivedNode({ ...api, interfaceName: undefined, directory: "/tmp/x" });
    const conf = node.files.find((f) => f.path === "/tmp/x/keepalived.conf")?.content ?? "";
    assert.match(conf, /script "\/tmp\/x\/check_api\.sh"/);
    assert.match(conf, /notify \/tmp\/x\/notify\.sh/);
    const dropIn = node.files.find((f) => f.path === KEEPALIVED_DROP_IN_PATH)?.content ?? "";
    assert.match(dropIn, /ExecStartPre=\/tmp\/x\/detect_interface\.sh \/tmp\/x\/interface\.conf/);
    assert.deepEqual(
      node.files.map((f) => f.path).filter((p) => !p.startsWith("/tmp/x/")),
      [KEEPALIVED_DROP_IN_PATH],
    );
  });

  it("writes the configuration where the policies look for it by default", () => {
    const paths = renderKeepalivedNode(base).files.map((f) => f.path);
    assert.ok(paths.includes(KEEPALIVED_CONFIG_PATH));
  });

  it("renders the API group of a single-server cluster without unicast keywords (nobody to advertise to)", () => {
    const conf = renderKeepalivedConf({ ...api, unicastPeers: [] });
    assert.doesNotMatch(conf, /unicast_src_ip|unicast_peer/);
    assert.match(conf, /virtual_ipaddress \{\n\s+10\.0\.50\.10\/32 dev/);
  });

  const rejected: [string, Partial<KeepalivedConfigArgs>, RegExp][] = [
    ["no peers (multicast fallback)", { unicastPeers: [] }, /unicastPeers: empty/],
    ["itself as a peer", { unicastPeers: ["10.0.50.11"] }, /own address/],
    ["duplicate peers", { unicastPeers: ["10.0.50.12", "10.0.50.12"] }, /duplicates/],
    [
      "a virtual router id of 0",
      { virtualRouterId: 0 },
      /virtualRouterId: out of range \(got 0; allowed: an integer from 1 to 255\)/,
    ],
    ["a virtual router id of 256", { virtualRouterId: 256 }, /virtualRouterId/],
    ["priority 255 (reserved for the address owner)", { priority: 255 }, /priority/],
    ["an auth secret keepalived would truncate", { authPass: "123456789" }, /authPass/],
    ["a VIP that is a node address", { vip: "10.0.50.12" }, /vip: equals a node address/],
    ["a malformed address", { unicastSourceIp: "10.0.50.300" }, /unicastSourceIp: not an IPv4 address/],
    ["a router id with spaces", { routerId: "ingress 0" }, /routerId/],
    [
      "a group that is neither api nor ingress",
      { group: "etcd" as KeepalivedConfigArgs["group"] },
      /group: unknown \(got "etcd"; allowed: api, ingress\)/,
    ],
    ["a relative directory", { directory: "etc/keepalived" }, /directory: not an absolute path/],
    [
      "an interface name longer than 15 characters",
      { interfaceName: "averyveryverylongif" },
      /interfaceName/,
    ],
  ];
  for (const [what, change, message] of rejected) {
    it(`rejects ${what}`, () => {
      assert.throws(() => renderKeepalivedConf({ ...base, ...change }), message);
    });
  }

  it("rejects several problems at once, naming each", () => {
    assert.throws(
      () => renderKeepalivedConf({ ...base, priority: 0, advertIntervalSeconds: 0, unicastPeers: [] }),
      (e: Error) =>
        /priority/.test(e.message) &&
        /advertIntervalSeconds/.test(e.message) &&
        /unicastPeers/.test(e.message),
    );
  });

  it("rejects a node address the detection script could not match", () => {
    assert.throws(() => renderDetectInterfaceScript("10.0.50"), /nodeIp: not an IPv4 address/);
  });

  it("rejects a health URL that could break out of the script's quoting", () => {
    assert.throws(
      () => renderIngressCheckScript({ url: "http://x/'; rm -rf /'" }),
      /url: not a plain http\(s\) URL/,
    );
  });
});

describe("keepalived renderer, checked by the real tools", function () {
  let dir: string;
  before(function () {
    if (!hasCommand("keepalived"))
      skipTier(this, "keepalived", "keepalived is not installed (CI installs it: .ci/run)", "ci");
    // mkdtemp makes a 0700 directory, so keepalived's script security finds the script not writable by others.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-keepalived-"));
  });
  after(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  function configTest(conf: string): { status: number | null; output: string } {
    const file = path.join(dir, `keepalived-${Math.random().toString(36).slice(2)}.conf`);
    fs.writeFileSync(file, conf);
    const r = spawnSync("keepalived", ["--config-test", "-f", file], { encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it("keepalived --config-test accepts every rendered configuration", () => {
    const iface = localInterface();
    assert.ok(
      iface !== undefined,
      "this machine has no non-loopback interface for keepalived to check against",
    );
    const variants: Partial<KeepalivedConfigArgs>[] = [
      {},
      { authPass: "abc12345" },
      { group: "api", routerId: "c1-server-0", unicastPeers: ["10.0.50.12", "10.0.50.13"] },
      // A single-server (dev) cluster: the API group of one.
      { group: "api", routerId: "c1-server-0", unicastPeers: [] },
      { unicastPeers: ["10.0.50.12", "10.0.50.13"], priority: 1, advertIntervalSeconds: 3 },
      { virtualRouterId: 255, priority: 254, vipPrefixLength: 24 },
      {
        virtualRouterId: 1,
        routerId: "c1-ingress-1",
        unicastSourceIp: "10.0.50.12",
        unicastPeers: ["10.0.50.11"],
      },
    ];
    for (const v of variants) {
      const args: KeepalivedConfigArgs = { ...base, interfaceName: iface, directory: dir, ...v };
      // The scripts the configuration names must exist: keepalived -t disables a missing track script.
      for (const f of renderKeepalivedNode(args).files) {
        if (f.path.startsWith(dir))
          fs.writeFileSync(f.path, f.content, { mode: Number.parseInt(f.permissions, 8) });
      }
      const conf = renderKeepalivedConf(args);
      const r = configTest(conf);
      assert.equal(r.status, 0, `keepalived -t rejected ${JSON.stringify(v)}:\n${r.output}\n${conf}`);
      assert.equal(r.output, "", `keepalived -t warned about ${JSON.stringify(v)}`);
    }
  });

  it("keepalived --config-test rejects what the renderer refuses to produce (the check is real)", () => {
    const conf = renderKeepalivedConf({
      ...base,
      interfaceName: localInterface() ?? "eth0",
      directory: dir,
    });
    const r = configTest(conf.replace("virtual_router_id 51", "virtual_router_id 300"));
    assert.notEqual(r.status, 0);
    assert.match(r.output, /300/);
  });

  it("systemd merges the interface drop-in into Debian's keepalived.service, and its ExecStartPre is the rendered detection script", function () {
    // The unit as the Debian keepalived package installs it (bookworm: /lib/systemd/system), the drop-in
    // and the detection script where the renderer puts them, in a throwaway root for systemd-analyze.
    const unit = "/lib/systemd/system/keepalived.service";
    if (!hasCommand("systemd-analyze") || !fs.existsSync(unit))
      skipTier(this, "systemd", `systemd-analyze or ${unit} is missing`, "ci");
    const root = fs.mkdtempSync(path.join(dir, "root-"));
    const put = (p: string, content: string | Buffer, mode: number) => {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), content, { mode });
    };
    const { interfaceName: _omitted, ...detected } = api;
    const files = renderKeepalivedNode(detected).files;
    for (const f of files) put(f.path, f.content, Number.parseInt(f.permissions, 8));
    put("/etc/systemd/system/keepalived.service", fs.readFileSync(unit), 0o644);
    for (const bin of ["/usr/sbin/keepalived", "/bin/kill"]) put(bin, fs.readFileSync(bin), 0o755);
    for (const t of [
      "sysinit.target",
      "basic.target",
      "shutdown.target",
      "multi-user.target",
      "network-online.target",
    ])
      if (fs.existsSync(`/lib/systemd/system/${t}`))
        put(`/lib/systemd/system/${t}`, fs.readFileSync(`/lib/systemd/system/${t}`), 0o644);
    const verify = () =>
      spawnSync("systemd-analyze", ["verify", `--root=${root}`, "keepalived.service"], { encoding: "utf8" });
    const ok = verify();
    assert.equal(`${ok.stdout}${ok.stderr}`.trim(), "", "systemd-analyze verify: no complaint");
    assert.equal(ok.status, 0);
    const dropIn = files.find((f) => f.path === KEEPALIVED_DROP_IN_PATH)!;
    assert.match(dropIn.content, new RegExp(`^ExecStartPre=${DETECT_INTERFACE_SCRIPT_PATH} `, "m"));
    // The check is real: systemd reads the drop-in and checks the command it names.
    fs.rmSync(path.join(root, DETECT_INTERFACE_SCRIPT_PATH));
    assert.match(`${verify().stderr}`, /detect_interface\.sh is not executable/);
  });

  it("every rendered script is valid sh", () => {
    const { interfaceName: _omitted, ...detected } = api;
    for (const f of renderKeepalivedNode({ ...detected, directory: dir }).files) {
      if (!f.path.endsWith(".sh")) continue;
      const script = path.join(dir, `syntax-${path.basename(f.path)}`);
      fs.writeFileSync(script, f.content, { mode: 0o755 });
      execFileSync("sh", ["-n", script]);
    }
  });

  it("the check script exits 0 while the controller is healthy and 1 when it is not", async function () {
    if (!hasCommand("curl")) skipTier(this, "curl", "curl is not installed", "nowhere");
    let healthy = true;
    const server = http.createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end(healthy ? "ok" : "unhealthy");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const script = path.join(dir, "behaviour.sh");
      fs.writeFileSync(script, renderIngressCheckScript({ url: `http://127.0.0.1:${port}/healthz` }), {
        mode: 0o755,
      });
      const run = () =>
        new Promise<number | null>((resolve) =>
          execFile(script, (e) => resolve(e === null ? 0 : typeof e.code === "number" ? e.code : null)),
        );
      assert.equal(await run(), 0);
      healthy = false;
      assert.equal(await run(), 1);
      server.close();
      assert.equal(await run(), 1, "an unreachable controller counts as unhealthy");
    } finally {
      server.close();
    }
  });
});
