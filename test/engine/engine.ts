/**
 * The real pulumi CLI for the engine tests: `pulumi` on PATH, else the cached build of
 * `npm run setup:pulumi` (asked for with PULUMI_SETUP_NO_BUILD, so a test never starts the Go build).
 * Without a CLI the tests skip, unless `XCLUSTER_REAL_ENGINE=required` (CI), where they fail.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { findPulumi } from "../../fleet/pulumi-cli";
import { REPO_ROOT } from "../support/spec-files";
import { skipTier } from "../support/tiers";

export const REQUIRED_VAR = "XCLUSTER_REAL_ENGINE";
export const PULUMI_VERSION = "3.248.0";
/** Where `npm run setup:pulumi` caches its build (the script reads PULUMI_TOOLS_DIR too). */
const TOOLS_DIR = process.env["PULUMI_TOOLS_DIR"] || path.join(REPO_ROOT, ".pulumi-tools");
const CACHED_CLI = path.join(TOOLS_DIR, PULUMI_VERSION, "bin", "pulumi");

type Lookup = { readonly pulumi: PulumiCommand } | { readonly missing: string };

function onPath(command: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The installation root (holds `bin/pulumi`), or why there is none. */
function locate(): { root: string } | { missing: string } {
  const found = onPath("pulumi");
  if (found !== undefined) return { root: path.dirname(path.dirname(found)) };
  if (!fs.existsSync(CACHED_CLI))
    return { missing: `no pulumi on PATH and no cached build at ${CACHED_CLI}` };
  const setup = spawnSync("bash", [path.join(REPO_ROOT, "scripts", "setup-pulumi.sh")], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SETUP_NO_BUILD: "1", PULUMI_SKIP_UPDATE_CHECK: "1" },
    timeout: 60_000,
  });
  const bin = setup.stdout.trim().split("\n").pop() ?? "";
  if (setup.status !== 0 || bin === "") {
    const why = setup.stderr.trim().split("\n").pop() ?? `exit ${setup.status}`;
    return { missing: `the cached build in ${path.dirname(CACHED_CLI)} is not usable (${why})` };
  }
  return { root: path.dirname(bin) };
}

let lookup: Promise<Lookup> | undefined;

async function lookUp(): Promise<Lookup> {
  const where = locate();
  if ("missing" in where) return where;
  try {
    // The driver's own constructor of the command: version check included (>= the SDK's minimum).
    return { pulumi: await findPulumi({ root: where.root, projectRoot: REPO_ROOT }) };
  } catch (e) {
    return { missing: (e as Error).message };
  }
}

/**
 * The CLI, once per process. Call from a `before` hook: without a CLI it skips the suite (and says how
 * to get one), or throws when the environment requires the real engine.
 */
export async function realEngine(ctx: Mocha.Context): Promise<PulumiCommand> {
  lookup ??= lookUp();
  const found = await lookup;
  if ("pulumi" in found) return found.pulumi;
  skipTier(ctx, "engine", found.missing, "real-engine-required");
}
