#!/usr/bin/env bash
# Build conftest (Open Policy Agent's tool for testing structured data with Rego) from Go modules into
# .conftest-tools/<version>/bin, for the docs example that runs a Rego policy over `xcluster plan --json`
# (docs/plan-report.md, docs/examples/conftest/). Prints that bin directory as the LAST line of stdout
# (all other messages go to stderr). A cached build is reused. Usage:
#   CONFTEST_BIN="$(bash scripts/setup-conftest.sh | tail -n 1)"
#
# conftest v0.71.1's go.mod has no replace directives, so `go install module@version` builds it as
# released; it requires go 1.26.8 (its go.mod `go` line) and embeds OPA v1.21.1. The version string is
# set as the project's Makefile does (-X github.com/open-policy-agent/conftest/internal/version.Version).
# Measured here (2 shared cores, load ~12, nice 10, cold module cache): 4 min 16 s wall including the
# module downloads, 104 MB binary.
#
# Environment:
#   CONFTEST_VERSION          module version (default v0.71.1)
#   CONFTEST_TOOLS_DIR        cache root (default <repo>/.conftest-tools, gitignored)
#   CONFTEST_SETUP_NO_BUILD=1 never build: print the cached bin directory, else fail
#   CONFTEST_BUILD_JOBS       go build -p (default 2)
set -euo pipefail

CONFTEST_VERSION="${CONFTEST_VERSION:-v0.71.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${CONFTEST_TOOLS_DIR:-$ROOT/.conftest-tools}/$CONFTEST_VERSION"
BIN_DIR="$TOOLS_DIR/bin"
JOBS="${CONFTEST_BUILD_JOBS:-2}"

log() { echo "setup-conftest: $*" >&2; }
die() { log "error: $*"; exit 1; }

stamp="$CONFTEST_VERSION $(go env GOVERSION 2>/dev/null || echo nogo) $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if [ -x "$BIN_DIR/conftest" ] && [ "$(cat "$TOOLS_DIR/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$BIN_DIR"
  exit 0
fi
[ "${CONFTEST_SETUP_NO_BUILD:-0}" = 1 ] && die "no cached build in $BIN_DIR (run scripts/setup-conftest.sh)"
command -v go >/dev/null || die "go is not installed"

mkdir -p "$BIN_DIR"
log "building conftest $CONFTEST_VERSION (about 4 minutes cold on 2 cores)"
GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install -p "$JOBS" \
  -ldflags "-s -w -X github.com/open-policy-agent/conftest/internal/version.Version=${CONFTEST_VERSION#v}" \
  "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" >&2

"$BIN_DIR/conftest" --version >&2
echo "$stamp" > "$TOOLS_DIR/stamp"
echo "$BIN_DIR"
