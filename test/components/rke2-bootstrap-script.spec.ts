/**
 * Tier: real bash running the rendered bootstrap-or-join script, and shellcheck on it. What is stubbed:
 * `curl` (a script first on PATH answering as a supervisor would, or not at all: no RKE2 runs here) and
 * the filesystem root (a temporary data dir and config dir passed as the script's own arguments).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
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
import { API_VIP, CA, SERVER_SECRET, firstServer, joiningServer } from "./rke2-fixtures";

const VIP = API_VIP;
const DATA_DIR = path.dirname(path.dirname(RKE2_SERVER_TLS_DIR));
const CONFIG_DIR = path.dirname(SERVER_TOKEN_PATH);

/**
 * A stub `curl`: answers each call with the next line of `answers` (`pong`, another body, or `down` for
 * a connection refused, curl's exit 7), repeating the last line, and logs its arguments.
 */
const CURL_STUB = `#!/bin/bash
n=$(( $(wc -l <"$STUB_DIR/calls" 2>/dev/null || echo 0) + 1 ))
echo "$*" >>"$STUB_DIR/calls"
answer=$(sed -n "\${n}p" "$STUB_DIR/answers")
[ -n "$answer" ] || answer=$(tail -n 1 "$STUB_DIR/answers")
if [ "$answer" = down ]; then exit 7; fi
printf '%s' "$answer"
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
  /** Arguments of every curl call. */
  readonly calls: string[];
  /** The join drop-in's parsed content, or undefined when the node initialises. */
  readonly join: Record<string, unknown> | undefined;
  readonly token: string;
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
  function boot(n: Node, answers: string[], command: string[], probe = { attempts: 3 }): Boot {
    fs.writeFileSync(path.join(n.stub, "answers"), `${answers.join("\n")}\n`);
    const args = [
      ...command
        .slice(1)
        .map((a, i, all) =>
          all[i - 1] === "--attempts" ? String(probe.attempts) : all[i - 1] === "--interval" ? "0" : a,
        ),
      "--data-dir",
      n.dataDir,
      "--config-dir",
      n.configDir,
    ];
    const r = spawnSync("bash", [path.join(n.root, "script"), ...args], {
      encoding: "utf8",
      env: { PATH: `${n.stub}:/usr/bin:/bin`, STUB_DIR: n.stub },
    });
    const callsFile = path.join(n.stub, "calls");
    const joinFile = path.join(n.configDir, JOIN_DROP_IN);
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

  const first = bootstrapCommand({ registrationAddress: VIP, firstServer: true });
  const other = bootstrapCommand({ registrationAddress: VIP, firstServer: false });

  it("initialises a new cluster on the first server when nothing answers and it has no etcd data", () => {
    const n = node({ first: true });
    const r = boot(n, ["down"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.join, undefined, "no server: drop-in");
    assert.equal(r.token, `${SERVER_SECRET}\n`, "the bare token secret it initialises with");
    assert.match(
      r.stdout,
      /initialise a new cluster \(designated first server, no etcd data, nothing answered https:\/\/10\.0\.50\.9:9345\/ping after 3 probe\(s\)\)/,
    );
    // Bounded: exactly the configured probes, each with its own timeouts, at the supervisor's /ping.
    assert.equal(r.calls.length, 3);
    // TLS verified against the cluster's own server CA: an imposter at the address does not count.
    const ca = path.join(n.dataDir, "server", "tls", "server-ca.crt");
    for (const c of r.calls)
      assert.equal(c, `--silent --cacert ${ca} --connect-timeout 5 --max-time 5 https://10.0.50.9:9345/ping`);
  });

  it("joins on the first server when a cluster answers, presenting the CA-pinned server token", () => {
    const r = boot(node({ first: true }), ["pong"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, { server: "https://10.0.50.9:9345" });
    // The same pin Pulumi computes for the other servers: sha256 of the server CA that cloud-init wrote.
    assert.equal(r.token, `${joinToken(caHash(CA.serverCa.cert), "server", SERVER_SECRET)}\n`);
    assert.match(r.stdout, /join https:\/\/10\.0\.50\.9:9345 \(a cluster answers at/);
    assert.equal(r.calls.length, 1);
  });

  it("joins a rebuilt server-0 to the running cluster even when the VIP answers only after a while", () => {
    // Fresh root disk (no etcd data); the other servers are up and the VIP moves to one of them.
    const n = node({ first: true });
    const r = boot(n, ["down", "down", "pong"], first, { attempts: 5 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, { server: "https://10.0.50.9:9345" });
    assert.equal(r.calls.length, 3);
    assert.equal(fs.statSync(path.join(n.configDir, JOIN_DROP_IN)).mode & 0o777, 0o600);
  });

  it("never initialises over existing etcd data, even when nothing answers", () => {
    const r = boot(node({ first: true, etcdData: true }), ["down"], first);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, { server: "https://10.0.50.9:9345" });
    assert.match(r.stdout, /etcd data present/);
    assert.deepEqual(r.calls, [], "no probe needed");
  });

  it("treats an answer that is not the supervisor's pong as nothing answering", () => {
    const r = boot(node({ first: true }), ["<html>503</html>"], first);
    assert.equal(r.join, undefined);
    assert.equal(r.calls.length, 3);
  });

  it("joins every other server without probing and leaves its pinned token alone", () => {
    const r = boot(node({ first: false }), ["down"], other);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.join, { server: "https://10.0.50.9:9345" });
    assert.equal(r.token, "K10x::server:y\n");
    assert.deepEqual(r.calls, []);
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
    if (spawnSync("shellcheck", ["--version"]).status !== 0) {
      if (process.env["CI"] === "true")
        throw new Error("shellcheck is not installed: CI must install the Debian package `shellcheck`");
      this.skip();
    }
    const r = spawnSync("shellcheck", ["--shell=bash", "-"], {
      input: renderBootstrapScript(),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout);
  });
});
