/** Exit codes of every xcluster command (the CLI contract in DESIGN.md). */
export const EXIT = {
  ok: 0,
  /** A run failed (an operation on a cluster, or an internal error). */
  failed: 1,
  /** Invalid input: a spec or a flag. */
  invalid: 2,
  /** A mandatory policy was violated. */
  policy: 3,
  /** Drift found. */
  drift: 4,
  /** The planned fleet does not fit a declared project quota (nothing was touched). */
  quota: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
