/**
 * `xcluster outputs <cluster>`: one stack's outputs, secrets masked unless asked. The stack is selected,
 * never created, and its config is left alone.
 */
import type { OutputMap } from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../spec/types";
import { layout } from "./layout";
import { mapStackError, openStack } from "./workspace";
import type { PulumiCommand } from "@pulumi/pulumi/automation";

export const MASK = "[secret]";

export interface OutputsOptions {
  readonly root: string;
  readonly pulumi: PulumiCommand;
  readonly showSecrets?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** Output values by name; secret ones replaced by `[secret]` unless `showSecrets`. */
export function maskOutputs(outputs: OutputMap, showSecrets: boolean): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, v.secret && !showSecrets ? MASK : v.value]),
  );
}

export async function stackOutputs(
  spec: ClusterSpec,
  options: OutputsOptions,
): Promise<Record<string, unknown>> {
  const l = layout(options.root);
  const stack = await openStack(
    spec,
    { layout: l, pulumi: options.pulumi, env: options.env ?? process.env },
    "select",
    false,
  );
  try {
    // The automation API reads outputs with --show-secrets: a wrong passphrase fails here, masked or not.
    return maskOutputs(await stack.outputs(), options.showSecrets === true);
  } catch (e) {
    throw mapStackError(e, spec, l);
  }
}

/** `key: value` lines; structured values as compact JSON. */
export function formatOutputs(values: Record<string, unknown>): string[] {
  return Object.entries(values).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
}
