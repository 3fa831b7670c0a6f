/**
 * Whether this checkout's git history shows a spec file being removed. `reconcile --prune` destroys an
 * orphan stack only on that evidence when the project is a git work tree: a stack whose spec was added on
 * another branch, or after this checkout's HEAD, has no spec here either, and must not look like an
 * orphan to a stale checkout.
 */
import { execFileSync } from "child_process";

export type SpecRemoval =
  /** A commit reachable from HEAD deleted the file. */
  | "removed"
  /** The project is a git work tree, and no commit reachable from HEAD deleted the file. */
  | "not-removed-here"
  /** The project is not a git work tree (or git is missing): no history to consult. */
  | "no-history";

function git(root: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", ["-C", root, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** `specPath` is relative to `root`, as the stack's `xcluster:spec` tag records it. */
export function specRemoval(root: string, specPath: string): SpecRemoval {
  if (git(root, ["rev-parse", "--is-inside-work-tree"]) !== "true") return "no-history";
  if (git(root, ["rev-parse", "--verify", "--quiet", "HEAD"]) === undefined) return "not-removed-here";
  // --no-renames: a spec moved to another file counts as removed from its old path (the stack's tag
  // names the old path; `--move-spec` re-records a move before any prune sees it).
  const deleted = git(root, [
    "log",
    "--no-renames",
    "--diff-filter=D",
    "--format=%H",
    "-n",
    "1",
    "--",
    specPath,
  ]);
  return deleted !== undefined && deleted !== "" ? "removed" : "not-removed-here";
}
