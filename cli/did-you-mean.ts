/** "Did you mean …?" for a mistyped name: the closest candidates by edit distance, as commander does for commands. */
import { DEFAULT_SPEC_DIR } from "./context";

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** ` (did you mean "prod"?)` when a candidate is close enough (at most 2 edits, under 40% of its length), else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (distance <= 2 && distance / Math.max(name.length, 1) < 0.4 && (!best || distance < best.distance))
      best = { name, distance };
  }
  return best ? ` (did you mean "${best.name}"?)` : "";
}

/**
 * `--env <typo>`: the message of validate, plan and the fleet commands, with the environments that exist
 * and the closest one.
 */
export function unknownEnvironment(env: string, names: readonly string[], paths: readonly string[]): string {
  const where = paths.length > 0 ? paths.join(", ") : `${DEFAULT_SPEC_DIR}/`;
  return `--env: no environment "${env}" under ${where} (allowed: ${names.join(", ") || "none found"})${didYouMean(env, names)}`;
}
