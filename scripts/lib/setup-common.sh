# Shared by the setup scripts (setup-pulumi.sh, setup-openstack-plugin.sh), which
# source it after setting SETUP_NAME: their log lines, the cache stamp and lock, the Go build settings, and
# a heartbeat for the long steps (a cold build runs for minutes; silence looks like a hang).
#
# Environment:
#   XCLUSTER_HEARTBEAT_SECONDS  seconds between two "still running" lines of a long step (default 30)
# shellcheck shell=bash

# The repository root (this file is scripts/lib/setup-common.sh).
# shellcheck disable=SC2034 # read by the scripts that source this file
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Everything but the result goes to stderr: a script's last stdout line is what it provides.
log() { echo "${SETUP_NAME:-setup}: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# stamp_is FILE STAMP: true when FILE holds STAMP (what the cached build was made from).
stamp_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }

# lock_cache DIR: one build at a time per cache directory (flock on fd 9, released when the script exits).
lock_cache() {
  mkdir -p "$1"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$1/.lock"
    flock 9
  fi
}

# go_build_env DIR JOBS: static binaries, module mode, JOBS packages at once, and go's work directory
# (which grows past 0.5 GB) on disk under DIR instead of a small /tmp, removed when the script exits.
go_build_env() {
  export CGO_ENABLED=0
  export GOFLAGS="-mod=mod -buildvcs=false -p=$2"
  export GOTMPDIR="$1/tmp"
  rm -rf "$GOTMPDIR"
  mkdir -p "$GOTMPDIR"
  trap 'rm -rf "$GOTMPDIR"' EXIT
}

# heartbeat LABEL CMD...: runs CMD (its output as it is) and says on stderr when it starts, every
# XCLUSTER_HEARTBEAT_SECONDS while it runs ("LABEL: still running (95 s)"), and how it ended, with the
# time it took. Returns CMD's exit status. Ctrl-C stops CMD too (a background job ignores SIGINT).
heartbeat() {
  local label="$1" every="${XCLUSTER_HEARTBEAT_SECONDS:-30}" t0=$SECONDS next pid status=0
  shift
  log "$label …"
  "$@" &
  pid=$!
  # shellcheck disable=SC2064 # the pid is meant to be expanded now
  trap "kill $pid 2>/dev/null; exit 130" INT TERM
  next=$((t0 + every))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
      log "$label: still running ($((SECONDS - t0)) s)"
      next=$((next + every))
    fi
  done
  wait "$pid" || status=$?
  trap - INT TERM
  if [ "$status" -eq 0 ]; then
    log "$label: done in $((SECONDS - t0)) s"
  else
    log "$label: failed after $((SECONDS - t0)) s (exit $status)"
  fi
  return "$status"
}
