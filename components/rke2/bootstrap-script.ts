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
 * It fails closed. The join drop-in is written before anything else, and the first server removes it
 * (initialises) only when it has no etcd data and every probe of every address was refused or timed out
 * (curl exits 7, CURLE_COULDNT_CONNECT, or 28, CURLE_OPERATION_TIMEDOUT: curl(1) "EXIT CODES" and
 * libcurl-errors(3), curl 7.88.1). Any other answer (a TLS or CA error, an HTTP error page, a DNS
 * failure) keeps the join config and says why in the boot log: a server that cannot join stays down,
 * which an operator can fix, rather than start a second cluster, which nobody can undo.
 *
 * What it probes: the registration address and the other servers' own fixed addresses. A rebuilt
 * server-0 thereby finds its peers even when the registration address is in doubt. In the Octavia
 * topology the API load balancer's address is left out: its TCP listener may accept a connection while
 * no member is healthy and then drop it, an answer that is not "nothing there" and would keep a new
 * cluster's first server from ever initialising; its members are the servers probed directly anyway.
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
  /**
   * True only for the designated first server (server-0) of a cluster not yet initialised: only it may
   * initialise. False for every other server, and for server-0 once the stack records the cluster as
   * initialised (a rebuilt server-0 is then join-only, whatever its probes find).
   */
  readonly firstServer: boolean;
  /**
   * Addresses whose supervisor (9345) the first server probes; empty probes nothing (a single server
   * behind Octavia: nothing to find, the etcd-data check and `firstServer` decide).
   * @default [registrationAddress]
   */
  readonly probeAddresses?: readonly string[];
  /** @default DEFAULT_PROBE */
  readonly probe?: ProbeSettings;
}

const ADDRESS = /^[A-Za-z0-9.:-]+$/;

/** The script's text (bash; checked by shellcheck and run by the tests). */
export function renderBootstrapScript(): string {
  return `#!/bin/bash
# Decides whether this RKE2 server initialises a new cluster or joins a running one (xcluster,
# components/rke2/bootstrap-script.ts). Runs once, from cloud-init, before rke2-server starts. Fails
# closed: the join drop-in is written first and removed only when initialising is proven safe.
set -euo pipefail

usage() {
  echo "usage: $0 --registration ADDRESS --role first|other [--probe ADDRESS]... [--data-dir DIR]" \\
    "[--config-dir DIR] [--attempts N] [--interval SECONDS] [--timeout SECONDS]" >&2
  exit 2
}

registration=""
role=""
probes=()
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
    --probe) probes+=("$2") ;;
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

# What a curl exit code means here (curl(1) EXIT CODES and libcurl-errors(3), curl 7.88.1 as on Debian 12):
# 7 CURLE_COULDNT_CONNECT "Failed to connect to host" (refused, no route: nothing listens there) and
# 28 CURLE_OPERATION_TIMEDOUT "Operation timeout" (nothing answered in time) are the only answers that
# mean "nothing is there". Every other one means something is there that we cannot judge.
curl_meaning() {
  case "$1" in
    6) echo "could not resolve the host (curl exit 6)" ;;
    35) echo "TLS handshake failed (curl exit 35)" ;;
    51 | 60) echo "its certificate is not from this cluster's server CA (curl exit $1)" ;;
    52) echo "empty reply (curl exit 52)" ;;
    56) echo "connection broken while receiving (curl exit 56)" ;;
    *) echo "curl exit $1" ;;
  esac
}

# Sets verdict to "nothing" only when every probe of every address was refused or timed out; to
# "cluster" when a supervisor of *this* cluster answered /ping with pong (its certificate chains to the
# server CA cloud-init wrote); to "unclear" when anything else answered. The last two stop probing.
verdict=""
reason=""
probe_supervisors() {
  local i target url body rc
  local trust=()
  if [ -f "$server_ca" ]; then trust=(--cacert "$server_ca"); fi
  if [ "\${#probes[@]}" -eq 0 ]; then
    verdict=nothing
    reason="designated first server, no etcd data, and no other server to probe"
    return 0
  fi
  for ((i = 1; i <= attempts; i++)); do
    for target in "\${probes[@]}"; do
      url="https://\${target}:${PORTS.rke2Supervisor}/ping"
      rc=0
      body=$(curl --silent "\${trust[@]}" --connect-timeout "$timeout" --max-time "$timeout" "$url" 2>/dev/null) || rc=$?
      case "$rc" in
        0)
          if [ "$body" = "pong" ]; then
            verdict=cluster
            reason="a cluster answers at \${url}"
          else
            verdict=unclear
            reason="\${url}: answered, but not with the supervisor's pong"
          fi
          return 0
          ;;
        7 | 28) ;;
        *)
          verdict=unclear
          reason="\${url}: $(curl_meaning "$rc")"
          return 0
          ;;
      esac
    done
    if [ "$i" -lt "$attempts" ]; then sleep "$interval"; fi
  done
  verdict=nothing
  reason="designated first server, no etcd data, and \${probes[*]} refused or timed out on ${PORTS.rke2Supervisor} for \${attempts} probe(s)"
}

# k3s counts etcd as initialised when the write-ahead log directory exists.
has_etcd_data() { [ -d "\${data_dir}/server/db/etcd/member/wal" ]; }

write_join_drop_in() {
  mkdir -p "$(dirname "$join_file")"
  printf 'server: %s\\n' "$supervisor" >"$join_file.tmp"
  chmod 0600 "$join_file.tmp"
  mv "$join_file.tmp" "$join_file"
}

join() {
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

# First, before anything can go wrong: whatever happens next, this server joins unless it is proven that
# it may initialise (and set -e stops cloud-init before rke2-server starts if this script fails).
write_join_drop_in

if [ "$role" != first ]; then
  join "not the designated first server"
elif has_etcd_data; then
  join "etcd data present in \${data_dir}/server/db/etcd"
else
  probe_supervisors
  case "$verdict" in
    nothing)
      rm -f "$join_file"
      log "initialise a new cluster ($reason)"
      ;;
    cluster) join "$reason" ;;
    *) join "not initialising: $reason; a server that cannot join stays down rather than split the cluster" ;;
  esac
fi
`;
}

/** The runcmd entry that runs the script with this node's arguments. */
export function bootstrapCommand(b: BootstrapInvocation): string[] {
  for (const a of [b.registrationAddress, ...(b.probeAddresses ?? [])]) {
    if (!ADDRESS.test(a)) throw new Error(`bootstrap: not an address (got ${a}; allowed a host name or IP)`);
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
    ...(b.firstServer ? (b.probeAddresses ?? [b.registrationAddress]).flatMap((a) => ["--probe", a]) : []),
    "--attempts",
    String(p.attempts),
    "--interval",
    String(p.intervalSeconds),
    "--timeout",
    String(p.timeoutSeconds),
  ];
}
