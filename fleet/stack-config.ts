/**
 * The stack config the driver sets from the spec. `xcluster:spec` names the spec file relative to the
 * project root, which is exactly what `programs/stack.ts` reads under plain `pulumi up`, so both entry
 * points build the same program from the same file. Secrets (from `--secret-env`) are flagged `secret`
 * so the CLI encrypts them with the stack's secrets provider.
 */
import * as path from "path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { InvalidRunError } from "./errors";

/** Extra config from the command line: plain values and secrets read from environment variables. */
export interface ExtraConfig {
  /** `key → value`, stored in plain text. */
  readonly plain?: Readonly<Record<string, string>>;
  /** `key → environment variable name`; the value is read at run time and stored encrypted. */
  readonly secretFromEnv?: Readonly<Record<string, string>>;
}

/** The spec file as the stack config names it: relative to the project root, with `/` separators. */
export function specConfigPath(spec: ClusterSpec, root: string, cwd = root): string {
  return path.relative(root, path.resolve(cwd, spec.source.clusterFile)).split(path.sep).join("/");
}

export function stackConfig(
  spec: ClusterSpec,
  root: string,
  extra: ExtraConfig = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = root,
): ConfigMap {
  const config: ConfigMap = {
    "xcluster:spec": { value: specConfigPath(spec, root, cwd) },
    "xcluster:environment": { value: spec.environment },
    "openstack:region": { value: spec.openstack.region },
    "openstack:cloud": { value: spec.openstack.cloud },
  };
  for (const [key, value] of Object.entries(extra.plain ?? {})) config[key] = { value };
  for (const [key, variable] of Object.entries(extra.secretFromEnv ?? {})) {
    const value = env[variable];
    if (value === undefined || value === "")
      throw new InvalidRunError(
        `--secret-env ${key}=${variable}: environment variable ${variable} is not set`,
      );
    config[key] = { value, secret: true };
  }
  return config;
}

/** Parses `key=value` flags; config keys must be namespaced (`ns:key`) like the CLI's. */
export function parseKeyValues(items: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq > 0 ? item.slice(0, eq) : "";
    if (!/^[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$/.test(key) || eq === item.length - 1)
      throw new InvalidRunError(
        `${flag} ${item}: expected <namespace>:<key>=<value> (got ${JSON.stringify(item)})`,
      );
    out[key] = item.slice(eq + 1);
  }
  return out;
}
