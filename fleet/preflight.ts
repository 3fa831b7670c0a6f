/**
 * Nothing is touched before everything needed is present. Before `preview`, `up` or `reconcile` creates
 * any workspace or stack, every piece the run needs is looked for, for all clusters at once: the pulumi
 * CLI and its Node.js language host, every provider plugin the program needs at its version, the secrets
 * provider's key material and the backend. Whatever is missing is reported in one message, each piece with
 * the command that provides it (exit 2).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { cliEnv } from "./backend";
import { InvalidRunError, firstLine } from "./errors";
import { backendUrl, type Layout } from "./layout";
import { stackName } from "./stack-name";
import { PASSPHRASE_VARS } from "./workspace";

const execFileAsync = promisify(execFile);

export interface MissingPiece {
  /** What is missing, e.g. `provider plugin openstack 3.15.2`. */
  readonly what: string;
  /** The command (or setting) that provides it. */
  readonly provide: string;
}

export interface RequiredPlugin {
  readonly name: string;
  /** Without a leading `v`. */
  readonly version: string;
}

export const SETUP_COMMAND = "npm run setup:pulumi";

/** The command that provides a provider plugin: the OpenStack plugin is built from source by the setup script. */
export function pluginProvider(p: RequiredPlugin): string {
  return p.name === "openstack"
    ? `${SETUP_COMMAND} (builds the OpenStack provider plugin ${p.version} from source)`
    : `pulumi plugin install resource ${p.name} ${p.version}`;
}

/** This package's own package.json (the cluster program's dependencies), found upwards from this file. */
function ownPackageDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (
      fs.existsSync(file) &&
      (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string }).name === "xcluster"
    )
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no xcluster package.json above ${__dirname}`);
  }
}

/**
 * The provider plugins the cluster program needs: every `@pulumi/*` dependency of package.json that is a
 * resource package, at the version its package declares (the `pulumi` block of its package.json, else
 * its version — what the Node.js language host reports to the engine).
 */
