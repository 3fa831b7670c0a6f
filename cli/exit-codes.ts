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
  /**
   * `destroy` refused: cloud resources the cluster created (load balancers, floating IPs, volumes, DNS
   * records) could not be cleaned and would be orphaned; the orphan list is printed; `--force-orphans`
   * destroys anyway (docs/adr/0016).
   */
  orphans: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
