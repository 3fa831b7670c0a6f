/**
 * The real OpenStack provider plugin (`pulumi-resource-openstack`, the version the pinned npm
 * `@pulumi/openstack` asks for) for the engine tests, as `npm run setup:pulumi` leaves it:
 * `.pulumi-tools/openstack-<version>/pulumi-resource-openstack` (scripts/setup-openstack-plugin.sh).
 * Without it the tests that need it skip and say why, unless `XCLUSTER_REAL_ENGINE=required` (CI), where
 * they fail.
 *
 * The other provider packages (kubernetes, aws, vault, rancher2) stay stand-ins (`stand-in/`): their real
 * plugins cannot be built or downloaded on our machines (../shared/upstream/README.md).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../support/spec-files";
import { STAND_IN_PACKAGES, standInPlugins } from "./stand-in/plugins";
import { skipTier } from "../support/tiers";

/** The version `@pulumi/openstack` asks the engine for (its package.json `pulumi.version`, else its version). */
export const OPENSTACK_PLUGIN_VERSION = ((): string => {
  const file = path.join(REPO_ROOT, "node_modules", "@pulumi", "openstack", "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { version: string; pulumi?: { version?: string } };
  return (pkg.pulumi?.version ?? pkg.version).replace(/^v/, "");
})();

const TOOLS_DIR = process.env["PULUMI_TOOLS_DIR"] || path.join(REPO_ROOT, ".pulumi-tools");
export const OPENSTACK_PLUGIN_DIR = path.join(TOOLS_DIR, `openstack-${OPENSTACK_PLUGIN_VERSION}`);
export const OPENSTACK_PLUGIN = path.join(OPENSTACK_PLUGIN_DIR, "pulumi-resource-openstack");
/** The plugin's schema (`pulumi package get-schema`), written beside it by the setup script. */
export const OPENSTACK_SCHEMA = path.join(OPENSTACK_PLUGIN_DIR, "schema.json");

/** Why the plugin cannot be used, or undefined when it can. */
function missing(): string | undefined {
  if (!fs.existsSync(OPENSTACK_PLUGIN)) return `no OpenStack plugin at ${OPENSTACK_PLUGIN}`;
  const run = spawnSync(OPENSTACK_PLUGIN, ["-version"], { encoding: "utf8", timeout: 30_000 });
  const got = (run.stdout ?? "").trim();
  if (run.status !== 0 || got !== OPENSTACK_PLUGIN_VERSION) {
    return `${OPENSTACK_PLUGIN} reports version '${got}' (exit ${run.status}), not ${OPENSTACK_PLUGIN_VERSION}`;
  }
  return undefined;
}

/** The plugin's path; from a `before` hook, skips the suite without it (or throws when required). */
export function realOpenStackPlugin(ctx: Mocha.Context): string {
  const why = missing();
  if (why === undefined) return OPENSTACK_PLUGIN;
  skipTier(ctx, "openstack-plugin", why, "real-engine-required");
}

export interface PluginDirectory {
  /** Put it first on PATH; remove it with `fs.rmSync(dir, { recursive: true })`. */
  readonly dir: string;
  /** Packages served by their real plugin. */
  readonly real: readonly string[];
  /** Packages served by a stand-in. */
  readonly standIns: readonly string[];
}

/**
 * The stand-in plugins, with the real OpenStack plugin in place of the OpenStack stand-in. The engine
 * takes a `pulumi-resource-<name>` on PATH before anything in PULUMI_HOME, so this one directory decides
 * which plugin serves each package.
 */
export function withRealOpenStack(plugin: string): PluginDirectory {
  const dir = standInPlugins();
  const target = path.join(dir, "pulumi-resource-openstack");
  fs.rmSync(target, { force: true });
  fs.symlinkSync(plugin, target);
  return {
    dir,
    real: ["openstack"],
    standIns: STAND_IN_PACKAGES.filter((p) => p !== "openstack"),
  };
}
