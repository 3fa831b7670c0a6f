/**
 * One Pulumi workspace per stack: its own directory under `.xcluster/workspaces/<stack>/` (concurrent
 * create/select in one directory corrupts workspace state, pulumi/pulumi#8186), project settings naming the
 * backend, the spec's secrets provider, and the cluster program inline. Everything the CLI needs comes in
 * through `envVars`; nothing depends on `pulumi login` state.
 */
import * as fs from "fs";
import type { LocalWorkspaceOptions, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { EXIT } from "../cli/exit-codes";
import {
  FleetError,
  InvalidRunError,
  MissingStackError,
  PassphraseMismatchError,
  PulumiCliMissingError,
  firstLine,
  isPassphraseMismatch,
} from "./errors";
import { backendUrl, ensureBackendDir, workspaceDir, type Layout } from "./layout";
import { PROJECT_NAME, stackName } from "./stack-name";
import { stackConfig, type ExtraConfig } from "./stack-config";
import { NOT_APPLIED, type AppliedState } from "../programs/applied-state";

export const PASSPHRASE_VARS = ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"] as const;

/** Environment variables handed to every CLI call (besides the inherited process environment). */
const FORWARDED = [
  ...PASSPHRASE_VARS,
  "PULUMI_HOME",
  "PULUMI_ACCESS_TOKEN",
  "VAULT_ADDR",
  "VAULT_TOKEN",
] as const;

/**
 * A fresh checkout (CI) has no `Pulumi.<stack>.yaml` in the stack's workspace. Without this the CLI mints a
 * new secrets provider for an existing stack (a passphrase salt that accepts any passphrase, or the
 * passphrase provider in place of a Vault key) and re-encrypts the state under it; a wrong passphrase then
 * leaves a salt in the workspace that refuses the right one. With it, the CLI takes the provider from the
 * stack's state in the backend and writes its settings into the workspace's stack config.
 */
const FROM_STATE = { PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true" } as const;

/**
 * Builds one cluster's inline program; called per stack, the program itself runs when the engine asks.
 * `applied` is what the stack recorded at its last `up` (NOT_APPLIED for a new stack).
 */
export type ProgramFactory = (spec: ClusterSpec, applied: AppliedState) => PulumiFn;

export interface WorkspaceContext {
  readonly layout: Layout;
  readonly pulumi: PulumiCommand;
  readonly env: NodeJS.ProcessEnv;
  readonly extraConfig?: ExtraConfig;
  /** The directory spec file names are relative to. @default layout.root */
  readonly specCwd?: string;
  /** The program a stack runs (the real-engine tests run small provider-free ones). @default the cluster program, `programs/program.ts` */
  readonly program?: ProgramFactory;
  /** What each stack recorded at its last `up`, by stack name (read before preview and up). @default none */
  readonly applied?: ReadonlyMap<string, AppliedState>;
}

/**
 * Rejects a run before any stack is touched when a cluster uses the passphrase provider and neither
 * passphrase variable is set (the CLI would otherwise fail on the first secret, per stack).
 */
export function checkSecretsProviders(specs: readonly ClusterSpec[], env: NodeJS.ProcessEnv): void {
  const needing = specs.filter((s) => s.backend.secretsProvider === "passphrase");
  if (needing.length === 0 || PASSPHRASE_VARS.some((v) => (env[v] ?? "") !== "")) return;
  throw new InvalidRunError(
    `the passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in the ` +
      `environment (used by ${needing.map(stackName).join(", ")}); no stack was touched`,
  );
}

export function workspaceOptions(spec: ClusterSpec, ctx: WorkspaceContext): LocalWorkspaceOptions {
  const stack = stackName(spec);
  const workDir = workspaceDir(ctx.layout, stack);
  fs.mkdirSync(workDir, { recursive: true });
  const url = backendUrl(spec, ctx.layout);
  ensureBackendDir(url);
  const envVars: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true", ...FROM_STATE };
  for (const name of FORWARDED) {
    const value = ctx.env[name];
    if (value !== undefined && value !== "") envVars[name] = value;
  }
  return {
    workDir,
    pulumiCommand: ctx.pulumi,
    projectSettings: { name: PROJECT_NAME, runtime: "nodejs", backend: { url } },
    secretsProvider: spec.backend.secretsProvider,
    envVars,
  };
}

/** The cluster program, loaded only when the engine asks for it (so `outputs` never loads providers). */
export function clusterProgramFactory(spec: ClusterSpec, applied: AppliedState): PulumiFn {
  return async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { clusterProgram } = require("../programs/program") as typeof import("../programs/program");
    return clusterProgram(spec, applied);
  };
}

export type OpenMode = "create-or-select" | "select";

/**
 * Creates or selects the cluster's stack and sets its config from the spec. `select` never creates a
 * stack (destroy, refresh, drift and outputs of a cluster that was never deployed).
 */
export async function openStack(
  spec: ClusterSpec,
  ctx: WorkspaceContext,
  mode: OpenMode,
  setConfig = true,
): Promise<Stack> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const auto = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  const program = (ctx.program ?? clusterProgramFactory)(
    spec,
    ctx.applied?.get(stackName(spec)) ?? NOT_APPLIED,
  );
  const args = { stackName: stackName(spec), projectName: PROJECT_NAME, program };
  const options = workspaceOptions(spec, ctx);
  let stack: Stack;
  try {
    stack =
      mode === "select"
        ? await auto.LocalWorkspace.selectStack(args, options)
        : await auto.LocalWorkspace.createOrSelectStack(args, options);
  } catch (e) {
    throw mapStackError(e, spec, ctx.layout);
  }
  if (setConfig) {
    const config = stackConfig(
      spec,
      ctx.layout.root,
      ctx.extraConfig,
      ctx.env,
      ctx.specCwd ?? ctx.layout.root,
    );
    await stack.setAllConfig(config);
  }
  return stack;
}

/** Maps what opening or reading a stack threw (outside an operation) to one typed error. */
export function mapStackError(e: unknown, spec: ClusterSpec, l: Layout): FleetError {
  if (e instanceof FleetError) return e;
  const err = e as Error;
  if (isPassphraseMismatch(err.message)) return new PassphraseMismatchError(stackName(spec), err.message);
  if (err.name === "StackNotFoundError")
    return new MissingStackError(stackName(spec), backendUrl(spec, l), err.message);
  if (/ENOENT/.test(err.message)) return new PulumiCliMissingError("it could not be started", err.message);
  return new FleetError(
    "failed",
    `stack ${stackName(spec)}: ${firstLine(err.message)}`,
    EXIT.failed,
    err.message,
  );
}
