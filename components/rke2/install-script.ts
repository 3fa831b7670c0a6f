/**
 * Installing RKE2 on a node without `curl … | sh -`: a piped download that fails half-way runs a
 * truncated (or empty) script, and `sh` exits 0, so the node never becomes a node and nothing says so.
 * This static bash script (values come as arguments, the tests run the same text) downloads RKE2's
 * install script to a file with retries, refuses an empty or (when pinned) wrong one, then runs it with
 * the environment that selects the release and where its artifacts come from, retrying the whole install.
 *
 * RKE2's install script at rke2 v1.33.3+rke2r1 (`install.sh`, served at get.rke2.io) does the checksum
 * check itself: it downloads `sha256sum-<arch>.txt` beside the tarball (`download_checksums`) and refuses
 * a tarball whose sha256 differs (`verify_tarball`: "download sha256 does not match"). It reads
 * `INSTALL_RKE2_VERSION`, `INSTALL_RKE2_TYPE`, `INSTALL_RKE2_ARTIFACT_URL` (a mirror of the release
 * downloads; default the GitHub releases) and `INSTALL_RKE2_ARTIFACT_PATH` (a local directory holding
 * `rke2.linux-<arch>.tar.gz`, `sha256sum-<arch>.txt` and the image tarballs: air-gapped installs). It
 * downloads each file once, so a transient failure fails the install; this script retries it.
 */

import type { Rke2ArtifactSource } from "../../spec/types";

/** Where cloud-init writes the script. */
export const INSTALL_SCRIPT_PATH = "/usr/local/sbin/xcluster-rke2-install";
/** RKE2's install script. */
export const RKE2_INSTALLER_URL = "https://get.rke2.io";

export interface InstallInvocation {
  readonly rke2Version: string;
  readonly installType: "server" | "agent";
  /** @default RKE2_INSTALLER_URL (unused when air-gapped) */
  readonly installerUrl?: string;
  /** sha256 the install script must have; undefined: not pinned (it is fetched over verified TLS). */
  readonly installerSha256?: string;
  /** @default { mode: "online" } */
  readonly artifacts?: Rke2ArtifactSource;
  /** Attempts of each download and of the install. @default 5 */
  readonly attempts?: number;
}

