#!/usr/bin/env bash
# Provide the real OpenStack resource provider plugin (pulumi-resource-openstack) at the version the
# pinned npm @pulumi/openstack asks for, for plain `pulumi preview/up` and for the engine tests.
#
# Tries, in this order, and states the way taken (or each way that failed) in one line of stderr each:
#   1. a cached result in .pulumi-tools/openstack-<version>/ (plugin + schema.json);
#   2. a plugin of that version already installed in $PULUMI_HOME (default ~/.pulumi);
#   3. `pulumi plugin install resource openstack <version>` (needs internet; bounded by a timeout so an
#      offline machine fails fast instead of hanging);
#   4. a build from the unmodified upstream source in ../shared/upstream/pulumi-openstack-v<version>/provider
#      (Go module proxy for the dependencies; minutes cold, seconds with a warm GOCACHE).
# The result is always .pulumi-tools/openstack-<version>/pulumi-resource-openstack (the binary, or a link to
# the installed one) and .pulumi-tools/openstack-<version>/schema.json (`pulumi package get-schema` of that
# plugin). A build is also installed into $PULUMI_HOME, so a plain `pulumi preview` finds it.
# Nothing goes to stdout (`npm run setup:pulumi` prints the CLI's bin directory as its last stdout line).
#
# With no way available it says so and exits 0, and the engine tests that need the plugin skip with that
# reason; with XCLUSTER_REAL_ENGINE=required (CI) it exits 1.
#
# Environment:
#   XCLUSTER_HEARTBEAT_SECONDS  seconds between "still running" lines of a long build step (default 30)
#   OPENSTACK_PLUGIN_VERSION         default: the version of node_modules/@pulumi/openstack (3.15.2)
#   OPENSTACK_PLUGIN_SOURCE          upstream `provider/` folder (default ../shared/upstream/... of the root)
#   OPENSTACK_PLUGIN_INSTALL_TIMEOUT seconds for `pulumi plugin install` (default 60)
#   OPENSTACK_PLUGIN_NO_BUILD=1      never build (cache, installed plugin or `plugin install` only)
#   PULUMI_TOOLS_DIR                 cache root (default <repo>/.pulumi-tools), as for setup-pulumi.sh
#   PULUMI_BUILD_JOBS                go build -p (default 2)
# See docs/adr/0005-real-openstack-provider-plugin.md.
set -euo pipefail

SETUP_NAME=setup-openstack-plugin
# shellcheck source=scripts/lib/setup-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-common.sh"

npm_version="$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/@pulumi/openstack/package.json" 2>/dev/null || true)"
VERSION="${OPENSTACK_PLUGIN_VERSION:-${npm_version:-3.15.2}}"
VERSION="${VERSION#v}"
TOOLS_ROOT="${PULUMI_TOOLS_DIR:-$ROOT/.pulumi-tools}"
DIR="$TOOLS_ROOT/openstack-$VERSION"
PLUGIN="$DIR/pulumi-resource-openstack"
SCHEMA="$DIR/schema.json"
SOURCE="${OPENSTACK_PLUGIN_SOURCE:-$ROOT/../shared/upstream/pulumi-openstack-v$VERSION/provider}"
HOME_DIR="${PULUMI_HOME:-$HOME/.pulumi}"
INSTALLED="$HOME_DIR/plugins/resource-openstack-v$VERSION/pulumi-resource-openstack"
export PULUMI_SKIP_UPDATE_CHECK=1

started=$SECONDS
elapsed() { echo "$((SECONDS - started)) s"; }

