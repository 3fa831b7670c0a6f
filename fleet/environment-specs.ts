/**
 * Every cluster spec of an environment, whatever a command selected. Two safety rules are judged against
 * this whole set, never against the selection: a cluster name is unique in its environment (a copied spec
 * given alone must not take over its original's stack), and a stack is an orphan only when no spec of its
 * environment names it (a `--cluster` filter must not turn the other clusters into orphans).
 *
 * A cluster spec belongs to the environment whose `environment.yaml` sits in the same directory (the spec
 * loader's rule), so the environment's specs are the YAML files directly inside every directory under
 * `stacks/` whose `environment.yaml` has that `metadata.name`, plus the directories of the specs given.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { DEFAULT_SPEC_DIR } from "../cli/context";
import { loadFleet, type SpecIssue } from "../spec";
import type { ClusterSpec } from "../spec/types";
import { InvalidRunError } from "./errors";

const ENVIRONMENT_FILE = "environment.yaml";

export interface EnvironmentSpecs {
  /** Every valid cluster spec of the environments asked for. */
  readonly clusters: ClusterSpec[];
  /** Problems in any spec of those environments (a duplicate cluster name among them). */
  readonly issues: SpecIssue[];
}

/** The name an `environment.yaml` declares, read without validating the rest (undefined if unreadable). */
function declaredName(file: string): string | undefined {
  try {
    const doc = parse(fs.readFileSync(file, "utf8")) as { metadata?: { name?: unknown } } | null;
    const name = doc?.metadata?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

function environmentFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...environmentFilesUnder(full));
    else if (entry.name === ENVIRONMENT_FILE) out.push(full);
  }
  return out;
}

/**
 * The directories holding specs of `environment`: under `<root>/stacks`, those whose environment file
 * names it (or, when that file cannot be read, whose directory is named after it), plus `extraDirs`.
 */
export function environmentDirs(
  root: string,
  environment: string,
  extraDirs: readonly string[] = [],
): string[] {
  const dirs = new Set(extraDirs.map((d) => path.resolve(root, d)));
  for (const file of environmentFilesUnder(path.join(root, DEFAULT_SPEC_DIR))) {
    const dir = path.dirname(file);
    const name = declaredName(file);
    if (name === environment || (name === undefined && path.basename(dir) === environment)) dirs.add(dir);
  }
  return [...dirs].sort();
}

function clusterFilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && e.name !== ENVIRONMENT_FILE)
    .map((e) => path.join(dir, e.name));
}

/**
 * Loads every spec of `environments` (see the file comment). `extraDirs` are directories of specs the
 * command was given that may lie outside `<root>/stacks`. Spec file names are relative to `cwd`.
 */
export function loadEnvironmentSpecs(
  root: string,
  environments: readonly string[],
  extraDirs: readonly string[] = [],
  cwd = root,
  /** Also every directory of the environment under `<root>/stacks`. @default true */
  repository = true,
): EnvironmentSpecs {
  const clusters: ClusterSpec[] = [];
  const issues: SpecIssue[] = [];
  for (const env of [...new Set(environments)].sort()) {
    const dirs = repository
      ? environmentDirs(root, env, extraDirs)
      : extraDirs.map((d) => path.resolve(root, d));
    const files = dirs.flatMap(clusterFilesIn);
    if (files.length === 0) continue;
    const fleet = loadFleet(files, { cwd, environment: env });
    clusters.push(...fleet.clusters);
    issues.push(...fleet.issues);
  }
  return { clusters, issues };
}

/** The directories of the given specs' environment files (relative names resolved against `cwd`). */
export function specDirs(clusters: readonly ClusterSpec[], cwd: string): string[] {
  return [...new Set(clusters.map((c) => path.dirname(path.resolve(cwd, c.source.clusterFile))))];
}

/**
 * The clusters of `selection`'s environments that the selection leaves out; empty when the selection is
 * every spec of its environments.
 */
export function unselected(
  selection: readonly ClusterSpec[],
  all: readonly ClusterSpec[],
  environments: readonly string[],
): ClusterSpec[] {
  const chosen = new Set(selection.map((c) => `${c.environment}/${c.name}`));
  return all.filter((c) => environments.includes(c.environment) && !chosen.has(`${c.environment}/${c.name}`));
}

/** Loads the environments' specs and throws (exit 2) when any of them has a problem. */
export function requireEnvironmentSpecs(
  root: string,
  environments: readonly string[],
  extraDirs: readonly string[],
  cwd: string,
  format: (issue: SpecIssue) => string,
): ClusterSpec[] {
  const loaded = loadEnvironmentSpecs(root, environments, extraDirs, cwd);
  if (loaded.issues.length > 0) {
    throw new InvalidRunError(
      `${loaded.issues.map(format).join("\n")}\n${loaded.issues.length} problem(s) in the specs of ` +
        `environment ${[...new Set(environments)].join(", ")} (cluster names and orphan stacks are judged ` +
        `against every spec of an environment, not only the ones selected); no stack was touched`,
    );
  }
  return loaded.clusters;
}

/**
 * For commands that touch no stack (`validate`, `plan`): the problems that the given specs' siblings
 * (the other specs in their directories) reveal about the given specs — a duplicate cluster name (or
 * keepalived router ID) shared with a file that was not given. Problems that concern only files that were
 * not given are left out. (The fleet commands, which touch stacks, judge against the whole environment.)
 */
export function siblingIssues(selected: readonly ClusterSpec[], cwd: string): SpecIssue[] {
  const files = new Set(selected.map((c) => c.source.clusterFile));
  if (files.size === 0) return [];
  const environments = [...new Set(selected.map((c) => c.environment))];
  const loaded = loadEnvironmentSpecs(cwd, environments, specDirs(selected, cwd), cwd, false);
  const names = selected.map((c) => `cluster "${c.name}"`);
  return loaded.issues.filter((i) =>
    files.has(i.file)
      ? /duplicate cluster name|virtual_router_id/.test(i.message)
      : [...files, ...names].some((f) => i.message.includes(f)),
  );
}
