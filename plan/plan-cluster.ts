/**
 * One cluster's plan: render its program under mocks, then evaluate the policy pack on what it would
 * create. Runs inside a plan worker (or in-process with `--serial`).
 */
import type { ClusterSpec } from "../spec/types";
import { canonicalCluster, failedCluster, type ClusterReport } from "./report";
import { PLAN_PROJECT, renderCluster, type RenderOptions } from "./render-cluster";
import { PlanTimeoutError } from "./timeout";
import { planPolicyArgs, todayUtc } from "./policy-config";
import { BOOT_CONFIG_METADATA_KEY } from "../components/rke2/boot-config";

const INSTANCE = "openstack:compute/instance:Instance";

/** The digest the program wrote into an instance's metadata. */
function bootConfigOf(inputs: Record<string, unknown>): string {
  const metadata = inputs["metadata"];
  const digest =
    typeof metadata === "object" && metadata !== null
      ? (metadata as Record<string, unknown>)[BOOT_CONFIG_METADATA_KEY]
      : undefined;
  return typeof digest === "string" ? digest : "";
}
import { usageOf } from "./usage";
import { reportInputs } from "./report-inputs";

/**
 * Plans one cluster; a failure becomes the cluster's `error`. Only a `PlanTimeoutError` is thrown: the
 * program left work running in this process, so the caller must not plan another cluster in it.
 */
export async function planCluster(spec: ClusterSpec, options: RenderOptions = {}): Promise<ClusterReport> {
  // Loaded on first use: @pulumi/policy and every rule are only needed once a cluster is planned.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { evaluatePolicies } = require("../policy/evaluate") as typeof import("../policy/evaluate");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { policyPackConfig } = require("../policy/config") as typeof import("../policy/config");
  const today = todayUtc();
  try {
    const recorded = await renderCluster(spec, options);
    const violations = await evaluatePolicies(
      recorded.map((r) => ({
        type: r.type,
        name: r.name,
        inputs: r.inputs,
        ...(r.parent !== undefined ? { parent: r.parent } : {}),
        ...(r.id !== undefined ? { id: r.id } : {}),
      })),
      policyPackConfig(planPolicyArgs(spec, today)),
      { stack: spec.name, project: PLAN_PROJECT },
    );
    return canonicalCluster({
      name: spec.name,
      environment: spec.environment,
      topology: spec.topology.mode,
      resources: recorded.map((r) => ({
        type: r.type,
        name: r.name,
        parent: r.parent ?? null,
        urn: r.urn ?? null,
        inputs: reportInputs(r.inputs),
        ...(r.options !== undefined ? { options: r.options } : {}),
      })),
      violations: violations.map((v) => ({
        policy: v.policy,
        enforcement: v.enforcement,
        severity: v.severity,
        resource: v.resource,
        message: v.message,
      })),
      policyExceptions: spec.policy.exceptions.map((x) => ({ ...x, expired: x.expires < today })),
      lifecycle: {
        rke2Version: spec.rke2.version,
        nodes: recorded
          .filter((r) => r.type === INSTANCE)
          .map((r) => ({ name: r.name, bootConfigSha256: bootConfigOf(r.inputs) })),
      },
      usage: usageOf(recorded),
    });
  } catch (e) {
    if (e instanceof PlanTimeoutError) throw e;
    return failedCluster(spec, e);
  }
}
