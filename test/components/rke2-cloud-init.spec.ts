import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { KEEPALIVED_CONFIG_PATH, RKE2_CONFIG_PATH } from "../../components/conventions";
import { INGRESS_CHECK_SCRIPT_PATH } from "../../components/keepalived/render";
import { CIS_SYSCTL_PATH, renderCloudConfig } from "../../components/rke2/cloud-init";
import { INSTALL_SCRIPT_PATH } from "../../components/rke2/install-script";
import { resolveInstall } from "../../spec/resolve";
import { AGENT_TOKEN_PATH, SERVER_TOKEN_PATH } from "../../components/rke2/config";
import { INGRESS_MANIFEST_PATH } from "../../components/rke2/manifests";
import { RKE2_SERVER_TLS_DIR } from "../../components/rke2/pki";
import {
  AGENT_SECRET,
  CA_HASH,
  SERVER_SECRET,
  USER_DATA,
  agentNode,
  firstServer,
  gpuNode,
  ingressNode,
  joiningServer,
} from "./rke2-fixtures";
import { skipTier } from "../support/tiers";

interface CloudConfig {
  write_files: { path: string; content: string; permissions: string }[];
  runcmd: (string | string[])[];
  users?: unknown[];
  packages?: string[];
  ssh_pwauth?: boolean;
}

/** A runcmd entry as the line cloud-init writes (lists joined, strings as they are). */
function line(cmd: string | string[]): string {
  return typeof cmd === "string" ? cmd : cmd.join(" ");
}

function load(userData: string): CloudConfig {
  assert.ok(userData.startsWith("#cloud-config\n"), "user data must start with #cloud-config");
  return parse(userData) as CloudConfig;
}

function file(c: CloudConfig, p: string): { content: string; permissions: string } {
  const f = c.write_files.find((w) => w.path === p);
  assert.ok(f, `no write_files entry for ${p}`);
  return f;
}

function rke2Config(c: CloudConfig): Record<string, unknown> {
  return parse(file(c, RKE2_CONFIG_PATH).content) as Record<string, unknown>;
}

