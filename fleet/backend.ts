/**
 * Reading a backend without selecting any cluster's stack: which stacks exist, how many resources each
 * holds, and each stack's tags. It goes through one workspace per backend (`.xcluster/workspaces/_backend-<id>`)
 * that belongs to no stack, so reading never changes a cluster's workspace or its selected stack.
 */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand, Workspace } from "@pulumi/pulumi/automation";
import { ensureBackendDir, type Layout } from "./layout";
import { PROJECT_NAME } from "./stack-name";
import { promisify } from "util";
import { stringify } from "yaml";

const execFileAsync = promisify(execFile);

export interface BackendAccess {
  readonly pulumi: PulumiCommand;
  /** Where passphrases, PULUMI_HOME and tokens come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** A stack as the backend lists it. */
export interface BackendStack {
  /** The short name, `<environment>.<cluster>`. */
  readonly name: string;
  /** Resources in its state, as `pulumi stack ls --json` counts them (absent when the backend does not say). */
  readonly resourceCount?: number;
}

/** The environment a CLI call of the driver gets: passphrase, PULUMI_HOME and tokens, nothing else of ours. */
export function cliEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
  for (const k of [
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "PULUMI_HOME",
    "PULUMI_ACCESS_TOKEN",
  ]) {
    const v = env[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

/**
 * The backend's own workspace (its directory is created on first use). Its `Pulumi.yaml` is written only
 * when missing or different, and atomically: the automation API rewrites it on every `LocalWorkspace.create`
 * given project settings, and a CLI call reading it meanwhile (another reader of the same backend, in this
 * process or another) fails with "expected project to be an object".
 */
export async function backendWorkspace(url: string, l: Layout, access: BackendAccess): Promise<Workspace> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const auto = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  const id = crypto.createHash("sha1").update(url).digest("hex").slice(0, 10);
  const workDir = path.join(l.workspacesDir, `_backend-${id}`);
  fs.mkdirSync(workDir, { recursive: true });
  ensureBackendDir(url);
  const file = path.join(workDir, "Pulumi.yaml");
  const settings = stringify({ name: PROJECT_NAME, runtime: "nodejs", backend: { url } });
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== settings) {
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(tmp, settings);
    fs.renameSync(tmp, file);
  }
  return auto.LocalWorkspace.create({
    workDir,
    pulumiCommand: access.pulumi,
    envVars: cliEnv(access.env ?? process.env),
  });
}

/** The stacks of this project in one backend (`ws` from `backendWorkspace`). */
export async function backendStacks(ws: Workspace): Promise<BackendStack[]> {
  return (await ws.listStacks()).map((s) => ({
    name: s.name.slice(s.name.lastIndexOf("/") + 1),
    ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
  }));
}

/** Stack names in one backend (for this project). */
export async function listBackendStacks(url: string, l: Layout, access: BackendAccess): Promise<string[]> {
  return (await backendStacks(await backendWorkspace(url, l, access))).map((s) => s.name);
}

/** One stack's tags (`pulumi stack tag ls`). */
export async function stackTags(ws: Workspace, stack: string): Promise<Record<string, string>> {
  return ws.listTags(stack);
}

/** A resource of a stack's state, as `pulumi stack export` (no secrets decrypted) shows it. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly outputs?: Record<string, unknown>;
}

/**
 * The resources of a stack's state, from `pulumi stack export`: secrets stay encrypted (no
 * `--show-secrets`), nothing is selected or changed.
 */
export async function exportedResources(ws: Workspace, stack: string): Promise<StateResource[]> {
  const { stdout } = await execFileAsync(
    ws.pulumiCommand.command,
    ["stack", "export", "--stack", stack, "--non-interactive"],
    {
      cwd: ws.workDir,
      env: { ...process.env, ...ws.envVars, PULUMI_AUTOMATION_API: "true" },
      maxBuffer: 1024 * 1024 * 1024,
    },
  );
  const state = JSON.parse(stdout) as { deployment?: { resources?: StateResource[] } };
  return state.deployment?.resources ?? [];
}

/** The types of the resources in a stack's state, without the provider resources: what a destroy would delete. */
export async function stateResourceTypes(ws: Workspace, stack: string): Promise<string[]> {
  return (await exportedResources(ws, stack))
    .map((r) => r.type)
    .filter((t) => !t.startsWith("pulumi:providers:"));
}
