/**
 * The `#cloud-config` user data of every RKE2 node: files first (`write_files` runs before RKE2 is even
 * installed), then `runcmd` installs RKE2 at the pinned version and starts it. Pure and deterministic
 * (sorted keys, files sorted by path); `cloud-init schema` validates the output in the tests.
 *
 * Never written here: passwords (`ssh_pwauth: false`, no `chpasswd`), cloud or Vault credentials. What is
 * written (join tokens, CA keys on the first server) makes the whole user data a secret for the caller.
 */
import { stringify } from "yaml";
import { RKE2_CONFIG_PATH } from "../conventions";

/** One `write_files` entry. */
export interface WriteFile {
  readonly path: string;
  readonly content: string;
  /** Octal mode as a string, as cloud-init's schema requires. */
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

/** RKE2's install script; it verifies the release checksums it downloads. */
export const RKE2_INSTALL_URL = "https://get.rke2.io";

const RKE2_VERSION = /^v\d+\.\d+\.\d+\+rke2r\d+$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9@._-]*$/;

export interface CloudConfigInput {
  /** `INSTALL_RKE2_TYPE`: which RKE2 service the node runs. */
  readonly installType: "server" | "agent";
  /** RKE2 release, e.g. `v1.33.3+rke2r1`. */
  readonly rke2Version: string;
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

function sh(command: string): string[] {
  return ["sh", "-c", command];
}

function renderSysctls(): string {
  return (
    Object.keys(CIS_SYSCTLS)
      .sort()
      .map((k) => `${k}=${CIS_SYSCTLS[k]}`)
      .join("\n") + "\n"
  );
}

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
  const files: WriteFile[] = [
    { path: RKE2_CONFIG_PATH, content: c.rke2Config, permissions: "0600" as const },
    ...(cis ? [{ path: CIS_SYSCTL_PATH, content: renderSysctls(), permissions: "0644" as const }] : []),
    ...c.files,
  ].sort((a, b) => a.path.localeCompare(b.path));
  const paths = files.map((f) => f.path);
  const duplicate = paths.find((p, i) => paths.indexOf(p) !== i);
  if (duplicate !== undefined) throw new Error(`cloud-init: two files for ${duplicate}`);

  const rke2Unit = `rke2-${c.installType}.service`;
  const runcmd: string[][] = [
    ...(cis ? [["sysctl", "--system"]] : []),
    sh(
      `curl -sfL ${RKE2_INSTALL_URL} | INSTALL_RKE2_VERSION='${c.rke2Version}' INSTALL_RKE2_TYPE='${c.installType}' sh -`,
    ),
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
  return `#cloud-config\n${stringify(config, { sortMapEntries: true, lineWidth: 0 })}`;
}