describe("RKE2 cloud-init user data", () => {
  for (const [name, render] of USER_DATA) {
    it(`renders ${name.replace(".snap", "")} unchanged (snapshot; UPDATE_SNAPSHOTS=1 rewrites it)`, () => {
      const snapshot = path.join(__dirname, "__snapshots__", name);
      if (process.env["UPDATE_SNAPSHOTS"] === "1") fs.writeFileSync(snapshot, render());
      assert.equal(render(), fs.readFileSync(snapshot, "utf8"));
    });
  }

  it("writes config.yaml and token files with mode 0600 on every node, and never a password", () => {
    for (const [name, render] of USER_DATA) {
      const text = render();
      const c = load(text);
      assert.equal(file(c, RKE2_CONFIG_PATH).permissions, "0600", name);
      assert.equal(file(c, AGENT_TOKEN_PATH).permissions, "0600", name);
      assert.equal(c.ssh_pwauth, false, name);
      assert.doesNotMatch(text, /chpasswd|passwd:|OS_PASSWORD|application_credential_secret/i, name);
    }
  });

  it("installs the pinned RKE2 release with the node's install type through the install script, then starts its service", () => {
    const expectations: [() => string, string][] = [
      [firstServer, "server"],
      [joiningServer, "server"],
      [agentNode, "agent"],
      [gpuNode, "agent"],
      [ingressNode, "agent"],
    ];
    for (const [render, type] of expectations) {
      const c = load(render());
      assert.equal(file(c, INSTALL_SCRIPT_PATH).permissions, "0700");
      const install = c.runcmd.findIndex((cmd) => cmd[0] === INSTALL_SCRIPT_PATH);
      assert.deepEqual(c.runcmd[install], [
        INSTALL_SCRIPT_PATH,
        "--version",
        "v1.33.3+rke2r1",
        "--type",
        type,
        "--installer-url",
        "https://get.rke2.io",
        "--attempts",
        "5",
      ]);
      assert.ok(!c.runcmd.some((cmd) => line(cmd).includes("| sh")), "never a piped install");
      const start = c.runcmd.findIndex((cmd) => line(cmd) === `systemctl enable --now rke2-${type}.service`);
      assert.ok(start > install, "the service must be enabled after the install");
    }
  });

  it("gives the first server the CA files (keys 0600), the ingress manifest, the etcd user and CIS sysctls", () => {
    const c = load(firstServer());
    for (const name of ["server-ca", "client-ca", "request-header-ca", "etcd/server-ca", "etcd/peer-ca"]) {
      assert.equal(file(c, `${RKE2_SERVER_TLS_DIR}/${name}.crt`).permissions, "0644");
      assert.equal(file(c, `${RKE2_SERVER_TLS_DIR}/${name}.key`).permissions, "0600");
    }
    assert.equal(file(c, `${RKE2_SERVER_TLS_DIR}/service.key`).permissions, "0600");
    assert.match(file(c, INGRESS_MANIFEST_PATH).content, /kind: HelmChartConfig/);
    assert.equal(file(c, SERVER_TOKEN_PATH).content, `${SERVER_SECRET}\n`);
    assert.deepEqual(c.users?.[0], "default");
    assert.deepEqual((c.users?.[1] as { name: string }).name, "etcd");
    assert.match(file(c, CIS_SYSCTL_PATH).content, /vm\.panic_on_oom=0/);
    assert.deepEqual(c.runcmd.slice(0, 2), ["set -e", ["sysctl", "--system"]]);
    assert.equal(rke2Config(c)["server"], undefined);
  });

  it("joins other servers with the CA-pinned server token and gives them no CA keys", () => {
    const c = load(joiningServer());
    assert.equal(rke2Config(c)["server"], "https://10.0.50.9:9345", "through the API VIP");
    assert.equal(file(c, SERVER_TOKEN_PATH).content, `K10${CA_HASH}::server:${SERVER_SECRET}\n`);
    assert.ok(!c.write_files.some((f) => f.path.startsWith(RKE2_SERVER_TLS_DIR)));
    assert.ok(!c.write_files.some((f) => f.path === INGRESS_MANIFEST_PATH));
  });

  it("gives agents only the CA-pinned agent token, never the server token", () => {
    for (const render of [agentNode, gpuNode, ingressNode]) {
      const text = render();
      const c = load(text);
      assert.equal(file(c, AGENT_TOKEN_PATH).content, `K10${CA_HASH}::node:${AGENT_SECRET}\n`);
      assert.doesNotMatch(text, new RegExp(SERVER_SECRET));
      assert.ok(
        !c.write_files.some((f) => f.path === SERVER_TOKEN_PATH || f.path.startsWith(RKE2_SERVER_TLS_DIR)),
      );
      assert.equal(c.users, undefined, "agents need no etcd user");
    }
  });

  it("taints and labels GPU nodes for the GPU operator", () => {
    const c = rke2Config(load(gpuNode()));
    assert.deepEqual(c["node-taint"], ["nvidia.com/gpu=present:NoSchedule"]);
    assert.ok((c["node-label"] as string[]).includes("nvidia.com/gpu.present=true"));
  });

  it("ships keepalived, its check script and the ingress taint on ingress nodes", () => {
    const c = load(ingressNode());
    assert.match(file(c, KEEPALIVED_CONFIG_PATH).content, /virtual_router_id 50/);
    assert.equal(file(c, INGRESS_CHECK_SCRIPT_PATH).permissions, "0755");
    assert.deepEqual(c.packages, ["keepalived"]);
    assert.deepEqual(c.runcmd[c.runcmd.length - 1], ["systemctl", "enable", "--now", "keepalived.service"]);
    const config = rke2Config(c);
    assert.deepEqual(config["node-taint"], ["node-role.xcluster.dev/ingress=true:NoSchedule"]);
    assert.equal(config["server"], "https://10.0.50.9:9345", "through the API VIP, not a server's address");
    assert.equal(config["node-ip"], "10.0.50.5");
  });

  it("ships keepalived holding the API VIP on every server, started after RKE2", () => {
    for (const [render, priority] of [
      [firstServer, 200],
      [joiningServer, 190],
    ] as const) {
      const c = load(render());
      const conf = file(c, KEEPALIVED_CONFIG_PATH).content;
      assert.match(conf, /vrrp_instance api_vip/);
      assert.match(conf, /10\.0\.50\.9\/32/);
      assert.match(conf, new RegExp(`priority ${priority}\\b`));
      assert.deepEqual(c.packages, ["keepalived"]);
      const units = c.runcmd.map((cmd) => line(cmd));
      assert.ok(
        units.indexOf("systemctl enable --now keepalived.service") >
          units.indexOf("systemctl enable --now rke2-server.service"),
        "keepalived starts once RKE2 is up (its check needs the supervisor anyway)",
      );
    }
  });

  const minimal = {
    installType: "agent" as const,
    rke2Config: "",
    cisProfile: "" as const,
    files: [],
    install: resolveInstall(undefined),
  };

  it("rejects a version that is not an RKE2 release (it is interpolated into a shell command)", () => {
    assert.throws(
      () => renderCloudConfig({ ...minimal, rke2Version: "v1.33.3'; rm -rf /'" }),
      /rke2\.version/,
    );
  });

  it("rejects two files for the same path", () => {
    assert.throws(
      () =>
        renderCloudConfig({
          ...minimal,
          rke2Version: "v1.33.3+rke2r1",
          files: [{ path: RKE2_CONFIG_PATH, content: "x", permissions: "0600" }],
        }),
      /two files for \/etc\/rancher\/rke2\/config\.yaml/,
    );
  });
});

