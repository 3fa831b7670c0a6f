/** Where commands write. Tests pass a capturing Io; the binary writes to the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (colour, live progress). */
  readonly isTty: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  isTty: process.stdout.isTTY === true,
};

/** An Io that records what was written (for tests). */
export function captureIo(): Io & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTty: false, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
}
