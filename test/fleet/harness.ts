/**
 * The fleet tests' fake pulumi CLI and throwaway projects. The fake (`fake-pulumi/bin/pulumi`) records
 * every call and answers per a scenario file; it never runs the inline program.
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

export const FAKE_ROOT = path.join(__dirname, "fake-pulumi");
export const POLICY_DIR = path.join(REPO_ROOT, "policy");

export interface Behaviour {
  exitCode?: number;
  stderr?: string;
  stdout?: string;
  events?: Record<string, unknown>[];
  summary?: Record<string, number>;
  failTimes?: number;
  sleepMs?: number;
  outputs?: Record<string, { value: unknown; secret?: boolean }>;
}

export type Commands =
  | "select"
  | "init"
  | "config"
  | "preview"
  | "up"
  | "refresh"
  | "destroy"
  | "export"
  | "output"
  | "history"
  | "ls"
  | "stack-rm";

export interface Scenario {
  version?: string;
  stacks?: Record<
    string,
    { exists?: boolean; tags?: Record<string, string> } & Partial<Record<Commands, Behaviour>>
  >;
  /** What `plugin ls --json` lists. @default every provider package of the repository, at its version */
  plugins?: { name: string; kind: string; version: string }[];
  default?: Partial<Record<Commands, Behaviour>>;
}

export interface Call {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** A temporary project: specs under `stacks/`, `.xcluster/` state, a fake CLI with its scenario. */
export class FakeProject {
  readonly root: string;
  readonly fakeDir: string;
  private pulumiCommand?: PulumiCommand;

  constructor(scenario: Scenario, files: Record<string, string | Record<string, unknown>> = defaultFiles()) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-fleet-"));
    this.fakeDir = path.join(this.root, ".fake-pulumi");
    fs.mkdirSync(this.fakeDir);
    this.setScenario(scenario);
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(this.root, "stacks", name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof content === "string" ? content : stringify(content));
    }
    process.env["FAKE_PULUMI_DIR"] = this.fakeDir;
  }

  setScenario(scenario: Scenario): void {
    fs.writeFileSync(path.join(this.fakeDir, "scenario.json"), JSON.stringify(scenario));
  }

  async pulumi(): Promise<PulumiCommand> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const auto = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    this.pulumiCommand ??= await auto.PulumiCommand.get({ root: FAKE_ROOT, skipVersionCheck: true });
    return this.pulumiCommand;
  }

  /** The driver options the fleet tests start from: this project, its fake CLI, the policy pack, no waits. */
  async options(extra: Partial<FleetOptions> = {}): Promise<FleetOptions> {
    return {
      root: this.root,
      pulumi: await this.pulumi(),
      env: PASSPHRASE_ENV,
      policyPack: POLICY_DIR,
      progressIntervalMs: 0,
      lockRetryDelayMs: 1,
      ...extra,
    };
  }

  clusters(environment?: string): ClusterSpec[] {
    const fleet = loadFleet([path.join(this.root, "stacks")], { cwd: this.root, environment });
    if (fleet.issues.length > 0) throw new Error(fleet.issues.map(formatIssue).join("\n"));
    return fleet.clusters;
  }

  /** Every CLI call so far, `version` excluded. */
  calls(): Call[] {
    const log = path.join(this.fakeDir, "log.jsonl");
    if (!fs.existsSync(log)) return [];
    return fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Call)
      .filter((c) => c.argv[0] !== "version");
  }

  /** Calls for one stack, as command lines without the automation API's per-run ports and temp files. */
  lines(stack: string): string[] {
    return this.calls()
      .filter((c) => c.argv.includes(stack))
      .map((c) =>
        c.argv
          .filter((a) => !a.startsWith("--client="))
          .join(" ")
          .replace(/--event-log \S+/, "--event-log <log>"),
      );
  }

  workDir(stack: string): string {
    return path.join(this.root, ".xcluster", "workspaces", stack);
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** A non-production environment `dev` with clusters a, b, c (c labelled `tier: canary`). */
export function defaultFiles(): Record<string, Record<string, unknown>> {
  return {
    "dev/environment.yaml": { ...baseEnvironment({ production: false }), metadata: { name: "dev" } },
    "dev/a.yaml": named(baseCluster({ numberOfMasters: 1, subnetCidr: "10.0.1.0/24" }), "a"),
    "dev/b.yaml": named(baseCluster({ numberOfMasters: 1, subnetCidr: "10.0.2.0/24" }), "b"),
    "dev/c.yaml": named(baseCluster({ numberOfMasters: 1, subnetCidr: "10.0.3.0/24" }), "c", {
      tier: "canary",
    }),
  };
}

export function named(
  doc: Record<string, unknown>,
  name: string,
  labels?: Record<string, string>,
): Record<string, unknown> {
  return { ...doc, metadata: { name, ...(labels ? { labels } : {}) } };
}

/** Engine events as the CLI writes them. */
export const events = {
  summary: (resourceChanges: Record<string, number>) => ({
    // The CLI spells the pack map `PolicyPacks` (the SDK's type says `policyPacks`).
    summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges, PolicyPacks: {} },
  }),
  pre: (op: string, type: string, name: string, extra: Record<string, unknown> = {}) => ({
    resourcePreEvent: { metadata: { op, urn: urn(type, name), type, provider: "", ...extra } },
  }),
  outputs: (op: string, type: string, name: string, extra: Record<string, unknown> = {}) => ({
    resOutputsEvent: { metadata: { op, urn: urn(type, name), type, provider: "", ...extra } },
  }),
  policy: (
    policyName: string,
    enforcementLevel: "mandatory" | "warning",
    message: string,
    resourceUrn = "",
  ) => ({
    policyEvent: {
      policyName,
      policyPackName: "xcluster-policy",
      policyPackVersion: "0.1.0",
      policyPackVersionTag: "0.1.0",
      enforcementLevel,
      message,
      color: "never",
      resourceUrn,
    },
  }),
  error: (message: string) => ({ diagnosticEvent: { message, color: "never", severity: "error" } }),
};

export function urn(type: string, name: string): string {
  return `urn:pulumi:dev.a::xcluster::${type}::${name}`;
}

/** Runs `fn` with environment variables set, restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export const PASSPHRASE_ENV = { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" };
