/**
 * Tier: real bash running the rendered bootstrap-or-join script, and shellcheck on it. What is stubbed:
 * `curl` (a script first on PATH answering as a supervisor would, or not at all: no RKE2 runs here) and
 * the filesystem root (a temporary data dir and config dir passed as the script's own arguments).
 */
import { strict as assert } from "assert";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  BOOTSTRAP_SCRIPT_PATH,
  JOIN_DROP_IN,
  bootstrapCommand,
  renderBootstrapScript,
} from "../../components/rke2/bootstrap-script";
import { SERVER_TOKEN_PATH } from "../../components/rke2/config";
import { INSTALL_SCRIPT_PATH } from "../../components/rke2/install-script";
import { RKE2_SERVER_TLS_DIR, caHash, joinToken } from "../../components/rke2/pki";
import { API_VIP, CA, SERVERS, SERVER_SECRET, firstServer, joiningServer } from "./rke2-fixtures";
import { makePki, type Pki } from "../engine/fixtures/readyz";
import { skipTier } from "../support/tiers";

const VIP = API_VIP;
const DATA_DIR = path.dirname(path.dirname(RKE2_SERVER_TLS_DIR));
const CONFIG_DIR = path.dirname(SERVER_TOKEN_PATH);

/**
 * A stub `curl`: answers each call with the next line of `answers`, repeating the last line, and logs its
 * arguments and whether the join drop-in existed at that moment. An answer is `pong` or `body:<text>`
 * (HTTP 200 with that body, exit 0), or how curl fails: `refused` (exit 7, CURLE_COULDNT_CONNECT),
 * `timeout` (28, CURLE_OPERATION_TIMEDOUT), `tls-ca` (60, a certificate from another CA), `tls` (35, a
 * broken handshake) or `dns` (6, the name does not resolve).
 */
const CURL_STUB = `#!/bin/bash
n=$(( $(wc -l <"$STUB_DIR/calls" 2>/dev/null || echo 0) + 1 ))
if [ -f "$JOIN_FILE" ]; then drop_in=join-file; else drop_in=no-join-file; fi
echo "$drop_in $*" >>"$STUB_DIR/calls"
answer=$(sed -n "\${n}p" "$STUB_DIR/answers")
[ -n "$answer" ] || answer=$(tail -n 1 "$STUB_DIR/answers")
case "$answer" in
  pong) printf pong ;;
  body:*) printf '%s' "\${answer#body:}" ;;
  refused) exit 7 ;;
  timeout) exit 28 ;;
  tls-ca) exit 60 ;;
  tls) exit 35 ;;
  dns) exit 6 ;;
  *) echo "stub: unknown answer $answer" >&2; exit 99 ;;
esac
`;

interface Node {
  readonly root: string;
  readonly dataDir: string;
  readonly configDir: string;
  readonly stub: string;
}

interface Boot {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every curl call: whether the join drop-in existed, then curl's arguments. */
  readonly calls: string[];
  /** The join drop-in's parsed content, or undefined when the node initialises. */
  readonly join: Record<string, unknown> | undefined;
  readonly token: string;
}

/** The bootstrap command cloud-init runs, taken from rendered user data. */
function renderedCommand(userData: string): string[] {
  const c = parse(userData) as { runcmd: (string | string[])[] };
  const cmd = c.runcmd.find((x) => Array.isArray(x) && x[0] === BOOTSTRAP_SCRIPT_PATH);
  if (!Array.isArray(cmd)) throw new Error("no bootstrap command in the user data");
  return cmd;
}

