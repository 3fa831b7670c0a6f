/**
 * Runs pod specs through the Kubernetes Pod Security Admission library (k8s.io/pod-security-admission
 * v0.37.0, the code of the API server's PodSecurity plugin) via the small Go program in `psa/`. Built
 * once per content into the OS temp directory with the Go toolchain (which CI has: it builds the pulumi
 * CLI from Go modules too); without `go` on PATH the tests that need it skip themselves.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { existsSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
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

export function hasGo(): boolean {
  return spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
}

let binary: string | undefined;

/** Builds the checker (cached by the hash of its sources) and returns its path. */
function psaCheckBinary(): string {
  if (binary !== undefined) return binary;
  const hash = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(join(SOURCE_DIR, f)));
  const out = join(tmpdir(), `xcluster-psa-check-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(out)) {
    const build = spawnSync("go", ["build", "-o", out, "."], { cwd: SOURCE_DIR, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`building the Pod Security checker failed:\n${build.stderr}`);
  }
  binary = out;
  return out;
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