# The pulumi CLI: on PATH, else the cached build of setup-pulumi.sh.
pulumi_cli() {
  if command -v pulumi >/dev/null 2>&1; then
    command -v pulumi
    return
  fi
  local cached
  for cached in "$TOOLS_ROOT"/*/bin/pulumi; do
    [ -x "$cached" ] && { echo "$cached"; return; }
  done
  return 1
}

# usable FILE: an executable plugin that reports the wanted version.
usable() {
  [ -x "$1" ] && [ "$("$1" -version 2>/dev/null | tr -d '[:space:]')" = "$VERSION" ]
}

# write_schema: the plugin's own GetSchema answer, through the CLI.
write_schema() {
  local cli tmp
  cli="$(pulumi_cli)" || { log "no pulumi CLI to ask the plugin for its schema; run: npm run setup:pulumi"; return 1; }
  tmp="$SCHEMA.tmp"
  "$cli" package get-schema "$PLUGIN" >"$tmp" 2>"$DIR/get-schema.log" \
    || { log "pulumi package get-schema failed: $(tail -n 1 "$DIR/get-schema.log")"; return 1; }
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (s.name !== "openstack" || s.version !== process.argv[2]) throw new Error(`schema of ${s.name} ${s.version}`);' \
    "$tmp" "$VERSION" || { log "the plugin's schema is not openstack $VERSION"; return 1; }
  mv "$tmp" "$SCHEMA"
}

done_with() {
  [ -s "$SCHEMA" ] || write_schema || exit 1
  log "$1"
  exit 0
}

lock_cache "$DIR"

# 1. Cached.
if usable "$PLUGIN" && [ -s "$SCHEMA" ]; then
  done_with "openstack plugin $VERSION: cached in $DIR"
fi
rm -f "$SCHEMA"

# 2. Installed.
if usable "$INSTALLED"; then
  ln -sfn "$INSTALLED" "$PLUGIN"
  done_with "openstack plugin $VERSION: using the installed plugin $INSTALLED"
fi
log "no installed openstack plugin $VERSION at $INSTALLED"

# 3. `pulumi plugin install` (downloads the release; fails fast or times out without internet).
if cli="$(pulumi_cli)"; then
  limit="${OPENSTACK_PLUGIN_INSTALL_TIMEOUT:-60}"
  if PULUMI_HOME="$HOME_DIR" timeout "$limit" "$cli" plugin install resource openstack "$VERSION" \
    >"$DIR/plugin-install.log" 2>&1 && usable "$INSTALLED"; then
    ln -sfn "$INSTALLED" "$PLUGIN"
    done_with "openstack plugin $VERSION: downloaded by \`pulumi plugin install\` into $INSTALLED ($(elapsed))"
  fi
  why="$({ grep -v '^[[:space:]]*$' "$DIR/plugin-install.log" || true; } | tail -n 1 | cut -c1-200)"
  [ -n "$why" ] || why="no answer within ${limit} s"
  log "\`pulumi plugin install resource openstack $VERSION\` failed after $(elapsed): $why"
else
  log "no pulumi CLI for \`pulumi plugin install\` (run: npm run setup:pulumi)"
fi

# 4. Build from the upstream source.
unavailable() {
  if [ "${XCLUSTER_REAL_ENGINE:-}" = required ]; then
    log "error: openstack plugin $VERSION unavailable ($1) and XCLUSTER_REAL_ENGINE=required"
    exit 1
  fi
  log "openstack plugin $VERSION: unavailable ($1); the engine tests that need it will skip"
  exit 0
}
[ "${OPENSTACK_PLUGIN_NO_BUILD:-0}" != 1 ] || unavailable "OPENSTACK_PLUGIN_NO_BUILD=1"
[ -f "$SOURCE/go.mod" ] || unavailable "no upstream source at $SOURCE"
command -v go >/dev/null 2>&1 || unavailable "no go to build $SOURCE with"

log "building openstack plugin $VERSION from $SOURCE (cold: minutes; a warm GOCACHE: seconds)"
WORK="$DIR/build"
rm -rf "$WORK" "$DIR/bin.tmp"
cp -R "$SOURCE" "$WORK" # the source folder is read-only; go may edit go.mod/go.sum
chmod -R u+w "$WORK"
# What upstream's cmd/pulumi-resource-openstack/generate.go does: the committed schema with the version set.
node -e 'const fs = require("fs"); const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  s.version = process.argv[3]; fs.writeFileSync(process.argv[2], JSON.stringify(s));' \
  "$WORK/cmd/pulumi-resource-openstack/schema.json" "$WORK/cmd/pulumi-resource-openstack/schema-embed.json" "$VERSION"

go_build_env "$DIR" "${PULUMI_BUILD_JOBS:-2}"

# phase NAME CMD...: CMD's output into build.log, with a heartbeat; on failure the log's end.
# shellcheck disable=SC2317 # called through heartbeat
into_build_log() { "$@" >>"$DIR/build.log" 2>&1; }
phase() {
  local name="$1"
  shift
  heartbeat "  $name" into_build_log "$@" || {
    log "  end of $DIR/build.log:"
    tail -n 20 "$DIR/build.log" >&2
    exit 1
  }
}
: >"$DIR/build.log"
ldflags="-s -w -X github.com/pulumi/pulumi-openstack/provider/v3/pkg/version.Version=$VERSION"
phase "downloading Go modules" bash -c "cd '$WORK' && go mod download"
phase "compiling" bash -c "cd '$WORK' && go build -trimpath -ldflags '$ldflags' -o '$DIR/bin.tmp/' ./cmd/pulumi-resource-openstack"
usable "$DIR/bin.tmp/pulumi-resource-openstack" || { log "error: the built plugin does not report version $VERSION"; exit 1; }
rm -f "$PLUGIN"
mv "$DIR/bin.tmp/pulumi-resource-openstack" "$PLUGIN"
rm -rf "$DIR/bin.tmp" "$WORK"
if cli="$(pulumi_cli)"; then
  PULUMI_HOME="$HOME_DIR" "$cli" plugin install resource openstack "$VERSION" -f "$PLUGIN" >>"$DIR/build.log" 2>&1 \
    && log "  installed into $HOME_DIR/plugins" || log "  could not install into $HOME_DIR/plugins (see $DIR/build.log)"
fi
done_with "openstack plugin $VERSION: built from $SOURCE into $PLUGIN ($(elapsed))"
