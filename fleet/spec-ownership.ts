/**
 * A stack belongs to one spec file. The stack records the file that created it in a stack tag
 * (`xcluster:spec`, kept by the backend itself: diy backends store tags beside the state as
 * `<stack>.pulumi-tags` since pulumi 3.x, pulumi/pulumi pkg/backend/diy/stack_tags.go at v3.248.0, and the
 * service keeps them natively), so every checkout and CI job sees the same record. A run that would point
 * an existing stack at another file is refused before any stack is touched, naming both files, unless
 * `--move-spec` says the move is intended. The same tags record whether the cluster is protected
 * (`xcluster:protect`), which is all that is left to judge an orphan stack by once its spec is gone.
 */
import * as fs from "fs";
import * as path from "path";
import pLimit from "p-limit";
import { parse } from "yaml";
import type { Stack, Workspace } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { backendStacks, backendWorkspace, stackTags, type BackendAccess } from "./backend";
import { EXIT } from "../cli/exit-codes";
import { FleetError, InvalidRunError, firstLine } from "./errors";
import { backendUrl, workspaceDir, type Layout } from "./layout";
import { specConfigPath } from "./stack-config";
import { stackName } from "./stack-name";

/** The spec file (relative to the project root) that owns the stack. */
export const SPEC_TAG = "xcluster:spec";
/** `true` or `false`: the cluster's `spec.parameters.protect` at its last preview or up. */
export const PROTECT_TAG = "xcluster:protect";

/** What the backend says about one cluster's stack before the run. */
export interface StackRecord {
  readonly stack: string;
  readonly backend: string;
  readonly exists: boolean;
  /** Resources in the state (when the backend counts them). */
  readonly resourceCount?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Stack records keyed by `stackName`; one `stack ls` per backend and one `stack tag ls` per existing stack. */
export type StackRecords = ReadonlyMap<string, StackRecord>;

export async function readStackRecords(
  clusters: readonly ClusterSpec[],
  l: Layout,
  access: BackendAccess,
  /** CLI calls at once. */
  parallel = 4,
): Promise<StackRecords> {
  const limit = pLimit(parallel);
  const byBackend = new Map<string, ClusterSpec[]>();
  for (const c of clusters) {
    const url = backendUrl(c, l);
    byBackend.set(url, [...(byBackend.get(url) ?? []), c]);
  }
  const records = new Map<string, StackRecord>();
  for (const [url, specs] of byBackend) {
    let listed: Awaited<ReturnType<typeof backendStacks>>;
    let ws: Workspace;
    try {
      ws = await backendWorkspace(url, l, access);
      listed = await backendStacks(ws);
    } catch (e) {
      const text = (e as Error).message;
      throw new FleetError(
        "failed",
        `could not list the stacks of ${url}: ${firstLine(text)}; no stack was touched`,
        EXIT.failed,
        text,
      );
    }
    const existing = new Map(listed.map((s) => [s.name, s]));
    await Promise.all(
      specs.map((spec) =>
        limit(async () => {
          const stack = stackName(spec);
          const found = existing.get(stack);
          const tags = found ? await stackTags(ws, stack) : {};
          records.set(stack, {
            stack,
            backend: url,
            exists: found !== undefined,
            ...(found?.resourceCount !== undefined ? { resourceCount: found.resourceCount } : {}),
            tags,
          });
        }),
      ),
    );
  }
  return records;
}

/**
 * The spec file a stack is recorded to belong to: its tag, else (stacks created before the tag existed)
 * the `xcluster:spec` config its workspace in this checkout holds.
 */
export function recordedSpec(record: StackRecord, l: Layout): string | undefined {
  const tagged = record.tags[SPEC_TAG];
  if (tagged !== undefined && tagged !== "") return tagged;
  const file = path.join(workspaceDir(l, record.stack), `Pulumi.${record.stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  try {
    const settings = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const value = settings?.config?.[SPEC_TAG];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** One line per stack the run would re-point at another spec file; empty when there is none. */
export function ownershipConflicts(
  clusters: readonly ClusterSpec[],
  records: StackRecords,
  l: Layout,
  specCwd: string,
): string[] {
  const out: string[] = [];
  for (const spec of clusters) {
    const record = records.get(stackName(spec));
    if (!record?.exists) continue;
    const owner = recordedSpec(record, l);
    const file = specConfigPath(spec, l.root, specCwd);
    if (owner !== undefined && owner !== file) {
      out.push(
        `stack ${record.stack} belongs to ${owner}, but ${file} names the same cluster ` +
          `(${spec.environment}/${spec.name}); refusing to point the stack at ${file}. If the spec really ` +
          `moved from ${owner} to ${file}, run again with --move-spec`,
      );
    }
  }
  return out;
}

/** Throws (exit 2, nothing touched) when the run would re-point any stack, unless `moveSpec`. */
export function refuseRepointing(
  clusters: readonly ClusterSpec[],
  records: StackRecords,
  l: Layout,
  specCwd: string,
  moveSpec: boolean,
): void {
  if (moveSpec) return;
  const conflicts = ownershipConflicts(clusters, records, l, specCwd);
  if (conflicts.length > 0) throw new InvalidRunError(`${conflicts.join("\n")}\nno stack was touched`);
}

/**
 * When a stack's tags are written, relative to the engine run:
 * - `before`: ahead of a preview or up. The spec tag is written (the stack now belongs to this file); the
 *   protection tag only where it becomes **more** protective (absent or `false` → `true`). A preview
 *   changes nothing in the cloud, and an up may fail half-way: neither may make an orphan look safe to
 *   destroy.
 * - `applied`: after an up that succeeded. The protection tag now says what the state holds, in either
 *   direction.
 */
export type TagPhase = "before" | "applied";

/** The tags to write (key → value) so that the backend records what `phase` allows. Pure. */
export function ownershipTagsToWrite(
  specPath: string,
  protect: boolean,
  current: Readonly<Record<string, string>>,
  phase: TagPhase,
): Record<string, string> {
  const wanted: Record<string, string> = { [SPEC_TAG]: specPath };
  if (phase === "applied" || protect) wanted[PROTECT_TAG] = String(protect);
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current[key] !== value));
}

/** Writes the ownership and protection tags that `phase` allows, where they differ from the backend's. */
export async function recordOwnership(
  stack: Stack,
  spec: ClusterSpec,
  current: Readonly<Record<string, string>>,
  l: Layout,
  specCwd: string,
  phase: TagPhase,
): Promise<Record<string, string>> {
  const written = ownershipTagsToWrite(specConfigPath(spec, l.root, specCwd), spec.protect, current, phase);
  for (const [key, value] of Object.entries(written)) await stack.workspace.setTag(stack.name, key, value);
  return { ...current, ...written };
}

/**
 * Whether an orphan stack (no spec left) may be destroyed: only when its last preview or up recorded
 * `xcluster:protect=false`. A stack that never recorded it (created by plain `pulumi up` or before the tag
 * existed) is kept: its protection is unknown, and unknown is treated as protected.
 */
export function orphanProtection(
  tags: Readonly<Record<string, string>>,
): "protected" | "unprotected" | "unknown" {
  const value = tags[PROTECT_TAG];
  if (value === "false") return "unprotected";
  if (value === "true") return "protected";
  return "unknown";
}