describe("cloud-init schema (the real validator)", function () {
  this.timeout(120_000);
  const available = spawnSync("cloud-init", ["--version"]).status === 0;

  before(function () {
    if (!available)
      skipTier(this, "cloud-init", "cloud-init is not installed (CI installs it: .ci/run)", "ci");
  });

  function validate(userData: string): { status: number | null; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-cloud-init-"));
    try {
      const f = path.join(dir, "user-data.yaml");
      fs.writeFileSync(f, userData);
      const r = spawnSync("cloud-init", ["schema", "--config-file", f], { encoding: "utf8" });
      return { status: r.status, output: `${r.stdout}${r.stderr}` };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("accepts the user data of every node role", () => {
    for (const [name, render] of USER_DATA) {
      const r = validate(render());
      assert.equal(r.status, 0, `cloud-init schema rejected ${name}:\n${r.output}`);
      assert.match(r.output, /Valid cloud-config/);
    }
  });

  it("rejects a document with a wrong write_files entry (the check is real)", () => {
    const broken = firstServer().replace('permissions: "0600"', "permissions: 600");
    const r = validate(broken);
    assert.notEqual(r.status, 0, r.output);
  });
});

describe("runcmd as cloud-init runs it (real cloud-init shellify, real sh)", function () {
  this.timeout(60_000);
  // cloud-init's own interpreter (its shebang), not whichever python3 is first on PATH.
  const which = spawnSync("sh", ["-c", "command -v cloud-init"], { encoding: "utf8" }).stdout.trim();
  const shebang = which === "" ? "" : (fs.readFileSync(which, "utf8").split("\n")[0] ?? "");
  const python =
    (shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/)[0] : undefined) ?? "python3";
  const shellify = (runcmd: unknown): string => {
    const r = spawnSync(
      python,
      [
        "-c",
        "import sys,json; from cloudinit.util import shellify; sys.stdout.write(shellify(json.load(sys.stdin)))",
      ],
      { input: JSON.stringify(runcmd), encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  before(function () {
    if (spawnSync(python, ["-c", "import cloudinit.util"]).status !== 0)
      skipTier(this, "cloud-init", `cloud-init's Python module is not importable by ${python}`, "ci");
  });

  /** Runs the script with stub sysctl/systemctl on PATH; says whether systemctl was reached. */
  function run(script: string): { status: number | null; reachedSystemctl: boolean } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-runcmd-"));
    try {
      const bin = path.join(dir, "bin");
      fs.mkdirSync(bin);
      const marker = path.join(dir, "systemctl-ran");
      fs.writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(bin, "sysctl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
      const f = path.join(dir, "runcmd.sh");
      fs.writeFileSync(f, script);
      // The install script's absolute path does not exist here: the install step fails, as a failed
      // download or installer would on a node.
      const r = spawnSync("sh", [f], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
      return { status: r.status, reachedSystemctl: fs.existsSync(marker) };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("stops before starting RKE2 when the install fails, on every node role", () => {
    for (const [name, render] of USER_DATA) {
      const script = shellify(load(render()).runcmd);
      assert.ok(script.startsWith("#!/bin/sh\nset -e\n"), `${name}: ${script.split("\n")[1]}`);
      const r = run(script);
      assert.notEqual(r.status, 0, name);
      assert.equal(r.reachedSystemctl, false, `${name}: rke2 was started after a failed install`);
    }
  });

  it("would start RKE2 after a failed install without set -e (the check is real)", () => {
    const script = shellify(load(firstServer()).runcmd).replace("\nset -e\n", "\n");
    assert.equal(run(script).reachedSystemctl, true);
  });
});
