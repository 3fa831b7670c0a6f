/**
 * The test tiers that need something this machine may lack (the pulumi CLI, real tools, root), and the one
 * way they skip: `skipTier` says why, remembers it for the run's closing summary (test/support/skip-summary.ts,
 * one line per skipped tier with the command that enables it), or fails where the tier must run (CI).
 */

export const TIERS = {
  engine: { name: "real engine (pulumi CLI)", enable: "npm run setup:pulumi" },
  "openstack-plugin": {
    name: "real OpenStack provider plugin and its schema",
    enable: "npm run setup:pulumi (scripts/setup-openstack-plugin.sh)",
  },
  "real-network": {
    name: "real Linux networking (network namespaces, keepalived failover)",
    enable: "as root with iproute2, keepalived and curl installed: sudo npx mocha test/net",
  },
  keepalived: { name: "keepalived's own config check", enable: "apt-get install keepalived" },
  systemd: {
    name: "systemd-analyze on Debian's keepalived unit",
    enable: "apt-get install systemd keepalived",
  },
  curl: {
    name: "curl and openssl (check scripts and the join decision against loopback)",
    enable: "apt-get install curl openssl",
  },
  "cloud-init": { name: "cloud-init's schema check and shellify", enable: "apt-get install cloud-init" },
  shellcheck: { name: "shellcheck on rendered and setup scripts", enable: "apt-get install shellcheck" },
  "kube-apiserver": {
    name: "real kube-apiserver and etcd",
    enable: "bash scripts/setup-kube-apiserver.sh",
  },
  go: {
    name: "checkers built with go (Pod Security admission, gcfg, Vault policies)",
    enable: "apt-get install golang-go (go on PATH)",
  },
  conftest: { name: "conftest over the plan JSON", enable: "bash scripts/setup-conftest.sh" },
} as const;

export type Tier = keyof typeof TIERS;

/**
 * Where a tier must run instead of skipping, as today: in CI (`CI=true`), where the real engine is
 * required (`XCLUSTER_REAL_ENGINE=required`, set by .ci/run), or nowhere (it may always skip).
 */
export type MustRun = "ci" | "real-engine-required" | "nowhere";

export interface Skip {
  readonly tier: Tier;
  readonly why: string;
  /** The suite or test that skipped. */
  readonly where: string;
}

const skips: Skip[] = [];

/** Every skip of this run so far. */
export function skipsSoFar(): readonly Skip[] {
  return skips;
}

function mustRunHere(mustRun: MustRun): string | undefined {
  if (mustRun === "ci" && process.env["CI"] === "true") return "CI=true";
  if (mustRun === "real-engine-required" && process.env["XCLUSTER_REAL_ENGINE"] === "required")
    return "XCLUSTER_REAL_ENGINE=required";
  return undefined;
}

/**
 * Skips the running suite or test because `tier` cannot run here, saying why on the spot and in the
 * closing summary; throws instead where the tier must run. Call from a `before` hook or a test.
 */
export function skipTier(ctx: Mocha.Context, tier: Tier, why: string, mustRun: MustRun): never {
  const { name, enable } = TIERS[tier];
  const required = mustRunHere(mustRun);
  if (required !== undefined)
    throw new Error(
      `${required}, but a tier that must run here cannot (${name}): ${why}; to run it: ${enable}`,
    );
  const where = ctx.currentTest?.fullTitle() ?? ctx.test?.parent?.fullTitle() ?? "";
  skips.push({ tier, why, where });
  console.warn(`      (skipped, ${name}: ${why}; to run it: ${enable})`);
  ctx.skip();
}

/** One line per skipped tier: what, how many suites or tests, the first reason, and how to enable it. */
export function skipSummary(list: readonly Skip[] = skips): string[] {
  const byTier = new Map<Tier, Skip[]>();
  for (const s of list) byTier.set(s.tier, [...(byTier.get(s.tier) ?? []), s]);
  return [...byTier].map(([tier, all]) => {
    const reasons = [...new Set(all.map((s) => s.why))];
    const more = reasons.length > 1 ? ` (and ${reasons.length - 1} other reason(s))` : "";
    return `skipped tier: ${TIERS[tier].name}, ${all.length} suite(s) or test(s): ${reasons[0]}${more}; to run it: ${TIERS[tier].enable}`;
  });
}
