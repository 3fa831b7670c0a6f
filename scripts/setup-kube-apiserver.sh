#!/usr/bin/env bash
# Build a real kube-apiserver and etcd for the teardown tests (issue 16) from Go modules, without
# release binaries, into .kube-tools/<version>/bin, and print that bin directory as the LAST line of
# stdout (all other messages go to stderr). A cached build is reused. Usage:
#   KUBE_TOOLS="$(bash scripts/setup-kube-apiserver.sh)"
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces every staging module with a local
# directory (`k8s.io/api => ./staging/src/k8s.io/api`, …). The Go module proxy serves those staging
# modules at v0.<minor>.<patch> (k8s.io/kubernetes v1.33.13 ↔ k8s.io/api v0.33.13), so a throw-away
# wrapper module requires k8s.io/kubernetes and turns each `./staging/...` replace into that version.
# etcd is the version k8s.io/kubernetes's go.mod requires (go.etcd.io/etcd/server/v3 v3.5.21 for
# v1.33.13); go.etcd.io/etcd/server/v3 is the etcd binary's main package in 3.5.
# Measured here (2 shared cores, load ~15, nice 10, cold module cache): kube-apiserver 15 min 27 s wall,
# 2.2 GB peak RSS, 142 MB binary; etcd 54 s. See docs/adr/0012-kube-apiserver-and-etcd-from-go-modules.md.
#
# Environment:
#   KUBE_VERSION            k8s.io/kubernetes version (default 1.33.13)
#   KUBE_TOOLS_DIR          cache root (default <repo>/.kube-tools, gitignored)
#   KUBE_SETUP_NO_BUILD=1   never build: print the cached bin directory, else fail
#   KUBE_BUILD_JOBS         go build -p (default 2)
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.33.13}"
KUBE_VERSION="${KUBE_VERSION#v}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${KUBE_TOOLS_DIR:-$ROOT/.kube-tools}/$KUBE_VERSION"
BIN_DIR="$TOOLS_DIR/bin"
SRC_DIR="$TOOLS_DIR/src"
JOBS="${KUBE_BUILD_JOBS:-2}"

log() { echo "setup-kube-apiserver: $*" >&2; }
die() { log "error: $*"; exit 1; }

stamp="$KUBE_VERSION $(go env GOVERSION 2>/dev/null || echo nogo) $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if [ -x "$BIN_DIR/kube-apiserver" ] && [ -x "$BIN_DIR/etcd" ] && [ "$(cat "$TOOLS_DIR/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$BIN_DIR"
  exit 0
fi
[ "${KUBE_SETUP_NO_BUILD:-0}" = 1 ] && die "no cached build in $BIN_DIR (run scripts/setup-kube-apiserver.sh)"
command -v go >/dev/null || die "go is not installed"

mkdir -p "$SRC_DIR/kube" "$SRC_DIR/etcd" "$BIN_DIR"
upstream_mod="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[ -f "$upstream_mod" ] || die "cannot download k8s.io/kubernetes@v$KUBE_VERSION"
staging="v0.${KUBE_VERSION#*.}"

{
  echo "module xcluster.local/kube-apiserver-build"
  echo
  grep '^go ' "$upstream_mod"
  echo
  echo "require k8s.io/kubernetes v$KUBE_VERSION"
  echo
  echo "replace ("
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/k8s.io/[a-z0-9-]*$#\t\1 => \1 '"$staging"'#p' "$upstream_mod"
  echo ")"
} > "$SRC_DIR/kube/go.mod"
grep -q "k8s.io/api => k8s.io/api $staging" "$SRC_DIR/kube/go.mod" || die "no staging replaces found in $upstream_mod"
cat > "$SRC_DIR/kube/tools.go" <<'GOEOF'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GOEOF

# What `kube-apiserver --version` and /version report (hack/lib/version.sh sets the same variables).
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=${KUBE_VERSION%%.*}"
  minor="${KUBE_VERSION#*.}"
  ldflags="$ldflags -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean"
done

log "building kube-apiserver v$KUBE_VERSION (about 15 minutes on 2 cores, 2.2 GB peak)"
(cd "$SRC_DIR/kube" && GOFLAGS=-mod=mod go mod tidy >&2 \
  && go build -p "$JOBS" -ldflags "$ldflags" -o "$BIN_DIR/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2)

etcd_version="$(sed -n 's#^[[:space:]]*go.etcd.io/etcd/server/v3 \(v[0-9.]*\).*#\1#p' "$upstream_mod")"
[ -n "$etcd_version" ] || die "k8s.io/kubernetes@v$KUBE_VERSION does not name an etcd server version"
{
  echo "module xcluster.local/etcd-build"
  echo
  grep '^go ' "$upstream_mod"
  echo
  echo "require go.etcd.io/etcd/server/v3 $etcd_version"
} > "$SRC_DIR/etcd/go.mod"
log "building etcd $etcd_version (about a minute)"
(cd "$SRC_DIR/etcd" && GOFLAGS=-mod=mod go mod download go.etcd.io/etcd/server/v3 >&2 \
  && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$etcd_version" >&2 \
  && go build -p "$JOBS" -o "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3 >&2)

"$BIN_DIR/kube-apiserver" --version >&2
"$BIN_DIR/etcd" --version >&2
echo "$stamp" > "$TOOLS_DIR/stamp"
echo "$BIN_DIR"
