/**
 * The `#cloud-config` user data of every RKE2 node: files first (`write_files` runs before RKE2 is even
 * installed), then `runcmd` installs RKE2 at the pinned version and starts it. Pure and deterministic
 * (sorted keys, files sorted by path); `cloud-init schema` validates the output in the tests.
 *
 * Never written here: passwords (`ssh_pwauth: false`, no `chpasswd`), cloud or Vault credentials. What is
 * written (join tokens, CA keys on the first server) makes the whole user data a secret for the caller.
 */
import { RKE2_CONFIG_PATH } from "../conventions";
import type { Rke2Install } from "../../spec/types";
import { INSTALL_SCRIPT_PATH, installCommand, renderInstallScript } from "./install-script";
import { renderNodeYaml } from "./node-yaml";

/** RKE2's private registry configuration (k3s pkg/cli/cmds/agent.go, `private-registry` default). */
export const REGISTRIES_PATH = "/etc/rancher/rke2/registries.yaml";

/** One `write_files` entry. */
export interface WriteFile {
  readonly path: string;
  readonly content: string;
  /**
   * Octal mode as a string, as cloud-init's schema requires. Anything that holds a secret (a token, a
   * password, a private key, credentials) is written 0600, and only such files are: renderCloudConfig
   * never memoises a 0600 file (components/rke2/node-yaml.ts).
   */
  readonly permissions: "0600" | "0644" | "0700" | "0755";
}

/** Kernel parameters RKE2's CIS profile refuses to start without (RKE2's `rke2-cis-sysctl.conf`). */
export const CIS_SYSCTLS: Readonly<Record<string, string>> = {
  "kernel.panic": "10",
  "kernel.panic_on_oops": "1",
  "vm.overcommit_memory": "1",
  "vm.panic_on_oom": "0",
};
export const CIS_SYSCTL_PATH = "/etc/sysctl.d/60-rke2-cis.conf";

const RKE2_VERSION = /^v\d+\.\d+\.\d+\+rke2r\d+$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9@._-]*$/;

export interface CloudConfigInput {
  /** `INSTALL_RKE2_TYPE`: which RKE2 service the node runs. */
  readonly installType: "server" | "agent";
  /** RKE2 release, e.g. `v1.33.3+rke2r1`. */
  readonly rke2Version: string;
  /** Where the install script and artifacts come from, registry mirrors (install-script.ts). */
  readonly install: Rke2Install;
  /**
   * Basic-auth credentials per registry host[:port], read from Vault by the program (secret values:
   * the user data is a secret). Keys should be those of `install.registryCredentials`.
   * @default none
   */
  readonly registryAuth?: Readonly<Record<string, RegistryAuth>>;
  /** RKE2's config.yaml, written to RKE2_CONFIG_PATH with mode 0600. */
  readonly rke2Config: string;
  /** With `cis`, the CIS kernel parameters are installed, and on servers the `etcd` user RKE2 requires. */
  readonly cisProfile: "cis" | "";
  /** Further files (token files, CA files, manifests, keepalived configuration). */
  readonly files: readonly WriteFile[];
  /**
   * Distribution packages installed before RKE2 (e.g. `keepalived` on ingress nodes).
   * @default []
   */
  readonly packages?: readonly string[];
  /**
   * systemd units enabled and started after RKE2 (e.g. `keepalived.service`).
   * @default []
   */
  readonly extraServices?: readonly string[];
  /**
   * Commands run after RKE2 is installed and before its service starts (the bootstrap-or-join decision).
   * @default []
   */
  readonly beforeStart?: readonly (readonly string[])[];
}

/** Basic-auth credentials of one registry. */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
}

/**
 * RKE2's registries.yaml (rancher/rke2-docs docs/install/private_registry.md, "Registries Configuration
 * File"): `mirrors.<registry>.endpoint` lists the endpoints, and `configs.<registry host[:port]>.auth`
 * holds the `username`/`password` of the registry the endpoint names (keyed by the endpoint's host and
 * port, as in that page's "With Authentication" example). Written 0600: it holds credentials.
 */
export function renderRegistries(
  mirrors: Readonly<Record<string, readonly string[]>>,
  auth: Readonly<Record<string, RegistryAuth>> = {},
): string {
  const doc: Record<string, unknown> = {};
  if (Object.keys(mirrors).length > 0) {
    doc["mirrors"] = Object.fromEntries(
      Object.keys(mirrors)
        .sort()
        .map((host) => [host, { endpoint: [...(mirrors[host] ?? [])] }]),
    );
  }
  if (Object.keys(auth).length > 0) {
    doc["configs"] = Object.fromEntries(
      Object.keys(auth)
        .sort()
        .map((host) => {
          const a = auth[host] as RegistryAuth;
          if (a.username === "" || a.password === "") {
            throw new Error(`registries.yaml: ${host}: empty username or password`);
          }
          return [host, { auth: { username: a.username, password: a.password } }];
        }),
    );
  }
  // Registry credentials: nothing of it is memoised.
  return renderNodeYaml(doc, () => true);
}

