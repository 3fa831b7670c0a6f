/**
 * Bootstrap or join, decided on the node at first boot and never by index alone: a shell script that
 * cloud-init runs on every server before RKE2 starts. A server initialises a new etcd cluster only when
 * it is the designated first server, nothing answers at the registration address, and it has no etcd
 * data; otherwise it joins. A rebuilt server-0 therefore joins the running cluster instead of starting a
 * second one with the same CA, token and address (a split brain clients would accept).
 *
 * RKE2 facts it relies on (rke2 v1.33.3+rke2r1 and the k3s module it pins,
 * github.com/k3s-io/k3s v1.33.3-0.20250715012419-cf2ef56313e8):
 * - the supervisor listens on 9345 (rke2 pkg/cli/defaults/defaults.go `SupervisorPort = 9345`) and
 *   answers `GET /ping` with `pong` without authentication (k3s pkg/server/handlers/router.go
 *   `router.Handle("/ping", Ping())`, outside the authenticated routers);
 * - the server data dir is `<data-dir>/server` with data-dir `/var/lib/rancher/rke2` (rke2
 *   pkg/cli/cmds/server.go `rke2Path`), and k3s counts etcd as initialised when
 *   `<server data dir>/db/etcd/member/wal` is a directory (k3s pkg/etcd/etcd.go `dbDir`, `walDir`,
 *   `IsInitialized`);
 * - RKE2 merges `config.yaml.d/*.yaml` over `config.yaml` (k3s pkg/configfilearg/parser.go `dotDFiles`,
 *   used by rke2 main.go `configfilearg.MustParse`), so the join decision is a drop-in file holding only
 *   `server:` and the rendered config.yaml stays the same on every server.
 *
 * The script is static (no value is interpolated into it); what differs per node comes as arguments, so
 * the tests run the very same text against a temporary root and a stubbed `curl`.
 */
import { PORTS } from "../conventions";

/** Where cloud-init writes the script on servers. */
export const BOOTSTRAP_SCRIPT_PATH = "/usr/local/sbin/xcluster-rke2-bootstrap";
/** The drop-in holding `server:` when the node joins. */
export const JOIN_DROP_IN = "config.yaml.d/50-xcluster-join.yaml";

/** How long the first server looks for a running cluster before it initialises a new one. */
export interface ProbeSettings {
  /** Probes of `/ping` before concluding that nothing answers. @default 10 */
  readonly attempts: number;
  /** Pause between probes. @default 6 */
  readonly intervalSeconds: number;
  /** Connect and total timeout of one probe. @default 5 */
  readonly timeoutSeconds: number;
}

export const DEFAULT_PROBE: ProbeSettings = { attempts: 10, intervalSeconds: 6, timeoutSeconds: 5 };

export interface BootstrapInvocation {
  /** The fixed registration address (API VIP or Octavia API VIP), without scheme or port. */
  readonly registrationAddress: string;
  /** True only for the designated first server (server-0). */
  readonly firstServer: boolean;
  /** @default DEFAULT_PROBE */
  readonly probe?: ProbeSettings;
}

const ADDRESS = /^[A-Za-z0-9.:-]+$/;

