/**
 * Tier: real bash running the rendered install script, and shellcheck on it. What is stubbed: `curl`
 * (first on PATH: fails or serves a file, as told) and RKE2's install.sh (a script that records the
 * environment it ran with and fails as often as told: the real one would install RKE2 on this machine).
 * Delays are 0 so that retries cost nothing.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { REGISTRIES_PATH, renderCloudConfig } from "../../components/rke2/cloud-init";
import { installCommand, renderInstallScript } from "../../components/rke2/install-script";
import { renderServerConfig } from "../../components/rke2/config";
import { resolveInstall } from "../../spec/resolve";
import { SPEC } from "./rke2-fixtures";
import { skipTier } from "../support/tiers";

/** RKE2's installer as the stubbed download serves it: fails `FAIL_TIMES` times, then records its env. */
const FAKE_INSTALLER = `#!/bin/sh
n=$(cat "$STUB_DIR/install-runs" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$STUB_DIR/install-runs"
if [ "$n" -le "$(cat "$STUB_DIR/install-fails")" ]; then echo "download sha256 does not match" >&2; exit 1; fi
env | grep '^INSTALL_RKE2_' | sort >"$STUB_DIR/install-env"
`;

/** curl: each call takes the next line of `answers`: `fail` (exit 6), `empty`, or `ok` (the installer). */
const CURL_STUB = `#!/bin/bash
n=$(( $(wc -l <"$STUB_DIR/calls" 2>/dev/null || echo 0) + 1 ))
echo "$*" >>"$STUB_DIR/calls"
answer=$(sed -n "\${n}p" "$STUB_DIR/answers")
[ -n "$answer" ] || answer=$(tail -n 1 "$STUB_DIR/answers")
out=""
while [ "$#" -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; fi; shift; done
case "$answer" in
  fail) echo "curl: (6) Could not resolve host" >&2; exit 6 ;;
  empty) : >"$out" ;;
  ok) cp "$STUB_DIR/installer.sh" "$out" ;;
esac
`;

interface Run {
  readonly status: number | null;
  readonly output: string;
  readonly calls: string[];
  readonly installRuns: number;
  /** INSTALL_RKE2_* variables the installer ran with, or undefined when it never succeeded. */
  readonly env: Record<string, string> | undefined;
}

