import * as path from "path";
import type { Io } from "./io";

/** What every command gets: where to write, where the project is, and where to put its exit code. */
export interface CommandContext {
  readonly io: Io;
  /** The directory paths are resolved against (the project root when run through npx). */
  readonly cwd: string;
  exitCode: number;
}

/** Default spec location: every spec under `stacks/`. */
export const DEFAULT_SPEC_DIR = "stacks";

export function specPaths(paths: readonly string[], cwd: string): string[] {
  return paths.length > 0 ? paths.map((p) => path.resolve(cwd, p)) : [path.resolve(cwd, DEFAULT_SPEC_DIR)];
}
