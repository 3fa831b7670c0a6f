/**
 * The fuzz cases, run in a worker thread so that the test can stop one that hangs and name it. Each case
 * is one environment directory of the example fleet with one file replaced by a mutated copy: a seed of
 * the generator, or a kept regression fixture (`regressions/seed-<n>--<env>--<file>`).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isMainThread, parentPort, workerData } from "worker_threads";
import { mutate } from "./mutate";
import { checkFleet } from "./check";

export const EXAMPLE_FLEET = path.join(__dirname, "..", "support", "example-fleet");
export const REGRESSIONS = path.join(__dirname, "regressions");
/** The files mutated, in seed order (seed n mutates SOURCES[n % SOURCES.length]). */
export const SOURCES = [
  "dev/environment.yaml",
  "dev/sandbox.yaml",
  "prod/environment.yaml",
  "prod/ecmwf-ai-platform.yaml",
  "prod/eo-data-services.yaml",
] as const;

export interface FuzzCase {
  /** `seed 123` or the regression file's name. */
  readonly label: string;
  /** The file replaced, e.g. `prod/environment.yaml`. */
  readonly target: string;
  readonly text: string;
}

export interface FuzzResult {
  readonly label: string;
  readonly target: string;
  readonly text: string;
  readonly problems: string[];
}

export type FromFuzzWorker =
  | { readonly kind: "start"; readonly label: string }
  | { readonly kind: "done"; readonly failures: FuzzResult[]; readonly cases: number };

const original = (file: string): string => fs.readFileSync(path.join(EXAMPLE_FLEET, file), "utf8");

export function seedCase(seed: number): FuzzCase {
  const target = SOURCES[seed % SOURCES.length]!;
  return { label: `seed ${seed}`, target, text: mutate(seed, original(target)) };
}

/** `seed-694--prod--eo-data-services.yaml` replaces prod/eo-data-services.yaml. */
export function regressionCases(): FuzzCase[] {
  if (!fs.existsSync(REGRESSIONS)) return [];
  return fs
    .readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const [, env, file] = f.split("--");
      return { label: f, target: `${env}/${file}`, text: fs.readFileSync(path.join(REGRESSIONS, f), "utf8") };
    });
}

export function regressionFileName(c: FuzzCase): string {
  return `${c.label.replace(" ", "-")}--${c.target.replace("/", "--")}`;
}

/** Runs the cases one by one; `onStart` hears each label before its case runs. */
export function runCases(cases: readonly FuzzCase[], onStart: (label: string) => void): FuzzResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xcluster-fuzz-"));
  const failures: FuzzResult[] = [];
  try {
    for (const c of cases) {
      onStart(c.label);
      const env = c.target.split("/")[0]!;
      const files: Record<string, string> = {};
      for (const s of SOURCES) if (s.startsWith(`${env}/`)) files[s] = original(s);
      files[c.target] = c.text;
      const problems = checkFleet(path.join(dir, "fleet"), files);
      if (problems.length > 0) failures.push({ ...c, problems });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return failures;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { from, to } = workerData as { from: number; to: number };
  const cases = [...regressionCases()];
  for (let seed = from; seed < to; seed++) cases.push(seedCase(seed));
  const failures = runCases(cases, (label) =>
    port.postMessage({ kind: "start", label } satisfies FromFuzzWorker),
  );
  port.postMessage({ kind: "done", failures, cases: cases.length } satisfies FromFuzzWorker);
}
