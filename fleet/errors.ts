/**
 * The fleet driver's errors: one base type with a kind, an exit code and a one-line message that names
 * the stack, plus the full CLI text in `detail` for reports. The automation API wraps every CLI failure
 * as a `CommandError` with `code: -2` and the whole stdout/stderr in its message, so the class it picked
 * (by regular expressions on stderr) and the engine events we collected are what decide the kind here.
 */
import { EXIT } from "../cli/exit-codes";

export type FailureKind =
  | "locked"
  | "stack-missing"
  | "policy"
  | "failed"
  | "cli-missing"
  | "cancelled"
  | "invalid"
  | "drift"
  | "passphrase"
  | "orphans";

export class FleetError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly exitCode: number,
    /** The CLI's own text (stderr, diagnostics), for reports; never printed as a stack trace. */
    readonly detail = "",
  ) {
    super(message);
    this.name = "FleetError";
  }
}

/** Another update holds the stack's lock (file backend lock files, or HTTP 409 from a service backend). */
export class StackLockedError extends FleetError {
  constructor(stack: string, retries: number, detail = "") {
    super(
      "locked",
      `stack ${stack} is locked by another update; retried ${retries} times`,
      EXIT.failed,
      detail,
    );
    this.name = "StackLockedError";
  }
}

export class MissingStackError extends FleetError {
  constructor(stack: string, backend: string, detail = "") {
    super("stack-missing", `stack ${stack} does not exist in ${backend}`, EXIT.failed, detail);
    this.name = "MissingStackError";
  }
}

/**
 * The passphrase does not decrypt the stack's secrets (the CLI's "incorrect passphrase", from the salt in
 * the workspace's stack config or in the backend's state). The CLI checks it before it writes config or
 * starts an update.
 */
export class PassphraseMismatchError extends FleetError {
  constructor(stack: string, detail = "") {
    super(
      "passphrase",
      `stack ${stack}: the passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) does not ` +
        `match the one the stack's secrets are encrypted with; nothing was changed`,
      EXIT.failed,
      detail,
    );
    this.name = "PassphraseMismatchError";
  }
}

/** The passphrase secrets provider's refusal, however the CLI words the rest of the line. */
export function isPassphraseMismatch(text: string): boolean {
  return /\bincorrect passphrase\b/i.test(text);
}

export class PolicyViolationError extends FleetError {
  constructor(stack: string, violations: number, detail = "") {
    super(
      "policy",
      `stack ${stack}: ${violations} mandatory policy violation(s); nothing was changed`,
      EXIT.policy,
      detail,
    );
    this.name = "PolicyViolationError";
  }
}

export class OperationFailedError extends FleetError {
  constructor(stack: string, operation: string, reason: string, detail = "") {
    super("failed", `stack ${stack}: ${operation} failed: ${reason}`, EXIT.failed, detail);
    this.name = "OperationFailedError";
  }
}

export class CancelledError extends FleetError {
  constructor(stack: string) {
    super("cancelled", `stack ${stack}: cancelled (interrupted)`, EXIT.failed);
    this.name = "CancelledError";
  }
}

/** Resources changed outside Pulumi (drift runs only): exit 4. */
export class DriftFoundError extends FleetError {
  constructor(stack: string, resources: number, detail = "") {
    super(
      "drift",
      `stack ${stack}: ${resources > 0 ? `${resources} resource(s)` : "resources"} changed outside Pulumi`,
      EXIT.drift,
      detail,
    );
    this.name = "DriftFoundError";
  }
}

/** The ordered teardown could not clean what the cluster created and `--force-orphans` was not given: exit 6. */
export class OrphansRefusedError extends FleetError {
  constructor(stack: string, reason: string, kinds: readonly string[], detail = "") {
    super(
      "orphans",
      `stack ${stack}: destroy refused, nothing destroyed: ${reason}; these would be orphaned: ` +
        `${kinds.join(", ")} (the report lists how to find them); pass --force-orphans to destroy anyway`,
      EXIT.orphans,
      detail,
    );
    this.name = "OrphansRefusedError";
  }
}

/** The pulumi CLI could not be started; says where it was looked for and how to get one. */
export class PulumiCliMissingError extends FleetError {
  constructor(where: string, detail = "") {
    super(
      "cli-missing",
      `the pulumi CLI was not found (${where}); build one with \`npm run setup:pulumi\` (from Go modules, into ` +
        `.pulumi-tools/<version>/bin), put \`pulumi\` on PATH, or point XCLUSTER_PULUMI_ROOT at an installation`,
      EXIT.failed,
      detail,
    );
    this.name = "PulumiCliMissingError";
  }
}

/** Input that makes a run impossible (a flag, a refused destroy, a missing passphrase): exit 2, nothing touched. */
export class InvalidRunError extends FleetError {
  constructor(message: string) {
    super("invalid", message, EXIT.invalid);
    this.name = "InvalidRunError";
  }
}

/**
 * The lines of a CLI failure worth showing in one line: the `error:` diagnostics, without the automation
 * API's `code: -2 / stdout: / stderr:` wrapper.
 */
export function cliErrorLines(text: string): string[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^error:/i.test(l))
    .map((l) => l.replace(/^error:\s*/i, ""))
    .filter((l) => !/^update failed$/i.test(l) && !/^preview failed$/i.test(l));
  return [...new Set(lines)];
}

/** The first meaningful line of an error for a one-line message. */
export function firstLine(text: string): string {
  const errors = cliErrorLines(text);
  if (errors.length > 0) return errors.join("; ");
  // Only the generic "update failed" / "preview failed" was said: that, without its prefix.
  const generic = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /^error:/i.test(l));
  if (generic !== undefined) return generic.replace(/^error:\s*/i, "");
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !/^(code|stdout|stderr|err\?):/.test(l));
  return line ?? "unknown error";
}