/** The script's text (bash; checked by shellcheck and run by the tests). */
export function renderBootstrapScript(): string {
  return `#!/bin/bash
# Decides whether this RKE2 server initialises a new cluster or joins a running one (xcluster,
# components/rke2/bootstrap-script.ts). Runs once, from cloud-init, before rke2-server starts.
set -euo pipefail

usage() {
  echo "usage: $0 --registration ADDRESS --role first|other [--data-dir DIR] [--config-dir DIR]" \\
    "[--attempts N] [--interval SECONDS] [--timeout SECONDS]" >&2
  exit 2
}

registration=""
role=""
data_dir=/var/lib/rancher/rke2
config_dir=/etc/rancher/rke2
attempts=${DEFAULT_PROBE.attempts}
interval=${DEFAULT_PROBE.intervalSeconds}
timeout=${DEFAULT_PROBE.timeoutSeconds}
while [ "$#" -gt 0 ]; do
  [ "$#" -ge 2 ] || usage
  case "$1" in
    --registration) registration="$2" ;;
    --role) role="$2" ;;
    --data-dir) data_dir="$2" ;;
    --config-dir) config_dir="$2" ;;
    --attempts) attempts="$2" ;;
    --interval) interval="$2" ;;
    --timeout) timeout="$2" ;;
    *) usage ;;
  esac
  shift 2
done
[ -n "$registration" ] || usage
case "$role" in first | other) ;; *) usage ;; esac

supervisor="https://\${registration}:${PORTS.rke2Supervisor}"
join_file="\${config_dir}/${JOIN_DROP_IN}"
token_file="\${config_dir}/server-token"
server_ca="\${data_dir}/server/tls/server-ca.crt"

log() { echo "xcluster-rke2-bootstrap: $*"; }

# True when a supervisor of *this* cluster answers /ping with pong: its serving certificate must chain to
# the server CA cloud-init wrote (the first server always has it), so nothing else at the address counts.
cluster_answers() {
  local i body
  local trust=()
  if [ -f "$server_ca" ]; then trust=(--cacert "$server_ca"); fi
  for ((i = 1; i <= attempts; i++)); do
    if body=$(curl --silent "\${trust[@]}" --connect-timeout "$timeout" --max-time "$timeout" \\
      "\${supervisor}/ping" 2>/dev/null) && [ "$body" = "pong" ]; then
      return 0
    fi
    if [ "$i" -lt "$attempts" ]; then sleep "$interval"; fi
  done
  return 1
}

# k3s counts etcd as initialised when the write-ahead log directory exists.
has_etcd_data() { [ -d "\${data_dir}/server/db/etcd/member/wal" ]; }

join() {
  mkdir -p "$(dirname "$join_file")"
  printf 'server: %s\\n' "$supervisor" >"$join_file.tmp"
  chmod 0600 "$join_file.tmp"
  mv "$join_file.tmp" "$join_file"
  # The first server was given the bare token secret (it initialises with it); to join it presents the
  # CA-pinned form, the CA being the one cloud-init wrote beside it.
  if [ -f "$token_file" ] && [ -f "$server_ca" ] && ! grep -q '^K10' "$token_file"; then
    local hash secret
    hash=$(sha256sum "$server_ca" | cut -d' ' -f1)
    secret=$(cat "$token_file")
    printf 'K10%s::server:%s\\n' "$hash" "$secret" >"$token_file.tmp"
    chmod 0600 "$token_file.tmp"
    mv "$token_file.tmp" "$token_file"
  fi
  log "join \${supervisor} ($1)"
}

initialise() {
  rm -f "$join_file"
  log "initialise a new cluster ($1)"
}

if [ "$role" != first ]; then
  join "not the designated first server"
elif has_etcd_data; then
  join "etcd data present in \${data_dir}/server/db/etcd"
elif cluster_answers; then
  join "a cluster answers at \${supervisor}"
else
  initialise "designated first server, no etcd data, nothing answered \${supervisor}/ping after \${attempts} probe(s)"
fi
`;
}

/** The runcmd entry that runs the script with this node's arguments. */
export function bootstrapCommand(b: BootstrapInvocation): string[] {
  if (!ADDRESS.test(b.registrationAddress)) {
    throw new Error(`bootstrap: not an address (got ${b.registrationAddress}; allowed a host name or IP)`);
  }
  const p = b.probe ?? DEFAULT_PROBE;
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < (k === "intervalSeconds" ? 0 : 1)) {
      throw new Error(`bootstrap: probe.${k} must be a whole number (got ${v})`);
    }
  }
  return [
    BOOTSTRAP_SCRIPT_PATH,
    "--registration",
    b.registrationAddress,
    "--role",
    b.firstServer ? "first" : "other",
    "--attempts",
    String(p.attempts),
    "--interval",
    String(p.intervalSeconds),
    "--timeout",
    String(p.timeoutSeconds),
  ];
}
