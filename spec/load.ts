/**
 * Finds and loads specs: every `*.yaml` under the given paths (default `stacks/`). A directory holds
 * one environment (`environment.yaml`, kind XEnvironment) and the clusters (kind XCluster) that
 * belong to it. Every problem in every file is collected before anything is returned.
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT_FILE } from "./defaults";
import { ClusterDocument, EnvironmentDocument } from "./schema";
import { checkStructure } from "./structure";
import { checkCluster, checkEnvironment } from "./semantics";
import { resolveCluster } from "./resolve";
import { routerIdScopeOf } from "./router-ids";
import { parseYaml, type YamlSource } from "./yaml-source";
import { show, type SpecIssue } from "./issues";
import type { ClusterSpec } from "./types";

export interface FleetLoad {
  readonly clusters: ClusterSpec[];
  readonly issues: SpecIssue[];
  /** Every spec file read, for reports. */
  readonly files: string[];
  /** Every environment document found under the paths that is valid, by name. */
  readonly environments: { readonly name: string; readonly file: string }[];
}

export interface LoadOptions {
  /** Only clusters of this environment. */
  readonly environment?: string;
  /** Base for relative file names in messages. @default process.cwd() */
  readonly cwd?: string;
}

interface EnvEntry {
  readonly file: string;
  readonly doc?: EnvironmentDocument;
  readonly issues: SpecIssue[];
}

/** Loads every cluster under `paths` (files or directories). */
export function loadFleet(paths: readonly string[], options: LoadOptions = {}): FleetLoad {
  const cwd = options.cwd ?? process.cwd();
  const rel = (f: string) => path.relative(cwd, f) || f;
  const issues: SpecIssue[] = [];
  const clusterFiles = new Set<string>();
  const environmentFiles = new Set<string>();
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (!fs.existsSync(abs)) {
      // A command-line argument, not a file's content: there is no line to point at.
      issues.push({ file: rel(abs), line: 0, col: 0, path: "", message: "no such file or directory" });
      continue;
    }
    for (const f of yamlFiles(abs)) {
      if (path.basename(f) === ENVIRONMENT_FILE) environmentFiles.add(f);
      else clusterFiles.add(f);
    }
  }

  const envs = new Map<string, EnvEntry>();
  const environmentOf = (dir: string): EnvEntry => {
    const file = path.join(dir, ENVIRONMENT_FILE);
    let entry = envs.get(file);
    if (!entry) {
      entry = loadEnvironment(file, rel(file));
      envs.set(file, entry);
    }
    return entry;
  };

  const clusters: ClusterSpec[] = [];
  const seen = new Map<string, { file: string; src: YamlSource }>();
  /** Environment-scoped IDs already taken: `<environment>/<id>` → the cluster and group holding it. */
  const routerIds = new Map<string, { cluster: string; group: string }>();
  for (const file of [...clusterFiles].sort()) {
    const parsed = readYaml(file, rel(file));
    if (!parsed.source) {
      issues.push(...parsed.issues);
      continue;
    }
    const src = parsed.source;
    const kind = (src.data as Record<string, unknown> | null)?.["kind"];
    if (kind !== "XCluster") {
      issues.push(
        src.issue(
          ["kind"],
          `not a cluster spec (got ${show(kind)}; allowed: "XCluster", or name the environment file ${ENVIRONMENT_FILE})`,
        ),
      );
      continue;
    }
    const env = environmentOf(path.dirname(file));
    if (
      options.environment !== undefined &&
      env.doc !== undefined &&
      env.doc.metadata.name !== options.environment
    )
      continue;
    const structure = checkStructure(ClusterDocument, src);
    issues.push(...structure.issues);
    if (!env.doc) {
      if (env.issues.length === 0)
        issues.push(
          src.issue(
            [],
            `no ${ENVIRONMENT_FILE} beside this cluster spec: it names the cloud, images and flavors`,
          ),
        );
      continue;
    }
    if (!structure.value) {
      // Still report what the cross-field rules find in the fields structure proved.
      issues.push(...checkCluster(structure.proved, src, env.doc));
      continue;
    }
    const doc = structure.value;
    const key = `${env.doc.metadata.name}/${doc.metadata.name}`;
    const prior = seen.get(key);
    if (prior) {
      issues.push(
        src.issue(
          ["metadata", "name"],
          `duplicate cluster name in environment "${env.doc.metadata.name}" (got ${show(doc.metadata.name)}, also in ${prior.file}; allowed: unique names)`,
        ),
      );
    }
    seen.set(key, prior ?? { file: rel(file), src });
    const semantic = checkCluster(doc, src, env.doc);
    issues.push(...semantic);
    if (semantic.length > 0 || prior) continue;
    const spec = resolveCluster(doc, env.doc, { clusterFile: rel(file), environmentFile: env.file });
    if (spec.topology.mode === "keepalived" && routerIdScopeOf(env.doc).scope === "environment") {
      // Clusters sharing one network: IDs from the order never collide, but overrides may.
      const t = spec.topology;
      const groups = [
        ["ingress", t.virtualRouterId, "virtualRouterId"],
        ["API", t.apiVirtualRouterId, "apiVirtualRouterId"],
      ] as const;
      const clash = groups
        .map(([group, id, field]) => ({
          group,
          id,
          field,
          other: routerIds.get(`${spec.environment}/${id}`),
        }))
        .find((g) => g.other !== undefined);
      if (clash?.other !== undefined) {
        issues.push(
          src.issue(
            ["spec", "parameters", "topology", clash.field],
            `keepalived virtual_router_id ${clash.id} of the ${clash.group} group is also used by the ${clash.other.group} group of cluster "${clash.other.cluster}", and the clusters of environment "${spec.environment}" share one network (routerIdScope: environment) (allowed: remove the override to get a free ID, or choose an unused one 1–255)`,
          ),
        );
        continue;
      }
      for (const [group, id] of groups)
        routerIds.set(`${spec.environment}/${id}`, { cluster: spec.name, group });
    }
    clusters.push(spec);
  }
  // Environments named directly (or without clusters beside them) are validated too.
  for (const file of environmentFiles) environmentOf(path.dirname(file));
  for (const env of envs.values()) issues.push(...env.issues);
  const environments = [...envs.values()]
    .flatMap((e) => (e.doc ? [{ name: e.doc.metadata.name, file: e.file }] : []))
    .sort((a, b) => a.file.localeCompare(b.file));
  return { clusters, issues: sortIssues(issues), files: [...clusterFiles].sort().map(rel), environments };
}

