/**
 * Runs pod specs through the Kubernetes Pod Security Admission library (k8s.io/pod-security-admission
 * v0.37.0, the code of the API server's PodSecurity plugin) via the small Go program in `psa/`, built by
 * `goTool` (test/support/go-tool.ts).
 */
import { spawnSync } from "child_process";
import { join } from "path";
import { goTool, hasGo } from "../support/go-tool";
import type { PodSecurityLevel } from "../../components/addons/pod-security";

const SOURCE_DIR = join(__dirname, "psa");

export interface PsaPod {
  readonly name: string;
  readonly level: PodSecurityLevel;
  /** Policy version, e.g. `v1.33`. */
  readonly version: string;
  readonly spec: Record<string, unknown>;
}

export interface PsaResult {
  readonly name: string;
  readonly allowed: boolean;
  /** `<reason>: <detail>` for every failed check. */
  readonly forbidden: readonly string[];
}

export { hasGo };

function psaCheckBinary(): string {
  return goTool(SOURCE_DIR, "psa-check");
}

/** Evaluates every pod with the real Pod Security Admission checks. */
export function evaluatePodSecurity(pods: readonly PsaPod[]): PsaResult[] {
  const input = pods.map((p) => ({
    name: p.name,
    level: p.level,
    version: p.version,
    metadata: {},
    spec: p.spec,
  }));
  const run = spawnSync(psaCheckBinary(), [], { input: JSON.stringify(input), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the Pod Security checker failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as PsaResult[];
}
