/**
 * The plan cache (ADR 0018): each cluster's plan result kept in `.xcluster/plan-cache/`, keyed by a
 * sha256 of everything that determines it, so that `xcluster plan` re-plans only clusters whose key
 * changed. A plan is a pure function of:
 * - the cluster spec file's bytes and its resolved form (defaults applied, environment merged);
 * - the environment document's bytes;
 * - the code that plans it: xcluster's version and a digest of every file of its built (or source) code,
 *   so any code change, released or not, invalidates every entry; entries are never trusted across
 *   versions;
 * - the dependencies that code runs on (the lockfile: providers, the Pulumi SDK, the policy framework)
 *   and the Node.js release;
 * - the day, but only through whether each of the cluster's policy exceptions has expired.
 * Only clusters planned without error are cached (a timeout or a crashed worker is not a property of the
 * inputs). An entry that cannot be read, does not parse or does not match its key is ignored and
 * rewritten; the cache never fails a plan.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";
import type { ClusterReport } from "./report";

/** Bumped when the entry format or the key's recipe changes. */
const CACHE_FORMAT = 1;

/** Where the cache lives, under the project's `.xcluster/` directory. */
export const PLAN_CACHE_DIR = path.join(".xcluster", "plan-cache");

/** Entries unused this long are deleted by `prune()`: the cache does not grow without bound. */
export const PLAN_CACHE_MAX_AGE_DAYS = 30;

/** The code directories whose files make up the code digest (as in tsconfig.build.json). */
const CODE_DIRS = ["cli", "components", "fleet", "plan", "policy", "programs", "spec"] as const;

/** The root of xcluster's code as it runs: `dist/` when compiled, the repository when from source. */
function codeRoot(): string {
  return path.join(__dirname, "..");
}

/** The package root: holds package.json and package-lock.json (the parent of `dist/` when compiled). */
function packageRoot(): string {
  const root = codeRoot();
  return fs.existsSync(path.join(root, "package.json")) ? root : path.join(root, "..");
}

function sha256(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

function filesUnder(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(full, out);
    else if (/\.(js|ts|json|yaml)$/.test(e.name) && !e.name.endsWith(".spec.ts")) out.push(full);
  }
}

