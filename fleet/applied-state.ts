/**
 * What a cluster's stack recorded at its last successful `up` (programs/applied-state.ts), read from the
 * stack's own outputs before `preview` or `up` touches anything, and handed to the program:
 *
 * - `rke2Version`: the version the stack last applied. A spec that would downgrade it, or skip a minor
 *   version, is refused here (exit 2), before any stack is opened. RKE2's _Manual Upgrades_ page
 *   (rancher/rke2-docs docs/upgrades/manual.md): "the Kubernetes version skew policy applies. Ensure
 *   that your plan does not skip intermediate minor versions when upgrading"; going back is a roll-back
 *   with an etcd snapshot taken on the older version (docs/upgrades/roll-back.md), not a version change.
 * - `clusterInitialised`: true once the cluster's readiness gate passed. From then on server-0 is
 *   rendered join-only (components/control-plane.ts), so a rebuilt server-0 never initialises.
 *
 * The outputs are read from `pulumi stack export` (the root `pulumi:pulumi:Stack` resource's outputs),
 * which needs no secrets provider: both values are plain.
 */
import * as fs from "fs";
import * as path from "path";
import pLimit from "p-limit";
import type { ClusterSpec } from "../spec/types";
import { formatIssue } from "../spec/issues";
import { parseYaml } from "../spec/yaml-source";
import { upgradeProblem } from "../spec/upgrade";
import {
  CALICO_POLICY_NAME,
  CALICO_POLICY_TYPE,
  calicoTierUpgradeProblem,
} from "../components/metadata-egress-policy";
import { backendWorkspace, exportedResources, type BackendAccess, type StateResource } from "./backend";
import { EXIT } from "../cli/exit-codes";
import { FleetError, firstLine } from "./errors";
import type { Layout } from "./layout";
import { stackName } from "./stack-name";
import type { StackRecords } from "./spec-ownership";
import { appliedStateFromOutputs, type AppliedState } from "../programs/applied-state";

export type { AppliedState } from "../programs/applied-state";

export type { StateResource } from "./backend";

/** The resources of a stack's state, from its backend (nothing decrypted, nothing selected). */
export async function stateResources(
  backend: string,
  stack: string,
  l: Layout,
  access: BackendAccess,
): Promise<StateResource[]> {
  return exportedResources(await backendWorkspace(backend, l, access), stack);
}

/**
 * What a stack's state says was applied: the stack's outputs (programs/applied-state.ts), and the Calico
 * metadata-service policy's `spec.tier` as the API server returned it at the last apply.
 */
export function appliedStateFromState(resources: readonly StateResource[]): AppliedState {
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const outputs = appliedStateFromOutputs(root?.outputs ?? {});
  const policy = resources.find((r) => {
    const metadata = r.outputs?.["metadata"] as { name?: unknown } | undefined;
    return r.type === CALICO_POLICY_TYPE && metadata?.name === CALICO_POLICY_NAME;
  });
  if (policy === undefined) return outputs;
  const tier = (policy.outputs?.["spec"] as { tier?: unknown } | undefined)?.tier;
  return { ...outputs, calicoPolicyTier: typeof tier === "string" ? tier : null };
}

/** The applied state of every selected cluster whose stack exists, keyed by stack name. */
export async function readAppliedStates(
  clusters: readonly ClusterSpec[],
  records: StackRecords,
  l: Layout,
  access: BackendAccess,
  parallel = 4,
): Promise<ReadonlyMap<string, AppliedState>> {
  const limit = pLimit(parallel);
  const states = new Map<string, AppliedState>();
  await Promise.all(
    clusters.map((spec) =>
      limit(async () => {
        const stack = stackName(spec);
        const record = records.get(stack);
        if (record?.exists !== true) return;
        try {
          states.set(stack, appliedStateFromState(await stateResources(record.backend, stack, l, access)));
        } catch (e) {
          const err = e as Error & { stderr?: string };
          throw new FleetError(
            "failed",
            `stack ${stack}: could not read what it last applied: ${firstLine(err.stderr || err.message)}; no stack was touched`,
            EXIT.failed,
            `${err.message}\n${err.stderr ?? ""}`,
          );
        }
      }),
    ),
  );
  return states;
}

const RKE2_VERSION_PATH = ["spec", "parameters", "rke2Version"] as const;

/**
 * One positioned line per cluster whose spec would take its running cluster where RKE2 cannot go:
 * `file:line:col: spec.parameters.rke2Version: cluster env/name: … (stack … last applied vA)`.
 */
export function upgradeRefusals(
  clusters: readonly ClusterSpec[],
  states: ReadonlyMap<string, AppliedState>,
  specCwd: string,
): string[] {
  const out: string[] = [];
  for (const spec of clusters) {
    const state = states.get(stackName(spec));
    const applied = state?.rke2Version;
    if (applied === undefined) continue;
    const skew = upgradeProblem(applied, spec.rke2.version);
    const tier =
      skew === undefined
        ? calicoTierUpgradeProblem(spec.rke2.cni, applied, spec.rke2.version, state?.calicoPolicyTier)
        : undefined;
    if (skew === undefined && tier === undefined) continue;
    const message =
      `cluster ${spec.environment}/${spec.name}: ${skew ?? tier}; stack ${stackName(spec)} last applied ` +
      (skew !== undefined
        ? `${applied} (RKE2 docs, Upgrades: do not skip intermediate minor versions; going back is a ` +
          `roll-back from an etcd snapshot, see docs/operations.md)`
        : `${applied} (docs/services.md, Metadata service: the tier, by name and by field)`);
    out.push(formatIssue(positioned(spec, specCwd, message)));
  }
  return out;
}

/** The issue at the rke2Version field of the cluster's file (or of its environment, where it is set). */
function positioned(spec: ClusterSpec, specCwd: string, message: string) {
  const path_ = [...RKE2_VERSION_PATH];
  for (const file of [spec.source.clusterFile, spec.source.environmentFile]) {
    const abs = path.resolve(specCwd, file);
    let text: string;
    try {
      text = fs.readFileSync(abs, "utf8");
    } catch {
      continue;
    }
    const source = parseYaml(file, text).source;
    const data = source?.data as { spec?: { parameters?: { rke2Version?: unknown } } } | undefined;
    if (source !== undefined && data?.spec?.parameters?.rke2Version !== undefined) {
      return source.issue(path_, message);
    }
  }
  return { file: spec.source.clusterFile, line: 0, col: 0, path: path_.join("."), message };
}
