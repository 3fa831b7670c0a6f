/** Validation problems, reported all at once as `file:line:col: field.path: what is wrong (got X; allowed Y)`. */

export interface SpecIssue {
  readonly file: string;
  /** 1-based; 0 when the position is unknown (e.g. the file could not be read). */
  readonly line: number;
  readonly col: number;
  /** Dotted field path (`spec.parameters.numberOfMasters`, `spec.parameters.workerPools[0].name`); empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(i: SpecIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
  return printable(i.path === "" ? `${where}: ${i.message}` : `${where}: ${i.path}: ${i.message}`);
}

/**
 * Escapes what a terminal would act on or hide (control characters, bidirectional overrides, line and
 * paragraph separators), so that a message shows exactly what the file holds.
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** The one error type of the spec layer: a list of issues, none of them a stack trace. */
export class SpecError extends Error {
  constructor(readonly issues: readonly SpecIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "SpecError";
  }
}

export type PathSegment = string | number;

/** Keys written bare in a path; any other key (empty, spaces, quotes, brackets…) is written `["…"]`. */
const BARE_KEY = /^[A-Za-z0-9_$/-][A-Za-z0-9_$./-]*$/;

export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (!BARE_KEY.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** A value as it appears in a message: strings quoted, long values cut. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
