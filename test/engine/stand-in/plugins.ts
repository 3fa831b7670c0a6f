/**
 * Puts stand-in provider plugins (`provider.ts`) on PATH for the packages the cluster program uses, at
 * the versions pinned in package.json. The engine prefers a `pulumi-resource-<name>` on PATH (it warns
 * "using pulumi-resource-<name> from $PATH"), so nothing is installed into PULUMI_HOME.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadOpenStackSchema } from "../../support/openstack-schema";
import { REPO_ROOT } from "../../support/spec-files";

/** The provider packages `programs/` creates resources with. */
export const STAND_IN_PACKAGES = ["openstack", "kubernetes", "aws", "vault", "rancher2"] as const;

function pinnedVersion(pkg: string): string {
  const file = path.join(REPO_ROOT, "node_modules", "@pulumi", pkg, "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

export interface StandInOptions {
  /**
   * How the OpenStack stand-in answers previews: `unknowns`, as the real provider (no value for what is
   * unknown or computed, from the real schema; see provider.ts), or `inputs` (the engine keeps the inputs).
   * @default "unknowns"
   */
  readonly openstackPreview?: "unknowns" | "inputs";
}

/** A directory of wrapper scripts, one per package; remove it with `fs.rmSync(dir, { recursive: true })`. */
export function standInPlugins(options: StandInOptions = {}): string {
  const mode = options.openstackPreview ?? "unknowns";
  const schema = loadOpenStackSchema();
  if (mode === "unknowns" && "missing" in schema) {
    // Said here, not by a plugin that dies under the engine.
    throw new Error(
      `the OpenStack stand-in previews with the real provider's unknowns and needs its schema: ${schema.missing}`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-stand-in-"));
  const register = path.join(REPO_ROOT, "node_modules", "ts-node", "register", "transpile-only");
  const provider = path.join(__dirname, "provider.ts");
  for (const pkg of STAND_IN_PACKAGES) {
    // The engine starts plugins in the stack's workspace: name the project's tsconfig, not whatever is there.
    const script =
      `#!/bin/sh\nTS_NODE_PROJECT=${path.join(REPO_ROOT, "tsconfig.json")} XCLUSTER_STAND_IN_PREVIEW=${mode} ` +
      `exec node -r ${register} ${provider} ${pkg} ${pinnedVersion(pkg)} "$@"\n`;
    fs.writeFileSync(path.join(dir, `pulumi-resource-${pkg}`), script, { mode: 0o755 });
  }
  return dir;
}

const ACQUISITION = "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION";

/**
 * Puts plugin directory `dir` first on PATH and turns the engine's automatic plugin download off (it
 * would try to download the real plugins it does not find in PULUMI_HOME), until the function it returns
 * puts both back as they were.
 */
export function pluginsFirstOnPath(dir: string): () => void {
  const saved = { path: process.env["PATH"], acquisition: process.env[ACQUISITION] };
  process.env["PATH"] = `${dir}${path.delimiter}${saved.path ?? ""}`;
  process.env[ACQUISITION] = "true";
  return () => {
    if (saved.path === undefined) delete process.env["PATH"];
    else process.env["PATH"] = saved.path;
    if (saved.acquisition === undefined) delete process.env[ACQUISITION];
    else process.env[ACQUISITION] = saved.acquisition;
  };
}
