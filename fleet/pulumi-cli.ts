/**
 * Finds the pulumi CLI the automation API drives. Injectable at every level so tests and CI can choose:
 * an explicit root (`--pulumi-root`), `XCLUSTER_PULUMI_ROOT`, the newest build under the project's
 * `.pulumi-tools/<version>/` (what `npm run setup:pulumi` produces), then `pulumi` on PATH.
 */
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { EXIT } from "../cli/exit-codes";
import { FleetError, PulumiCliMissingError, firstLine } from "./errors";

export const TOOLS_DIR = ".pulumi-tools";

export interface CliLookup {
  /** An installation root holding `bin/pulumi`. */
  readonly root?: string;
  readonly projectRoot: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Accept any CLI version (tests' fake CLI; locally built development versions). @default false */
  readonly skipVersionCheck?: boolean;
}

/** The installation root to use, or undefined for PATH. */
export function cliRoot(lookup: CliLookup): string | undefined {
  const env = lookup.env ?? process.env;
  if (lookup.root) return path.resolve(lookup.projectRoot, lookup.root);
  const fromEnv = env["XCLUSTER_PULUMI_ROOT"];
  if (fromEnv) return path.resolve(lookup.projectRoot, fromEnv);
  const tools = path.join(lookup.projectRoot, TOOLS_DIR);
  if (!fs.existsSync(tools)) return undefined;
  const builds = fs
    .readdirSync(tools)
    .filter((v) => fs.existsSync(path.join(tools, v, "bin", "pulumi")))
    .sort(compareVersions);
  const newest = builds[builds.length - 1];
  return newest === undefined ? undefined : path.join(tools, newest);
}

function compareVersions(a: string, b: string): number {
  const pa = a
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((x) => Number.parseInt(x, 10) || 0);
  const pb = b
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Starts `pulumi version` once; a CLI that cannot be run becomes a PulumiCliMissingError. */
export async function findPulumi(lookup: CliLookup): Promise<PulumiCommand> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const auto = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  const root = cliRoot(lookup);
  try {
    return await auto.PulumiCommand.get({ root, skipVersionCheck: lookup.skipVersionCheck ?? false });
  } catch (e) {
    const text = (e as Error).message;
    const command = root === undefined ? "pulumi" : path.join(root, "bin", "pulumi");
    if (/ENOENT|EACCES|spawn/.test(text)) {
      throw new PulumiCliMissingError(root === undefined ? "not on PATH" : `no ${command}`, text);
    }
    throw new FleetError(
      "cli-missing",
      `the pulumi CLI ${command} is not usable: ${firstLine(text)}`,
      EXIT.failed,
      text,
    );
  }
}
