#!/usr/bin/env bash
# The xcluster CI flow as a plain script, for CI systems other than GitLab (the GitLab template
# ci/gitlab-ci.yml calls the same steps). Run from the repository root.
#
#   ci/fleet.sh merge-request   validate + offline plan; preview with policies when credentials exist
#   ci/fleet.sh preview         preview every stack with the policy pack (exit 3 on a mandatory violation)
#   ci/fleet.sh default-branch  validate, then up (canary wave first when XCLUSTER_CANARY_SELECTOR is set)
#   ci/fleet.sh drift           drift report for every stack (exit 4 when something drifted)
#   ci/fleet.sh destroy ENV CLUSTER
#                               destroy one cluster (a dry run first, state exported); refuses protected
#                               clusters. CLUSTER=--all destroys every cluster of ENV, only with
#                               XCLUSTER_DESTROY_CONFIRM_ENV=ENV typed by whoever starts the job.
#
# Environment: PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (passphrase secrets provider),
# VAULT_ADDR/VAULT_TOKEN (platform credentials), XCLUSTER_ENV (limit to one environment),
# XCLUSTER_PARALLEL, XCLUSTER_CANARY_SELECTOR (e.g. tier=canary), XCLUSTER_PULUMI_ROOT (a pulumi build),
# REPORT_DIR (default reports/). Reports: $REPORT_DIR/<step>.json and <step>.md (post the .md on the MR).
set -euo pipefail
cd "$(dirname "$0")/.."

REPORT_DIR="${REPORT_DIR:-reports}"
mkdir -p "$REPORT_DIR"
xcluster() { node bin/xcluster.js "$@"; }

scope=()
[ -n "${XCLUSTER_ENV:-}" ] && scope+=(--env "$XCLUSTER_ENV")
fleet_flags=()
[ -n "${XCLUSTER_PARALLEL:-}" ] && fleet_flags+=(--parallel "$XCLUSTER_PARALLEL")

has_credentials() {
  [ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ] || [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]
}

ensure_pulumi() {
  if [ -n "${XCLUSTER_PULUMI_ROOT:-}" ] || command -v pulumi >/dev/null 2>&1 || [ -d .pulumi-tools ]; then
    return 0
  fi
  echo "== building the pulumi CLI (npm run setup:pulumi)"
  npm run setup:pulumi
}

step() { echo "== $*"; }

case "${1:-}" in
  merge-request)
    step "validate"
    xcluster validate "${scope[@]}"
    step "plan (offline: mock runtime + policy pack)"
    xcluster plan "${scope[@]}" --json "$REPORT_DIR/plan.json" --markdown "$REPORT_DIR/plan.md"
    if has_credentials; then
      "$0" preview
    else
      echo "no PULUMI_CONFIG_PASSPHRASE(_FILE): skipping the preview against real stacks"
    fi
    ;;
  preview)
    ensure_pulumi
    step "preview with policies"
    xcluster preview "${scope[@]}" "${fleet_flags[@]}" \
      --json "$REPORT_DIR/preview.json" --markdown "$REPORT_DIR/preview.md"
    ;;
  default-branch)
    step "validate"
    xcluster validate "${scope[@]}"
    ensure_pulumi
    canary=()
    [ -n "${XCLUSTER_CANARY_SELECTOR:-}" ] && canary+=(--canary-selector "$XCLUSTER_CANARY_SELECTOR")
    step "up (waves: canary first)"
    xcluster up "${scope[@]}" "${fleet_flags[@]}" "${canary[@]}" \
      --json "$REPORT_DIR/up.json" --markdown "$REPORT_DIR/up.md"
    ;;
  drift)
    ensure_pulumi
    step "drift"
    xcluster drift "${scope[@]}" "${fleet_flags[@]}" --json "$REPORT_DIR/drift.json" --markdown "$REPORT_DIR/drift.md"
    ;;
  destroy)
    env_name="${2:?usage: ci/fleet.sh destroy ENV CLUSTER}"
    cluster="${3:?usage: ci/fleet.sh destroy ENV CLUSTER}"
    ensure_pulumi
    if [ "$cluster" = "--all" ]; then
      scope_flags=(--all --confirm-env "${XCLUSTER_DESTROY_CONFIRM_ENV:-}")
    else
      scope_flags=(--cluster "$cluster")
    fi
    step "destroy $env_name/$cluster (dry run)"
    xcluster destroy --env "$env_name" "${scope_flags[@]}" --dry-run
    step "destroy $env_name/$cluster"
    xcluster destroy --env "$env_name" "${scope_flags[@]}" --yes \
      --json "$REPORT_DIR/destroy.json" --markdown "$REPORT_DIR/destroy.md"
    ;;
  *)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac
