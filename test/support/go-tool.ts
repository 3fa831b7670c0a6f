/**
 * Small Go programs that let tests run the real parser or library a system uses (the Pod Security
 * admission library, the cloud provider's gcfg reader). Each is built once per content of its source
 * directory into the OS temp directory, with the Go toolchain CI has (it builds the pulumi CLI from Go
 * modules too). Without `go` on PATH, the tests that need one skip themselves; CI has it.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { existsSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export function hasGo(): boolean {
  return spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
}

const built = new Map<string, string>();

/** Builds the Go program in `sourceDir` (go.mod, go.sum, main.go), cached by their hash; returns its path. */
export function goTool(sourceDir: string, name: string): string {
  const cached = built.get(sourceDir);
  if (cached !== undefined) return cached;
  const hash = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(join(sourceDir, f)));
  const out = join(tmpdir(), `xcluster-${name}-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(out)) {
    const build = spawnSync("go", ["build", "-o", out, "."], { cwd: sourceDir, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`building ${name} failed:\n${build.stderr}`);
  }
  built.set(sourceDir, out);
  return out;
}

/** Runs a built tool with `input` on stdin; its stdout, or an error with its stderr. */
export function runGoTool(binary: string, input: string): { status: number; stdout: string; stderr: string } {
  const run = spawnSync(binary, [], { input, encoding: "utf8" });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