const VERSION = /^v\d+\.\d+\.\d+\+rke2r\d+$/;
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/+-]*)?$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The script's text (bash; checked by shellcheck and run by the tests). */
export function renderInstallScript(): string {
  return `#!/bin/bash
# Installs RKE2 (xcluster, components/rke2/install-script.ts). Runs once, from cloud-init.
set -euo pipefail

usage() {
  echo "usage: $0 --version vX.Y.Z+rke2rN --type server|agent [--installer-url URL] [--installer-sha256 HEX]" \\
    "[--artifact-url URL | --artifact-path DIR] [--attempts N] [--delay SECONDS]" >&2
  exit 2
}

version=""
type=""
installer_url=${RKE2_INSTALLER_URL}
installer_sha256=""
artifact_url=""
artifact_path=""
attempts=5
delay=10
while [ "$#" -gt 0 ]; do
  [ "$#" -ge 2 ] || usage
  case "$1" in
    --version) version="$2" ;;
    --type) type="$2" ;;
    --installer-url) installer_url="$2" ;;
    --installer-sha256) installer_sha256="$2" ;;
    --artifact-url) artifact_url="$2" ;;
    --artifact-path) artifact_path="$2" ;;
    --attempts) attempts="$2" ;;
    --delay) delay="$2" ;;
    *) usage ;;
  esac
  shift 2
done
[ -n "$version" ] || usage
case "$type" in server | agent) ;; *) usage ;; esac

log() { echo "xcluster-rke2-install: $*"; }
fail() {
  log "$*" >&2
  exit 1
}

# Runs "$@" up to $attempts times, waiting a little longer after each failure.
retry() {
  local n=1
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      log "giving up after $n attempt(s): $1"
      return 1
    fi
    sleep $((n * delay))
    n=$((n + 1))
  done
}

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
installer="$workdir/install.sh"

if [ -n "$artifact_path" ]; then
  [ -f "$artifact_path/install.sh" ] || fail "air-gapped install: no install.sh in $artifact_path"
  cp "$artifact_path/install.sh" "$installer"
else
  retry curl --fail --silent --show-error --location --proto '=https' --connect-timeout 10 --max-time 300 \\
    --output "$installer" "$installer_url" || fail "could not download the RKE2 installer from $installer_url"
fi
[ -s "$installer" ] || fail "the RKE2 installer from \${artifact_path:-$installer_url} is empty"
if [ -n "$installer_sha256" ]; then
  actual=$(sha256sum "$installer" | cut -d' ' -f1)
  [ "$actual" = "$installer_sha256" ] ||
    fail "the RKE2 installer's sha256 is $actual, not the pinned $installer_sha256"
fi

# The tarball method everywhere: on hosts with yum, install.sh would otherwise pick its RPM method
# (rke2 v1.33.5+rke2r1 install.sh lines 127-129), which installs from Rancher's RPM repositories,
# ignoring INSTALL_RKE2_ARTIFACT_URL and the tarball's sha256 check.
export INSTALL_RKE2_VERSION="$version" INSTALL_RKE2_TYPE="$type" INSTALL_RKE2_METHOD=tar
if [ -n "$artifact_url" ]; then export INSTALL_RKE2_ARTIFACT_URL="$artifact_url"; fi
if [ -n "$artifact_path" ]; then export INSTALL_RKE2_ARTIFACT_PATH="$artifact_path"; fi
# install.sh verifies the release tarball against sha256sum-<arch>.txt itself; it downloads once.
retry sh "$installer" || fail "RKE2 $version did not install"
log "installed RKE2 $version ($type)"
`;
}

/** The runcmd entry that runs the script with this node's arguments; throws on unsafe values. */
export function installCommand(i: InstallInvocation): string[] {
  const problems: string[] = [];
  if (!VERSION.test(i.rke2Version))
    problems.push(`rke2.version: not an RKE2 release (got ${i.rke2Version}; allowed vX.Y.Z+rke2rN)`);
  const installerUrl = i.installerUrl ?? RKE2_INSTALLER_URL;
  if (!HTTPS_URL.test(installerUrl)) problems.push(`installerUrl: not an https URL (got ${installerUrl})`);
  if (i.installerSha256 !== undefined && !SHA256.test(i.installerSha256)) {
    problems.push(
      `installerSha256: not a sha256 (got ${i.installerSha256}; allowed 64 lowercase hex digits)`,
    );
  }
  const a = i.artifacts ?? { mode: "online" };
  if (a.mode === "mirror" && !HTTPS_URL.test(a.url))
    problems.push(`artifacts.url: not an https URL (got ${a.url})`);
  if (a.mode === "airgap" && !ABSOLUTE_PATH.test(a.path))
    problems.push(`artifacts.path: not an absolute path (got ${a.path})`);
  const attempts = i.attempts ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1)
    problems.push(`attempts: not a positive whole number (got ${attempts})`);
  if (problems.length > 0) throw new Error(`RKE2 install: ${problems.join("; ")}`);
  return [
    INSTALL_SCRIPT_PATH,
    "--version",
    i.rke2Version,
    "--type",
    i.installType,
    ...(a.mode === "airgap" ? [] : ["--installer-url", installerUrl]),
    ...(i.installerSha256 !== undefined ? ["--installer-sha256", i.installerSha256] : []),
    ...(a.mode === "mirror" ? ["--artifact-url", a.url] : []),
    ...(a.mode === "airgap" ? ["--artifact-path", a.path] : []),
    "--attempts",
    String(attempts),
  ];
}
