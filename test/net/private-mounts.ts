/**
 * Runs a command in a namespace with a private view of a few directories, so that a node's daemon sees the
 * paths it would on a real node without the test writing to the host's /dev or /var/lib:
 * - /dev is a small tmpfs with the usual device nodes, and /dev/log is a socket of a SyslogSink, so that
 *   what the daemon's scripts log (logger(1)) reaches the test;
 * - /var/lib is an empty tmpfs holding only the files the test places (RKE2's server CA for the API check).
 * It runs in its own mount namespace with private propagation, and refuses to mount anything unless the
 * mount points are private to it, so nothing ever shows outside.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** Receives what logger(1) writes to /dev/log inside privateMounts(). */
export class SyslogSink {
  /** Every message received, as written by the client (`<PRI>timestamp tag: text`). */
  readonly lines: string[] = [];
  readonly socketPath: string;
  private readonly server: net.Server;

  constructor(dir: string) {
    this.socketPath = path.join(dir, "log.sock");
    if (fs.existsSync(this.socketPath)) fs.rmSync(this.socketPath);
    // logger(1) tries a datagram socket, then a stream one: a stream server receives it.
    this.server = net.createServer((c) => {
      let buffered = "";
      c.on("data", (d) => {
        buffered += d.toString("utf8");
        const parts = buffered.split(/\n|\0/);
        buffered = parts.pop() ?? "";
        this.lines.push(...parts.filter((p) => p !== ""));
      });
      c.on("end", () => {
        if (buffered !== "") this.lines.push(buffered);
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  close(): void {
    this.server.close();
  }
}

export interface PrivateMounts {
  /** /dev/log goes to this sink. @default no /dev/log */
  readonly log?: SyslogSink;
  /** Files to place under /var/lib: absolute target path (under /var/lib/) → file to copy. */
  readonly varLib: Readonly<Record<string, string>>;
}

const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

/**
 * `command` wrapped to run with the private mounts (run it inside `ip netns exec`). unshare (without --fork)
 * and sh exec into `command`, so the process id stays the command's and signals reach it.
 */
export function privateMounts(command: readonly string[], m: PrivateMounts): string[] {
  const copies = Object.entries(m.varLib).map(([target, source]) => {
    if (!target.startsWith("/var/lib/") || !SAFE_PATH.test(target) || !SAFE_PATH.test(source))
      throw new Error(`privateMounts: unsafe path ${target} or ${source}`);
    return `mkdir -p '${path.dirname(target)}' && cp '${source}' '${target}'`;
  });
  const socket = m.log?.socketPath;
  if (socket !== undefined && !SAFE_PATH.test(socket))
    throw new Error(`privateMounts: unsafe socket ${socket}`);
  const setup = [
    "set -e",
    // Never hide the host's directories: only in a mount namespace that propagates nothing back.
    "for d in /dev /var/lib; do",
    '  [ "$(findmnt -n -o PROPAGATION --target "$d")" = private ] || { echo "$d is not private" >&2; exit 97; }',
    "done",
    "mount -t tmpfs -o mode=0755,size=64k xcka-dev /dev",
    "mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/full c 1 7",
    "mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9",
    ...(socket !== undefined ? [`ln -s '${socket}' /dev/log`] : []),
    "mount -t tmpfs -o mode=0755,size=1m xcka-varlib /var/lib",
    ...copies,
    'exec "$@"',
  ].join("\n");
  return ["unshare", "--mount", "--propagation", "private", "sh", "-c", setup, "sh", ...command];
}
