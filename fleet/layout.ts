/**
 * Where the driver keeps its files inside the project, all under `.xcluster/` (gitignored): the default
 * file backend, one workspace directory per stack, state backups and policy configs. Every path is
 * absolute because the pulumi CLI runs with the workspace directory as its cwd.
 */
import * as fs from "fs";
import * as path from "path";
import type { ClusterSpec } from "../spec/types";

export const DOT_DIR = ".xcluster";

export interface Layout {
  /** The project root (holds `Pulumi.yaml`, `stacks/`, `policy/`). */
  readonly root: string;
  readonly stateDir: string;
  readonly workspacesDir: string;
  readonly backupsDir: string;
}

export function layout(root: string): Layout {
  const abs = path.resolve(root);
  const dot = path.join(abs, DOT_DIR);
  return {
    root: abs,
    stateDir: path.join(dot, "state"),
    workspacesDir: path.join(dot, "workspaces"),
    backupsDir: path.join(dot, "backups"),
  };
}

/** One directory per stack: concurrent `stack select` in one directory corrupts workspace state. */
export function workspaceDir(l: Layout, stack: string): string {
  return path.join(l.workspacesDir, stack);
}

/**
 * The backend URL of a cluster: the environment's, or the project's local file backend. Relative
 * `file://` URLs are made absolute against the project root (the CLI's cwd is the workspace directory).
 */
export function backendUrl(spec: Pick<ClusterSpec, "backend">, l: Layout): string {
  const url = spec.backend.url;
  if (url === "") return `file://${l.stateDir}`;
  if (url.startsWith("file://")) {
    const p = url.slice("file://".length);
    if (p.startsWith("~")) return url;
    return `file://${path.resolve(l.root, p)}`;
  }
  return url;
}

/** Creates the directory of a local file backend (the CLI refuses a missing one). */
export function ensureBackendDir(url: string): void {
  if (url.startsWith("file://") && !url.startsWith("file://~")) {
    fs.mkdirSync(url.slice("file://".length), { recursive: true });
  }
}

/** A file-name-safe UTC timestamp, e.g. `20250101T120000Z`. */
export function timestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}