/** sha256 over every code file's path and bytes, in a fixed order. */
export function codeDigest(root: string = codeRoot()): string {
  const files: string[] = [];
  for (const d of CODE_DIRS) filesUnder(path.join(root, d), files);
  const h = crypto.createHash("sha256");
  for (const f of files.sort()) {
    h.update(path.relative(root, f));
    h.update("\0");
    h.update(fs.readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

function fileDigest(file: string): string {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return "absent";
  }
}

/** What every key of this run shares: the version of the code and of what it depends on. */
export interface CacheVersion {
  readonly xcluster: string;
  readonly code: string;
  readonly lockfile: string;
  readonly node: string;
}

/** The running xcluster's version fingerprint. */
export function currentVersion(): CacheVersion {
  const pkgRoot = packageRoot();
  let version = "unknown";
  try {
    version = String(
      (JSON.parse(fs.readFileSync(path.join(pkgRoot, "package.json"), "utf8")) as { version?: unknown })
        .version,
    );
  } catch {
    // Without a readable package.json the code digest still versions the entries.
  }
  return {
    xcluster: version,
    code: codeDigest(),
    lockfile: fileDigest(path.join(pkgRoot, "package-lock.json")),
    node: process.version,
  };
}

/** How many clusters a run took from the cache and how many it planned. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found but unusable (unreadable, corrupt, wrong key), re-planned and rewritten. */
  corrupt: number;
}

/** What the fleet planner needs from a cache. */
export interface ClusterCache {
  /** The cached result of `spec`, or undefined (then the caller plans it and calls `store`). */
  lookup(spec: ClusterSpec): ClusterReport | undefined;
  store(spec: ClusterSpec, report: ClusterReport): void;
}

interface Entry {
  readonly format: number;
  readonly key: string;
  readonly report: ClusterReport;
}

function isEntry(x: unknown, key: string, spec: ClusterSpec): x is Entry {
  if (typeof x !== "object" || x === null) return false;
  const e = x as Record<string, unknown>;
  const r = e["report"] as Record<string, unknown> | null | undefined;
  return (
    e["format"] === CACHE_FORMAT &&
    e["key"] === key &&
    typeof r === "object" &&
    r !== null &&
    r["name"] === spec.name &&
    r["environment"] === spec.environment &&
    Array.isArray(r["resources"]) &&
    Array.isArray(r["violations"]) &&
    r["error"] === undefined
  );
}

/** The plan cache of one project directory. */
export class PlanCache implements ClusterCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0 };
  private readonly dir: string;
  private readonly fileDigests = new Map<string, string>();
  private readonly today: string;

  /**
   * @param projectDir the directory spec paths are relative to (the CLI's cwd); the cache is its
   *   `.xcluster/plan-cache/`.
   */
  constructor(
    private readonly projectDir: string,
    private readonly version: CacheVersion = currentVersion(),
    // As plan/policy-config.ts's todayUtc(), which this file does not import: it loads the cluster
    // program, and a fully cached plan should load no Pulumi at all.
    today: string = new Date().toISOString().slice(0, 10),
  ) {
    this.dir = path.join(projectDir, PLAN_CACHE_DIR);
    this.today = today;
  }

  private digestOf(relFile: string): string {
    const file = path.resolve(this.projectDir, relFile);
    let d = this.fileDigests.get(file);
    if (d === undefined) {
      d = fileDigest(file);
      this.fileDigests.set(file, d);
    }
    return d;
  }

  /** The key of `spec`'s plan: sha256 of everything that determines it (see the file comment). */
  keyOf(spec: ClusterSpec): string {
    return sha256(
      JSON.stringify({
        format: CACHE_FORMAT,
        version: this.version,
        clusterFile: this.digestOf(spec.source.clusterFile),
        environmentFile: this.digestOf(spec.source.environmentFile),
        resolved: spec,
        // The only way the date enters a plan (plan/policy-config.ts, policy-001).
        exceptionsExpired: spec.policy.exceptions.map((x) => x.expires < this.today),
      }),
    );
  }

  private fileOf(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  lookup(spec: ClusterSpec): ClusterReport | undefined {
    const key = this.keyOf(spec);
    let text: string;
    try {
      text = fs.readFileSync(this.fileOf(key), "utf8");
    } catch {
      this.stats.misses++;
      return undefined;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      entry = undefined;
    }
    if (!isEntry(entry, key, spec)) {
      this.stats.corrupt++;
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    try {
      // Marks the entry used, for prune().
      const now = new Date();
      fs.utimesSync(this.fileOf(key), now, now);
    } catch {
      // Only pruning would be affected.
    }
    return entry.report;
  }

  store(spec: ClusterSpec, report: ClusterReport): void {
    if (report.error !== undefined) return;
    const key = this.keyOf(spec);
    const entry: Entry = { format: CACHE_FORMAT, key, report };
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      // Written aside and renamed: a reader never sees half an entry, and concurrent plans of the same
      // project write the same bytes.
      const tmp = `${this.fileOf(key)}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(entry));
      fs.renameSync(tmp, this.fileOf(key));
    } catch {
      // A cache that cannot be written (read-only checkout, full disk) only costs the next run time.
    }
  }

  /**
   * Deletes entries (and files left by an interrupted write) that no plan used for
   * `PLAN_CACHE_MAX_AGE_DAYS`: keys of specs edited since, of older code, of removed clusters.
   */
  prune(now: Date = new Date()): void {
    const limit = now.getTime() - PLAN_CACHE_MAX_AGE_DAYS * 86_400_000;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        if (fs.statSync(file).mtimeMs < limit) fs.unlinkSync(file);
      } catch {
        // Removed by a concurrent plan, or not ours to remove: either way nothing to do.
      }
    }
  }
}