function loadEnvironment(file: string, name: string): EnvEntry {
  if (!fs.existsSync(file)) return { file: name, issues: [] };
  const parsed = readYaml(file, name);
  if (!parsed.source) return { file: name, issues: parsed.issues };
  const structure = checkStructure(EnvironmentDocument, parsed.source);
  // Every problem at once: the semantic rules run on what structure proved even when it found issues.
  const issues = [...structure.issues, ...checkEnvironment(structure.proved, parsed.source)];
  return { file: name, doc: issues.length === 0 ? structure.value : undefined, issues };
}

function readYaml(file: string, name: string): ReturnType<typeof parseYaml> {
  let text: string;
  try {
    if (fs.statSync(file).isDirectory())
      return { issues: [fileIssue(name, "is a directory, not a YAML file")] };
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { issues: [fileIssue(name, `cannot read (${(e as NodeJS.ErrnoException).code ?? "error"})`)] };
  }
  return parseYaml(name, text);
}

function yamlFiles(p: string): string[] {
  const stat = fs.statSync(p);
  if (stat.isFile()) return [p];
  const out: string[] = [];
  for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
    const full = path.join(p, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const k = `${i.file}:${i.line}:${i.col}:${i.path}:${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** A problem with a file as a whole: it points at the file's start. */
function fileIssue(file: string, message: string): SpecIssue {
  return { file, line: 1, col: 1, path: "", message };
}
