/**
 * `xcluster replace <cluster> <node>`: an `up` that deletes one node's instance and creates it again on
 * the same port and fixed address, booted with the current boot config.
 *
 * A targeted replace (`up({ replace: [urn] })`, the CLI's `--replace`) alone would boot the new instance
 * with the old user data: the engine resets ignored inputs to their old values before it diffs, a
 * targeted replace included (pulumi v3.248.0 pkg/resource/deploy/step_generator.go, `processIgnoreChanges`
 * whenever an old state exists). So for this one run the program drops `ignoreChanges` from exactly that
 * instance (its boot properties are then the current ones) and `protect` (the engine allows unprotecting
 * and replacing in one update: step_generator.go checks `new.Protect && old.Protect`). Every other
 * resource is rendered as in any `up`. The instance deletes before it is replaced (rke2/node-instance.ts),
 * so the port it leaves is free for the new one.
 *
 * Everything `up` checks first is checked here too, plus: the node exists in the spec (else a did-you-mean)
 * and in the stack's state, and a production cluster needs its environment typed back (`--confirm-env`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../spec/types";
import { didYouMean } from "../cli/did-you-mean";
import { InvalidRunError } from "./errors";
import { layout } from "./layout";
import { runOperation, type ClusterResult } from "./operation";
import { programPlugins, requirePrerequisites } from "./preflight";
import { readStackRecords, refuseRepointing } from "./spec-ownership";
import { readAppliedStates, stateResources, upgradeRefusals } from "./applied-state";
import { resolvePolicyPack } from "./run-fleet";
import { stackName } from "./stack-name";
import type { ExtraConfig } from "./stack-config";
import { clusterProgramFactory, type ProgramFactory } from "./workspace";

const INSTANCE = "openstack:compute/instance:Instance";

/** Every node (instance) name the spec gives the cluster: servers, pool nodes, ingress nodes. */
export function nodeNames(spec: ClusterSpec): string[] {
  const c = spec.name;
  const range = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => name(i));
  const ingress = spec.topology.mode === "keepalived" ? spec.topology.ingressNodes : 0;
  return [
    ...range(spec.controlPlane.count, (i) => `${c}-server-${i}`),
    ...spec.pools.flatMap((p) => range(p.count, (i) => `${c}-${p.name}-${i}`)),
    ...range(ingress, (i) => `${c}-ingress-${i}`),
  ];
}

/** Why `node` cannot be replaced in this spec (unknown, with a did-you-mean), or undefined. */
export function unknownNodeProblem(spec: ClusterSpec, node: string): string | undefined {
  const names = nodeNames(spec);
  if (names.includes(node)) return undefined;
  return (
    `replace: cluster ${spec.environment}/${spec.name} has no node ${node}` +
    `${didYouMean(node, names)} (allowed: ${names.join(", ")}); no stack was touched`
  );
}

/** The refusal of a replace in production without the environment typed back, or undefined. */
export function productionProblem(spec: ClusterSpec, confirmEnv: string | undefined): string | undefined {
  if (!spec.production || confirmEnv === spec.environment) return undefined;
  return (
    `replace deletes and re-creates a node of ${spec.environment}/${spec.name}, a production cluster; type ` +
    `the environment name back with --confirm-env ${spec.environment}` +
    (confirmEnv !== undefined ? ` (got --confirm-env ${confirmEnv})` : "") +
    `; no stack was touched`
  );
}

/** The program with `node`'s instance released from `ignoreChanges` and `protect`, for this run only. */
export function withNodeReplaced(factory: ProgramFactory, node: string): ProgramFactory {
  return (spec, applied) => {
    const inner = factory(spec, applied);
    return async () => {
      pulumi.runtime.registerStackTransformation((a) =>
        a.type === INSTANCE && a.name === node
          ? { props: a.props, opts: { ...a.opts, ignoreChanges: [], protect: false } }
          : undefined,
      );
      return inner();
    };
  };
}

export interface ReplaceOptions {
  /** The project root (holds `stacks/`, `policy/`, `.xcluster/`). */
  readonly root: string;
  readonly pulumi: import("@pulumi/pulumi/automation").PulumiCommand;
  /** Where passphrases and tokens come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The environment's name typed back; required for a production cluster. */
  readonly confirmEnv?: string;
  /** Policy pack directory; false runs without. @default `<root>/policy` when present */
  readonly policyPack?: string | false;
  readonly extraConfig?: ExtraConfig;
  /** @default root */
  readonly specCwd?: string;
  /** The program (tests pass stand-in-friendly ones). @default the cluster program */
  readonly program?: ProgramFactory;
  /** Provider plugins checked first. @default the cluster program's; none when `program` is given */
  readonly plugins?: readonly import("./preflight").RequiredPlugin[];
  readonly lockRetries?: number;
  readonly lockRetryDelayMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (cluster: ClusterSpec, line: string) => void;
  readonly progressIntervalMs?: number;
}

/**
 * Replaces `node`'s instance in `spec`'s stack. Rejects (InvalidRunError, exit 2) before anything is
 * touched on an unknown node, an unconfirmed production cluster, a stack that does not exist or holds
 * no such instance, or a refused upgrade path; otherwise resolves to the `up`'s result.
 */
export async function replaceNode(
  spec: ClusterSpec,
  node: string,
  options: ReplaceOptions,
): Promise<ClusterResult> {
  const refused = unknownNodeProblem(spec, node) ?? productionProblem(spec, options.confirmEnv);
  if (refused !== undefined) throw new InvalidRunError(refused);
  const l = layout(options.root);
  const env = options.env ?? process.env;
  const specCwd = options.specCwd ?? options.root;
  await requirePrerequisites([spec], {
    layout: l,
    pulumi: options.pulumi,
    env,
    plugins: options.plugins ?? (options.program ? [] : programPlugins()),
  });
  const access = { pulumi: options.pulumi, env };
  const records = await readStackRecords([spec], l, access, 1);
  const stack = stackName(spec);
  const record = records.get(stack);
  if (record?.exists !== true) {
    throw new InvalidRunError(
      `replace: stack ${stack} does not exist in ${record?.backend ?? "its backend"}; nothing to replace (run up first); no stack was touched`,
    );
  }
  refuseRepointing([spec], records, l, specCwd, false);
  const applied = await readAppliedStates([spec], records, l, access, 1);
  const upgrade = upgradeRefusals([spec], applied, specCwd);
  if (upgrade.length > 0) throw new InvalidRunError(`${upgrade.join("\n")}\nno stack was touched`);
  const urn = (await stateResources(record.backend, stack, l, access)).find(
    (r) => r.type === INSTANCE && r.urn.endsWith(`::${node}`),
  )?.urn;
  if (urn === undefined) {
    throw new InvalidRunError(
      `replace: node ${node} is in the spec but stack ${stack} has no instance of it yet (run up to create it); no stack was touched`,
    );
  }
  return runOperation("up", spec, 1, {
    layout: l,
    pulumi: options.pulumi,
    env,
    records,
    applied,
    extraConfig: options.extraConfig,
    specCwd,
    program: withNodeReplaced(options.program ?? clusterProgramFactory, node),
    replace: [urn],
    policyPack: resolvePolicyPack(options.root, options.policyPack),
    lockRetries: options.lockRetries ?? 3,
    lockRetryDelayMs: options.lockRetryDelayMs ?? 5000,
    signal: options.signal,
    progress: options.onProgress ?? (() => undefined),
    progressIntervalMs: options.progressIntervalMs ?? 1000,
    now: Date.now,
  });
}