describe("RKE2 install script (real bash, stubbed downloads and installer)", function () {
  this.timeout(30_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  function run(
    command: string[],
    answers: string[],
    installFails = 0,
    airgapDir?: (root: string) => string,
  ): Run {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-install-"));
    roots.push(root);
    const stub = path.join(root, "bin");
    fs.mkdirSync(stub);
    fs.writeFileSync(path.join(stub, "curl"), CURL_STUB, { mode: 0o755 });
    fs.writeFileSync(path.join(stub, "installer.sh"), FAKE_INSTALLER);
    fs.writeFileSync(path.join(stub, "answers"), `${answers.join("\n")}\n`);
    fs.writeFileSync(path.join(stub, "install-fails"), String(installFails));
    fs.writeFileSync(path.join(root, "script"), renderInstallScript());
    const args = command
      .slice(1)
      .map((a) => (airgapDir !== undefined && a === "/opt/rke2-artifacts" ? airgapDir(root) : a));
    const r = spawnSync("bash", [path.join(root, "script"), ...args, "--delay", "0"], {
      encoding: "utf8",
      env: { PATH: `${stub}:/usr/bin:/bin`, STUB_DIR: stub },
    });
    const read = (f: string): string | undefined =>
      fs.existsSync(path.join(stub, f)) ? fs.readFileSync(path.join(stub, f), "utf8") : undefined;
    const envText = read("install-env");
    return {
      status: r.status,
      output: `${r.stdout}${r.stderr}`,
      calls: (read("calls") ?? "")
        .trim()
        .split("\n")
        .filter((l) => l !== ""),
      installRuns: Number(read("install-runs") ?? 0),
      env:
        envText === undefined
          ? undefined
          : Object.fromEntries(
              envText
                .trim()
                .split("\n")
                .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
            ),
    };
  }

  const online = installCommand({ rke2Version: "v1.33.3+rke2r1", installType: "server", attempts: 3 });

  it("downloads the installer to a file over https, fails fast, and runs it with the pinned version and type by the tarball method", () => {
    const r = run(online, ["ok"]);
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(
      r.calls.map((c) => c.replace(/--output \S+/, "--output F")),
      [
        "--fail --silent --show-error --location --proto =https --connect-timeout 10 --max-time 300 --output F https://get.rke2.io",
      ],
    );
    assert.deepEqual(r.env, {
      // tar: never the RPM method install.sh picks where yum exists (it bypasses mirrors and checksums).
      INSTALL_RKE2_METHOD: "tar",
      INSTALL_RKE2_TYPE: "server",
      INSTALL_RKE2_VERSION: "v1.33.3+rke2r1",
    });
    assert.match(r.output, /installed RKE2 v1\.33\.3\+rke2r1 \(server\)/);
  });

  it("retries a failed download, then installs", () => {
    const r = run(online, ["fail", "fail", "ok"]);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.calls.length, 3);
    assert.equal(r.installRuns, 1);
  });

  it("rejects a download that keeps failing, after the bounded attempts, without running anything", () => {
    const r = run(online, ["fail"]);
    assert.equal(r.status, 1);
    assert.equal(r.calls.length, 3);
    assert.equal(r.installRuns, 0);
    assert.match(r.output, /could not download the RKE2 installer from https:\/\/get\.rke2\.io/);
  });

  it("rejects an empty installer instead of running it and exiting 0 (the piped-install failure)", () => {
    const r = run(online, ["empty"]);
    assert.equal(r.status, 1);
    assert.equal(r.installRuns, 0);
    assert.match(r.output, /the RKE2 installer from https:\/\/get\.rke2\.io is empty/);
  });

  it("retries the install when RKE2's installer fails (its checksum check or its own download), then gives up", () => {
    assert.equal(run(online, ["ok"], 2).status, 0);
    const r = run(online, ["ok"], 3);
    assert.equal(r.status, 1);
    assert.equal(r.installRuns, 3);
    assert.match(r.output, /RKE2 v1\.33\.3\+rke2r1 did not install/);
  });

  it("rejects an installer whose sha256 is not the pinned one, and runs the one that is", () => {
    const good = crypto.createHash("sha256").update(FAKE_INSTALLER).digest("hex");
    const pinned = (sha: string): string[] =>
      installCommand({
        rke2Version: "v1.33.3+rke2r1",
        installType: "agent",
        installerSha256: sha,
        attempts: 1,
      });
    const bad = run(pinned("0".repeat(64)), ["ok"]);
    assert.equal(bad.status, 1);
    assert.match(bad.output, new RegExp(`sha256 is ${good}, not the pinned 0{64}`));
    assert.equal(bad.installRuns, 0);
    assert.equal(run(pinned(good), ["ok"]).status, 0);
  });

  it("hands a mirror's URL to RKE2's installer as INSTALL_RKE2_ARTIFACT_URL", () => {
    const mirror = installCommand({
      rke2Version: "v1.33.3+rke2r1",
      installType: "agent",
      installerUrl: "https://mirror.example.org/rke2/install.sh",
      artifacts: { mode: "mirror", url: "https://mirror.example.org/rke2/releases" },
    });
    const r = run(mirror, ["ok"]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.calls[0] ?? "", /https:\/\/mirror\.example\.org\/rke2\/install\.sh$/);
    assert.equal(r.env?.["INSTALL_RKE2_ARTIFACT_URL"], "https://mirror.example.org/rke2/releases");
  });

  it("installs air-gapped from the artifact directory without any download", () => {
    const airgap = installCommand({
      rke2Version: "v1.33.3+rke2r1",
      installType: "server",
      artifacts: { mode: "airgap", path: "/opt/rke2-artifacts" },
    });
    let dir = "";
    const r = run(airgap, ["fail"], 0, (root) => {
      dir = path.join(root, "artifacts");
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "install.sh"), FAKE_INSTALLER);
      return dir;
    });
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(r.calls, []);
    assert.equal(r.env?.["INSTALL_RKE2_ARTIFACT_PATH"], dir);
  });

  it("rejects an air-gapped install whose directory has no install.sh", () => {
    const airgap = installCommand({
      rke2Version: "v1.33.3+rke2r1",
      installType: "server",
      artifacts: { mode: "airgap", path: "/opt/rke2-artifacts" },
    });
    const r = run(airgap, ["ok"], 0, (root) => root);
    assert.equal(r.status, 1);
    assert.match(r.output, /air-gapped install: no install\.sh in/);
  });

  it("rejects unsafe or malformed values when rendering the command", () => {
    assert.throws(
      () =>
        installCommand({
          rke2Version: "v1.33.3+rke2r1",
          installType: "agent",
          installerUrl: "http://get.rke2.io",
          artifacts: { mode: "airgap", path: "relative/dir" },
          installerSha256: "abc",
        }),
      /installerUrl: not an https URL \(got http:\/\/get\.rke2\.io\); installerSha256: not a sha256 \(got abc; .*\); artifacts\.path: not an absolute path \(got relative\/dir\)/,
    );
  });

  it("writes registries.yaml mirrors on every node and system-default-registry on servers only", () => {
    const install = {
      ...resolveInstall(undefined),
      systemDefaultRegistry: "registry.example.org",
      registryMirrors: { "docker.io": ["https://registry.example.org/v2/docker.io"] },
    };
    const c = parse(
      renderCloudConfig({
        installType: "agent",
        rke2Version: "v1.33.3+rke2r1",
        rke2Config: "",
        cisProfile: "",
        files: [],
        install,
      }),
    ) as { write_files: { path: string; content: string; permissions: string }[] };
    const registries = c.write_files.find((f) => f.path === REGISTRIES_PATH);
    assert.equal(registries?.permissions, "0600");
    assert.deepEqual(parse(registries?.content ?? ""), {
      mirrors: { "docker.io": { endpoint: ["https://registry.example.org/v2/docker.io"] } },
    });
    const server = parse(
      renderServerConfig({
        nodeName: "s0",
        nodeIp: "10.0.50.11",
        tlsSans: [],
        rke2: { ...SPEC.rke2, install },
        labels: {},
        taints: [],
        cisProfile: "",
        bootstrap: { mode: "initialise" },
      }),
    ) as Record<string, unknown>;
    assert.equal(server["system-default-registry"], "registry.example.org");
  });

  it("passes shellcheck", function () {
    if (spawnSync("shellcheck", ["--version"]).status !== 0)
      skipTier(this, "shellcheck", "shellcheck is not installed", "ci");
    const r = spawnSync("shellcheck", ["--shell=bash", "-"], {
      input: renderInstallScript(),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout);
  });
});