export function programPlugins(packageDir = ownPackageDir()): RequiredPlugin[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const out: RequiredPlugin[] = [];
  for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
    if (!dep.startsWith("@pulumi/")) continue;
    const file = path.join(packageDir, "node_modules", dep, "package.json");
    if (!fs.existsSync(file)) {
      out.push({ name: dep.slice("@pulumi/".length), version: range.replace(/^[v^~=]+/, "") });
      continue;
    }
    const meta = JSON.parse(fs.readFileSync(file, "utf8")) as {
      version: string;
      pulumi?: { resource?: boolean; name?: string; version?: string };
    };
    if (meta.pulumi?.resource !== true) continue;
    out.push({
      name: meta.pulumi.name ?? dep.slice("@pulumi/".length),
      version: (meta.pulumi.version ?? meta.version).replace(/^v/, ""),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `a >= b` for dotted versions (pre-release suffixes ignored). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.replace(/^v/, "").split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.replace(/^v/, "").split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

function executableOnPath(file: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, file);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface InstalledPlugin {
  readonly name: string;
  readonly kind: string;
  readonly version: string;
}

/** `pulumi plugin ls --json`: the CLI's own list of the plugins in PULUMI_HOME. */
async function installedPlugins(pulumi: PulumiCommand, env: NodeJS.ProcessEnv): Promise<InstalledPlugin[]> {
  const { stdout } = await execFileAsync(pulumi.command, ["plugin", "ls", "--json"], {
    cwd: os.tmpdir(),
    env: { ...process.env, ...cliEnv(env) },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout || "[]") as InstalledPlugin[] | null) ?? [];
}

/** Without a CLI: the plugin cache directory itself (`$PULUMI_HOME/plugins/resource-<name>-v<version>`). */
function cachedPlugins(env: NodeJS.ProcessEnv): InstalledPlugin[] {
  const dir = path.join(env["PULUMI_HOME"] || path.join(os.homedir(), ".pulumi"), "plugins");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((entry) => {
    const m = /^(resource|language)-(.+)-v(\d[^-]*(?:-.+)?)$/.exec(entry);
    return m && !entry.endsWith(".partial") && !entry.endsWith(".lock")
      ? [{ kind: m[1]!, name: m[2]!, version: m[3]! }]
      : [];
  });
}

/**
 * The engine's own search order for a plugin (sdk/go/common/workspace/plugins.go at v3.248.0,
 * `getPluginInfoAndPath`): a `pulumi-resource-<name>` on PATH wins whatever its version (unless
 * PULUMI_IGNORE_AMBIENT_PLUGINS is set), then the plugin cache's newest version >= the one asked for.
 */
export function missingPlugins(
  required: readonly RequiredPlugin[],
  installed: readonly InstalledPlugin[],
  env: NodeJS.ProcessEnv,
): RequiredPlugin[] {
  const ambient = (env["PULUMI_IGNORE_AMBIENT_PLUGINS"] ?? "") === "";
  return required.filter(
    (p) =>
      !(ambient && executableOnPath(`pulumi-resource-${p.name}`, env)) &&
      !installed.some(
        (i) => i.kind === "resource" && i.name === p.name && versionAtLeast(i.version, p.version),
      ),
  );
}

/** The language host and the dynamic provider ship beside the CLI (or on PATH) and are found there. */
function missingHostPieces(pulumi: PulumiCommand, env: NodeJS.ProcessEnv): MissingPiece[] {
  const bin = path.dirname(pulumi.command);
  const out: MissingPiece[] = [];
  for (const file of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
    const beside = path.join(bin, file);
    const found = fs.existsSync(beside) || executableOnPath(file, env) !== undefined;
    if (!found)
      out.push({
        what: `${file} (the Node.js ${file.includes("language") ? "language host" : "dynamic provider"}) beside ${pulumi.command} or on PATH`,
        provide: SETUP_COMMAND,
      });
  }
  return out;
}

/** The secrets providers' key material (the CLI would fail per stack on the first secret otherwise). */
export function missingSecrets(clusters: readonly ClusterSpec[], env: NodeJS.ProcessEnv): MissingPiece[] {
  const set = (v: string) => (env[v] ?? "") !== "";
  const out: MissingPiece[] = [];
  const passphrase = clusters.filter((c) => c.backend.secretsProvider === "passphrase");
  if (passphrase.length > 0 && !PASSPHRASE_VARS.some(set)) {
    out.push({
      what: `the passphrase of the passphrase secrets provider (used by ${passphrase.map(stackName).join(", ")})`,
      provide: "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in the environment",
    });
  }
  // gocloud.dev/secrets/hashivault v0.46.0 (vault.go): VAULT_SERVER_URL or VAULT_ADDR, VAULT_SERVER_TOKEN or VAULT_TOKEN.
  const vault = clusters.filter((c) => c.backend.secretsProvider.startsWith("hashivault://"));
  if (
    vault.length > 0 &&
    !(["VAULT_SERVER_URL", "VAULT_ADDR"].some(set) && ["VAULT_SERVER_TOKEN", "VAULT_TOKEN"].some(set))
  ) {
    out.push({
      what: `Vault address and token for the hashivault secrets provider (used by ${vault.map(stackName).join(", ")})`,
      provide: "export VAULT_ADDR=… VAULT_TOKEN=… (or VAULT_SERVER_URL / VAULT_SERVER_TOKEN)",
    });
  }
  return out;
}

/** A file backend's directory: there and writable, or creatable (its nearest existing parent is a writable directory). */
function fileBackendProblem(dir: string): string | undefined {
  let probe = dir;
  while (!fs.existsSync(probe)) {
    const parent = path.dirname(probe);
    if (parent === probe) return "no existing parent directory";
    probe = parent;
  }
  if (!fs.statSync(probe).isDirectory()) return `${probe} is not a directory`;
  try {
    fs.accessSync(probe, fs.constants.W_OK);
  } catch {
    return `${probe} is not writable`;
  }
  return undefined;
}

/** Other backends: `pulumi whoami` against the URL, which logs in with the credentials at hand. */
async function remoteBackendProblem(
  url: string,
  pulumi: PulumiCommand,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-whoami-"));
  try {
    await execFileAsync(pulumi.command, ["whoami", "--non-interactive"], {
      cwd,
      env: { ...process.env, ...cliEnv(env), PULUMI_BACKEND_URL: url },
      timeout: 60_000,
    });
    return undefined;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    return firstLine(err.stderr || err.message);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

async function missingBackends(
  clusters: readonly ClusterSpec[],
  l: Layout,
  pulumi: PulumiCommand | undefined,
  env: NodeJS.ProcessEnv,
): Promise<MissingPiece[]> {
  const out: MissingPiece[] = [];
  for (const url of [...new Set(clusters.map((c) => backendUrl(c, l)))]) {
    const users = clusters
      .filter((c) => backendUrl(c, l) === url)
      .map(stackName)
      .join(", ");
    if (url.startsWith("file://")) {
      const dir = url.slice("file://".length).replace(/^~(?=\/|$)/, os.homedir());
      const problem = fileBackendProblem(dir);
      if (problem !== undefined)
        out.push({
          what: `the file backend ${url} (${problem}; used by ${users})`,
          provide: `a writable directory at ${dir}, or another backend.url in the environment`,
        });
      continue;
    }
    if (pulumi === undefined) continue; // said with the missing CLI
    const problem = await remoteBackendProblem(url, pulumi, env);
    if (problem !== undefined)
      out.push({
        what: `the backend ${url} (${problem}; used by ${users})`,
        provide: `pulumi login ${url} (or PULUMI_ACCESS_TOKEN / the storage credentials it needs)`,
      });
  }
  return out;
}

export interface PrerequisiteOptions {
  readonly layout: Layout;
  /** The CLI, or what finding it threw. */
  readonly pulumi: PulumiCommand | Error;
  readonly env: NodeJS.ProcessEnv;
  /** Provider plugins the program needs. @default the cluster program's (`programPlugins()`) */
  readonly plugins?: readonly RequiredPlugin[];
}

/** Every missing piece for running `clusters`, in a fixed order. */
export async function missingPrerequisites(
  clusters: readonly ClusterSpec[],
  options: PrerequisiteOptions,
): Promise<MissingPiece[]> {
  const env = options.env;
  // The engine inherits this process's PATH (the driver forwards no PATH of its own).
  const pathEnv = process.env;
  const cli = options.pulumi instanceof Error ? undefined : options.pulumi;
  const out: MissingPiece[] = [];
  let installed: InstalledPlugin[];
  if (cli === undefined) {
    out.push({
      // PulumiCliMissingError says where it looked, then how to get one (said here in `provide`).
      what: `the pulumi CLI and its Node.js language host (${firstLine((options.pulumi as Error).message).split("; ")[0]})`,
      provide: `${SETUP_COMMAND} (or --pulumi-root / XCLUSTER_PULUMI_ROOT naming an installation)`,
    });
    installed = cachedPlugins(env);
  } else {
    out.push(...missingHostPieces(cli, pathEnv));
    try {
      installed = await installedPlugins(cli, env);
    } catch (e) {
      out.push({
        what: `the plugin list (pulumi plugin ls failed: ${firstLine((e as Error).message)})`,
        provide: SETUP_COMMAND,
      });
      installed = [];
    }
  }
  if (clusters.length > 0) {
    for (const p of missingPlugins(options.plugins ?? programPlugins(), installed, pathEnv)) {
      out.push({ what: `provider plugin ${p.name} ${p.version}`, provide: pluginProvider(p) });
    }
  }
  out.push(...missingSecrets(clusters, env));
  out.push(...(await missingBackends(clusters, options.layout, cli, env)));
  return out;
}

export class PrerequisitesMissingError extends InvalidRunError {
  constructor(readonly missing: readonly MissingPiece[]) {
    super(
      `${missing.length} thing(s) this run needs are missing; no workspace or stack was touched:\n` +
        missing.map((m) => `  - ${m.what}: ${m.provide}`).join("\n"),
    );
    this.name = "PrerequisitesMissingError";
  }
}

/** Throws one error naming every missing piece (exit 2). */
export async function requirePrerequisites(
  clusters: readonly ClusterSpec[],
  options: PrerequisiteOptions,
): Promise<void> {
  const missing = await missingPrerequisites(clusters, options);
  if (missing.length > 0) throw new PrerequisitesMissingError(missing);
}