function renderSysctls(): string {
  return (
    Object.keys(CIS_SYSCTLS)
      .sort()
      .map((k) => `${k}=${CIS_SYSCTLS[k]}`)
      .join("\n") + "\n"
  );
}

/** Files written 0600 are the ones that may hold a secret (WriteFile): never memoised (node-yaml.ts). */
const secretFile = (key: string, value: unknown): boolean =>
  key === "write_files" && (value as Partial<WriteFile> | null)?.permissions === "0600";

/** Renders the user data. Throws on a version or unit name that would not be safe inside `sh -c`. */
export function renderCloudConfig(c: CloudConfigInput): string {
  if (!RKE2_VERSION.test(c.rke2Version)) {
    throw new Error(`rke2.version: not an RKE2 release (got ${c.rke2Version}; allowed vX.Y.Z+rke2rN)`);
  }
  const extraServices = c.extraServices ?? [];
  const packages = c.packages ?? [];
  for (const unit of [...extraServices, ...packages]) {
    if (!SERVICE_NAME.test(unit)) throw new Error(`cloud-init: unsafe package or unit name (got ${unit})`);
  }
  const cis = c.cisProfile === "cis";
  const mirrors = c.install.registryMirrors;
  const auth = c.registryAuth ?? {};
  const missing = Object.keys(c.install.registryCredentials).filter((h) => auth[h] === undefined);
  if (missing.length > 0) {
    throw new Error(`cloud-init: no credentials read for registry ${missing.join(", ")}`);
  }
  const files: WriteFile[] = [
    { path: RKE2_CONFIG_PATH, content: c.rke2Config, permissions: "0600" as const },
    { path: INSTALL_SCRIPT_PATH, content: renderInstallScript(), permissions: "0700" as const },
    ...(Object.keys(mirrors).length + Object.keys(auth).length > 0
      ? [{ path: REGISTRIES_PATH, content: renderRegistries(mirrors, auth), permissions: "0600" as const }]
      : []),
    ...(cis ? [{ path: CIS_SYSCTL_PATH, content: renderSysctls(), permissions: "0644" as const }] : []),
    ...c.files,
  ].sort((a, b) => a.path.localeCompare(b.path));
  const paths = files.map((f) => f.path);
  const duplicate = paths.find((p, i) => paths.indexOf(p) !== i);
  if (duplicate !== undefined) throw new Error(`cloud-init: two files for ${duplicate}`);

  const rke2Unit = `rke2-${c.installType}.service`;
  // cloud-init joins runcmd into one `#!/bin/sh` script without `-e`, lists quoted and strings verbatim
  // (cloud-init 22.4.2 cloudinit/util.py shellify). `set -e` first: a failed install or bootstrap decision
  // must not go on to start RKE2 (a server-0 whose join decision failed would initialise a second cluster).
  const runcmd: (string | string[])[] = [
    "set -e",
    ...(cis ? [["sysctl", "--system"]] : []),
    installCommand({
      rke2Version: c.rke2Version,
      installType: c.installType,
      installerUrl: c.install.installerUrl,
      ...(c.install.installerSha256 !== undefined ? { installerSha256: c.install.installerSha256 } : {}),
      artifacts: c.install.artifacts,
      attempts: c.install.attempts,
    }),
    ...(c.beforeStart ?? []).map((cmd) => [...cmd]),
    ["systemctl", "enable", "--now", rke2Unit],
    ...extraServices.map((unit) => ["systemctl", "enable", "--now", unit]),
  ];

  const config: Record<string, unknown> = {
    ssh_pwauth: false,
    write_files: files.map((f) => ({
      path: f.path,
      content: f.content,
      permissions: f.permissions,
      owner: "root:root",
    })),
    runcmd,
    ...(packages.length > 0 ? { package_update: true, packages: [...packages].sort() } : {}),
    // The etcd user must exist before rke2-server starts under the CIS profile; `default` keeps the
    // image's login user (the SSH key goes there).
    ...(cis && c.installType === "server"
      ? { users: ["default", { name: "etcd", system: true, shell: "/sbin/nologin", gecos: "etcd user" }] }
      : {}),
  };
  return `#cloud-config\n${renderNodeYaml(config, secretFile)}`;
}
