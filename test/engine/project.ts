/**
 * A throwaway xcluster project for the engine tests: cluster specs under `stacks/`, the driver's
 * `.xcluster/` (file backend, workspaces, backups) and a PULUMI_HOME of its own, all in one temporary
 * directory. Its `node_modules` links to the repository's, as a real checkout has one: the dynamic
 * provider and the language host resolve @pulumi/pulumi from the stack's workspace directory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { FleetOptions } from "../../fleet/run-fleet";
import { loadFleet, formatIssue } from "../../spec";
import type { ClusterSpec } from "../../spec/types";
import { REPO_ROOT, baseCluster, baseEnvironment } from "../support/spec-files";

export const PASSPHRASE = "engine-test-passphrase";

export interface ProjectSpec {
  /** Cluster names, all in environment `dev`. */
  readonly clusters: readonly string[];
  /** The environment's backend URL. @default the project's own file backend (`.xcluster/state`) */
  readonly backendUrl?: string;
  /** The environment's policy enforcement. @default mandatory (the spec's default) */
  readonly policyEnforcement?: "mandatory" | "advisory";
}

export class EngineProject {
  readonly root: string;
  /** PULUMI_HOME: plugins, workspace selections and credentials never touch ~/.pulumi. */
  readonly home: string;
  /** Progress lines of every run, prefixed with the cluster like the CLI does. */
  readonly progress: string[] = [];

  constructor(spec: ProjectSpec, tmpPrefix = "xcluster-engine-") {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    this.home = path.join(this.root, ".pulumi-home");
    fs.mkdirSync(this.home);
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(this.root, "node_modules"), "dir");
    const env = baseEnvironment({
      production: false,
      ...(spec.backendUrl !== undefined
        ? { backend: { url: spec.backendUrl, secretsProvider: "passphrase" } }
        : {}),
      ...(spec.policyEnforcement !== undefined ? { policy: { enforcement: spec.policyEnforcement } } : {}),
    });
    this.write("dev/environment.yaml", { ...env, metadata: { name: "dev" } });
    spec.clusters.forEach((name, i) => {
      const doc = baseCluster({ numberOfMasters: 1, subnetCidr: `10.0.${i + 1}.0/24` });
      this.write(`dev/${name}.yaml`, { ...doc, metadata: { name } });
    });
  }

  private write(name: string, doc: Record<string, unknown>): void {
    const file = path.join(this.root, "stacks", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stringify(doc));
  }

  clusters(): ClusterSpec[] {
    const fleet = loadFleet([path.join(this.root, "stacks")], { cwd: this.root });
    if (fleet.issues.length > 0) throw new Error(fleet.issues.map(formatIssue).join("\n"));
    return fleet.clusters;
  }

  cluster(name: string): ClusterSpec {
    const found = this.clusters().find((c) => c.name === name);
    if (!found) throw new Error(`no cluster ${name} in ${this.root}`);
    return found;
  }

  /** What the CLI hands the driver: passphrase and PULUMI_HOME only (nothing from the caller's login). */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, PULUMI_HOME: this.home, ...extra };
  }

  /** Driver options: this project, no policy pack unless given, every progress line kept. */
  options(pulumi: PulumiCommand, extra: Partial<FleetOptions> = {}): FleetOptions {
    return {
      root: this.root,
      pulumi,
      env: this.env(),
      policyPack: false,
      progressIntervalMs: 0,
      lockRetryDelayMs: 100,
      onProgress: (c, line) => this.progress.push(`[${c.name}] ${line}`),
      ...extra,
    };
  }

  workDir(stack: string): string {
    return path.join(this.root, ".xcluster", "workspaces", stack);
  }

  /** The file backend's state directory of this project. */
  get stateDir(): string {
    return path.join(this.root, ".xcluster", "state");
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every file under `dir`, for "the secret is nowhere in plain text" checks. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}