describe("bootstrap-or-join script (real bash, stubbed curl)", function () {
  this.timeout(30_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  /** A fresh node as cloud-init leaves it: the server token, and on the first server the CA files. */
  function node(opts: { first: boolean; etcdData?: boolean }): Node {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-bootstrap-"));
    roots.push(root);
    const dataDir = path.join(root, "data");
    const configDir = path.join(root, "config");
    const stub = path.join(root, "bin");
    fs.mkdirSync(configDir, { recursive: true });
    fs.mkdirSync(stub);
    fs.writeFileSync(path.join(stub, "curl"), CURL_STUB, { mode: 0o755 });
    fs.writeFileSync(
      path.join(configDir, "server-token"),
      `${opts.first ? SERVER_SECRET : "K10x::server:y"}\n`,
    );
    if (opts.first) {
      fs.mkdirSync(path.join(dataDir, "server", "tls"), { recursive: true });
      fs.writeFileSync(path.join(dataDir, "server", "tls", "server-ca.crt"), CA.serverCa.cert);
    }
    if (opts.etcdData === true)
      fs.mkdirSync(path.join(dataDir, "server", "db", "etcd", "member", "wal"), { recursive: true });
    fs.writeFileSync(path.join(root, "script"), renderBootstrapScript(), { mode: 0o700 });
    return { root, dataDir, configDir, stub };
  }

  /** Runs the script as cloud-init would (the rendered command), pointed at the node's directories. */
  function boot(
    n: Node,
    answers: string[],
    command: string[],
    probe = { attempts: 3 },
    pathPrefix = n.stub,
  ): Boot {
    fs.writeFileSync(path.join(n.stub, "answers"), `${answers.join("\n")}\n`);
    const args = [
      ...command
        .slice(1)
        .map((a, i, all) =>
          all[i - 1] === "--attempts"
            ? String(probe.attempts)
            : all[i - 1] === "--interval"
              ? "0"
              : all[i - 1] === "--timeout"
                ? "1"
                : a,
        ),
      "--data-dir",
      n.dataDir,
      "--config-dir",
      n.configDir,
    ];
    const joinFile = path.join(n.configDir, JOIN_DROP_IN);
    const r = spawnSync("bash", [path.join(n.root, "script"), ...args], {
      encoding: "utf8",
      env: { PATH: `${pathPrefix}:/usr/bin:/bin`, STUB_DIR: n.stub, JOIN_FILE: joinFile },
    });
    const callsFile = path.join(n.stub, "calls");
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      calls: fs.existsSync(callsFile) ? fs.readFileSync(callsFile, "utf8").trim().split("\n") : [],
      join: fs.existsSync(joinFile)
        ? (parse(fs.readFileSync(joinFile, "utf8")) as Record<string, unknown>)
        : undefined,
      token: fs.readFileSync(path.join(n.configDir, "server-token"), "utf8"),
    };
  }

  /** Server-0 as rendered for a new cluster: probes the API VIP, then the two other servers. */
  const first = renderedCommand(firstServer());
  const other = bootstrapCommand({ registrationAddress: VIP, firstServer: false });
  const JOINED = { server: "https://10.0.50.9:9345" };
  const PROBED = [API_VIP, ...SERVERS.slice(1)];

  it("initialises a new cluster on the first server when every probe is refused and it has no etcd data", () => {
    const n = node({ first: true });
    const r = boot(n, ["refused"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.join, undefined, "no server: drop-in");
    assert.equal(r.token, `${SERVER_SECRET}\n`, "the bare token secret it initialises with");
    assert.match(
      r.stdout,
      /initialise a new cluster \(designated first server, no etcd data, and 10\.0\.50\.9 10\.0\.50\.12 10\.0\.50\.13 refused or timed out on 9345 for 3 probe\(s\)\)/,
    );
    // Bounded: the configured probes of each address, each with its own timeouts, at /ping, with TLS
    // verified against the cluster's own server CA (an imposter at an address does not count).
    assert.equal(r.calls.length, 3 * PROBED.length);
    const ca = path.join(n.dataDir, "server", "tls", "server-ca.crt");
    r.calls.forEach((c, i) =>
      assert.equal(
        c,
        `join-file --silent --cacert ${ca} --connect-timeout 1 --max-time 1 https://${PROBED[i % 3]}:9345/ping`,
      ),
    );
  });

  it("writes the join drop-in before the first probe, so an interrupted decision joins", () => {
    const r = boot(node({ first: true }), ["refused"], first);
    assert.ok(r.calls.length > 0 && r.calls.every((c) => c.startsWith("join-file ")), r.calls.join("\n"));
  });

  it("initialises when every probe times out", () => {
    const r = boot(node({ first: true }), ["timeout", "refused", "timeout"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.join, undefined);
    assert.match(r.stdout, /initialise a new cluster/);
    assert.equal(r.calls.length, 9);
  });

  it("joins on the first server when a cluster answers, presenting the CA-pinned server token", () => {
    const r = boot(node({ first: true }), ["pong"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, JOINED);
    // The same pin Pulumi computes for the other servers: sha256 of the server CA that cloud-init wrote.
    assert.equal(r.token, `${joinToken(caHash(CA.serverCa.cert), "server", SERVER_SECRET)}\n`);
    assert.match(
      r.stdout,
      /join https:\/\/10\.0\.50\.9:9345 \(a cluster answers at https:\/\/10\.0\.50\.9:9345\/ping\)/,
    );
    assert.equal(r.calls.length, 1);
  });

  it("joins a rebuilt server-0 to the running cluster when its peers answer and the VIP does not yet", () => {
    // Fresh root disk (no etcd data); the others are up, the VIP is between holders for a moment.
    const n = node({ first: true });
    const r = boot(n, ["refused", "refused", "pong"], first, { attempts: 5 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, JOINED);
    assert.match(r.stdout, /a cluster answers at https:\/\/10\.0\.50\.13:9345\/ping/);
    assert.equal(r.calls.length, 3);
    assert.equal(fs.statSync(path.join(n.configDir, JOIN_DROP_IN)).mode & 0o777, 0o600);
  });

  for (const [answer, why] of [
    ["tls-ca", /its certificate is not from this cluster's server CA \(curl exit 60\)/],
    ["tls", /TLS handshake failed \(curl exit 35\)/],
    ["dns", /could not resolve the host \(curl exit 6\)/],
    ["body:<html>503</html>", /answered, but not with the supervisor's pong/],
  ] as const) {
    it(`rejects initialising when a probe gets anything but refused or timed out (${answer.replace("body:", "HTTP ")}): it keeps the join config and says why`, () => {
      // Two quiet probes first: one other answer is enough, however many were refused before it.
      const r = boot(node({ first: true }), ["refused", "timeout", answer], first);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.join, JOINED, "never initialises");
      assert.match(
        r.stdout,
        /join https:\/\/10\.0\.50\.9:9345 \(not initialising: https:\/\/10\.0\.50\.13:9345\/ping: /,
      );
      assert.match(r.stdout, why);
      assert.doesNotMatch(r.stdout, /initialise a new cluster/);
      assert.equal(r.calls.length, 3, "stops probing at the first such answer");
    });
  }

  it("never initialises over existing etcd data, even when nothing answers", () => {
    const r = boot(node({ first: true, etcdData: true }), ["refused"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, JOINED);
    assert.match(r.stdout, /etcd data present/);
    assert.deepEqual(r.calls, [], "no probe needed");
  });

  it("never initialises a server-0 rendered after the stack recorded the cluster as initialised, even when nothing answers", () => {
    const rebuilt = renderedCommand(firstServer({ clusterInitialised: true }));
    assert.deepEqual(rebuilt.slice(1, 5), ["--registration", API_VIP, "--role", "other"]);
    const n = node({ first: true });
    const r = boot(n, ["refused"], rebuilt);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, JOINED);
    assert.deepEqual(r.calls, [], "nothing to probe: it may only join");
    // It still got the CA files, so its bare token becomes the CA-pinned one.
    assert.equal(r.token, `${joinToken(caHash(CA.serverCa.cert), "server", SERVER_SECRET)}\n`);
  });

  it("fails (and so RKE2 never starts) when the join drop-in cannot be written, before any probe", () => {
    const n = node({ first: true });
    fs.writeFileSync(path.join(n.configDir, "config.yaml.d"), "a file where the directory should be");
    const r = boot(n, ["refused"], first);
    assert.notEqual(r.status, 0);
    assert.deepEqual(r.calls, []);
  });

  it("initialises a single server that has no peer to probe (Octavia, one server) only without etcd data", () => {
    const single = bootstrapCommand({ registrationAddress: VIP, firstServer: true, probeAddresses: [] });
    assert.ok(!single.includes("--probe"));
    const r = boot(node({ first: true }), ["pong"], single);
    assert.equal(r.join, undefined);
    assert.match(r.stdout, /no other server to probe/);
    assert.deepEqual(r.calls, []);
    assert.deepEqual(boot(node({ first: true, etcdData: true }), ["refused"], single).join, JOINED);
  });

  it("joins every other server without probing and leaves its pinned token alone", () => {
    const r = boot(node({ first: false }), ["refused"], other);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, JOINED);
    assert.equal(r.token, "K10x::server:y\n");
    assert.deepEqual(r.calls, []);
  });

  describe("with the real curl against loopback (no stub)", () => {
    // The exit codes the decision rests on, from the real tool: nothing listening is 7, a TLS server
    // whose certificate is from another CA is 60. Loopback addresses only; 9345 as in production. The
    // supervisor stand-in runs in its own process (the script runs synchronously from this one).
    let server: ChildProcess | undefined;
    let pki: Pki | undefined;
    let pkiDir = "";
    before(async function () {
      if (spawnSync("curl", ["--version"]).status !== 0 || spawnSync("openssl", ["version"]).status !== 0)
        skipTier(this, "curl", "curl or openssl is not installed", "nowhere");
      pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-bootstrap-tls-"));
      pki = makePki(pkiDir);
      const supervisor = `require("https").createServer({ cert: process.env.CERT, key: process.env.KEY },
        (q, s) => s.end(q.url === "/ping" ? "pong" : "404")).listen(9345, "127.0.0.1", () => console.log("up"));`;
      const child = spawn(process.execPath, ["-e", supervisor], {
        env: { CERT: pki.serverCert, KEY: pki.serverKey },
        stdio: ["ignore", "pipe", "inherit"],
      });
      server = child;
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`supervisor stand-in exited ${code}`)));
      });
    });
    after(() => {
      server?.kill();
      if (pkiDir !== "") fs.rmSync(pkiDir, { recursive: true, force: true });
    });

    /** A first server whose server CA file holds `caCert`. */
    function nodeTrusting(caCert: string): Node {
      const n = node({ first: true });
      fs.writeFileSync(path.join(n.dataDir, "server", "tls", "server-ca.crt"), caCert);
      return n;
    }
    const probing = (...addresses: string[]): string[] =>
      bootstrapCommand({ registrationAddress: "127.0.0.1", firstServer: true, probeAddresses: addresses });

    it("initialises when nothing listens at any probed address (curl exit 7)", () => {
      const r = boot(
        nodeTrusting(pki!.caCert),
        [],
        probing("127.0.0.21", "127.0.0.22"),
        { attempts: 2 },
        "/nonexistent",
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.join, undefined);
      assert.match(r.stdout, /initialise a new cluster/);
    });

    it("rejects initialising when a TLS server with another CA's certificate answers (curl exit 60)", () => {
      const r = boot(
        nodeTrusting(pki!.clientCaCert),
        [],
        probing("127.0.0.22", "127.0.0.1"),
        { attempts: 2 },
        "/nonexistent",
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.join, { server: "https://127.0.0.1:9345" });
      assert.match(
        r.stdout,
        /127\.0\.0\.1:9345\/ping: its certificate is not from this cluster's server CA \(curl exit 60\)/,
      );
    });

    it("joins when a supervisor with the cluster's own CA answers pong", () => {
      const r = boot(
        nodeTrusting(pki!.caCert),
        [],
        probing("127.0.0.22", "127.0.0.1"),
        { attempts: 2 },
        "/nonexistent",
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.join, { server: "https://127.0.0.1:9345" });
      assert.match(r.stdout, /a cluster answers at https:\/\/127\.0\.0\.1:9345\/ping/);
    });
  });

  it("rejects a call without a registration address or with an unknown role (exit 2)", () => {
    const n = node({ first: true });
    for (const args of [
      ["--role", "first"],
      ["--registration", VIP, "--role", "leader"],
      ["--registration"],
    ]) {
      const r = spawnSync("bash", [path.join(n.root, "script"), ...args], { encoding: "utf8" });
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, /usage:/);
    }
  });

  it("rejects a registration address that is not a host name or IP when rendering the command", () => {
    assert.throws(
      () => bootstrapCommand({ registrationAddress: "10.0.0.1; rm -rf /", firstServer: true }),
      /not an address/,
    );
  });

  it("runs from cloud-init on every server after the install and before rke2-server starts", () => {
    assert.equal(DATA_DIR, "/var/lib/rancher/rke2");
    assert.equal(CONFIG_DIR, "/etc/rancher/rke2");
    for (const [render, role] of [
      [firstServer, "first"],
      [joiningServer, "other"],
    ] as const) {
      const c = parse(render()) as {
        runcmd: (string | string[])[];
        write_files: { path: string; content: string; permissions: string }[];
      };
      const script = c.write_files.find((f) => f.path === BOOTSTRAP_SCRIPT_PATH);
      assert.equal(script?.content, renderBootstrapScript());
      assert.equal(script?.permissions, "0700");
      const at = c.runcmd.findIndex((cmd) => cmd[0] === BOOTSTRAP_SCRIPT_PATH);
      assert.deepEqual(c.runcmd[at]?.slice(1, 5), ["--registration", VIP, "--role", role]);
      const install = c.runcmd.findIndex((cmd) => cmd[0] === INSTALL_SCRIPT_PATH);
      const start = c.runcmd.findIndex(
        (cmd) => Array.isArray(cmd) && cmd.join(" ") === "systemctl enable --now rke2-server.service",
      );
      assert.ok(install < at && at < start, `install ${install} < bootstrap ${at} < start ${start}`);
    }
  });

  it("passes shellcheck", function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0)
      skipTier(this, "shellcheck", "shellcheck is not installed", "ci");
    const r = spawnSync("shellcheck", ["--shell=bash", "-"], {
      input: renderBootstrapScript(),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout);
  });
});
