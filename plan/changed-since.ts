/**
 * `xcluster plan --changed-since <ref>`: the files a merge request touches, as git sees them: committed
 * on this branch since it left `<ref>` (`git diff <ref>...HEAD`, the three-dot form CI systems show for a
 * merge request), plus what is not committed yet (staged, unstaged and untracked files), so that a
 * developer gets the same selection before committing. A cluster is affected when its spec file or its
 * environment file is among them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";

/** The ref is unknown, or the directory is not a git work tree (exit 2: invalid input). */
export class ChangedSinceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChangedSinceError";
  }
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync("git", [...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function gitMessage(e: unknown): string {
  const stderr = (e as { stderr?: unknown }).stderr;
  const text = typeof stderr === "string" ? stderr.trim().split("\n")[0] : undefined;
  return text !== undefined && text !== "" ? text : (e as Error).message;
}

/** `-z` output: NUL-separated paths relative to the work tree's top. */
function paths(output: string): string[] {
  return output.split("\0").filter((p) => p !== "");
}

/** Absolute paths of every file changed since `ref` (see the file comment). */
export function changedFiles(ref: string, cwd: string): Set<string> {
  let top: string;
  try {
    top = git(cwd, ["rev-parse", "--show-toplevel"]).trim();
  } catch (e) {
    throw new ChangedSinceError(`--changed-since: ${cwd} is not in a git work tree (${gitMessage(e)})`);
  }
  // A ref is never an option: `--changed-since --output=x` must not reach git as one.
  const known =
    !ref.startsWith("-") &&
    (() => {
      try {
        git(top, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
        return true;
      } catch {
        return false;
      }
    })();
  if (!known)
    throw new ChangedSinceError(
      `--changed-since: unknown git ref ${JSON.stringify(ref)} (allowed: a branch, tag or commit of this repository, e.g. origin/main; fetch it first in a shallow CI clone)`,
    );
  // --no-renames: a renamed spec counts under its old and its new name.
  const committed = git(top, ["diff", "--name-only", "--no-renames", "-z", `${ref}...HEAD`, "--"]);
  const uncommitted = git(top, ["diff", "--name-only", "--no-renames", "-z", "HEAD", "--"]);
  const untracked = git(top, ["ls-files", "--others", "--exclude-standard", "-z"]);
  const all = [...paths(committed), ...paths(uncommitted), ...paths(untracked)];
  return new Set(all.map((p) => path.join(top, p)));
}

/** The clusters whose spec file or environment file is in `changed` (absolute paths). */
export function affectedClusters(
  specs: readonly ClusterSpec[],
  changed: ReadonlySet<string>,
  cwd: string,
): ClusterSpec[] {
  // git names files by their real path; the project directory may be reached through a symlink.
  const real = (file: string): string => {
    const abs = path.resolve(cwd, file);
    try {
      return fs.realpathSync(abs);
    } catch {
      return abs;
    }
  };
  return specs.filter(
    (s) => changed.has(real(s.source.clusterFile)) || changed.has(real(s.source.environmentFile)),
  );
}
