/**
 * Captures what a process in a test namespace logs with syslog(3)/logger(1): the process gets a private
 * mount namespace whose /dev is a small tmpfs (the usual device nodes, and /dev/log linked to a socket this
 * sink listens on). The host's /dev, and its journal, are never touched: the command refuses to mount
 * unless /dev is private to the new mount namespace.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export class SyslogSink {
  /** Every message received, as written by the client (`<PRI>timestamp tag: text`). */
  readonly lines: string[] = [];
  readonly socketPath: string;
  private readonly server: net.Server;

  constructor(dir: string) {
    this.socketPath = path.join(dir, "log.sock");
    if (fs.existsSync(this.socketPath)) fs.rmSync(this.socketPath);
    // logger(1) tries a datagram socket, then a stream one: a stream server receives both ways of logging.
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

  /**
   * `command` wrapped to run with /dev/log going to this sink (run it inside `ip netns exec`). Without
   * --fork, unshare and sh exec into `command`, so the process id stays the command's (signals reach it).
   */
  wrap(command: readonly string[]): string[] {
    const setup = [
      "set -e",
      // Never hide the host's /dev: only in a mount namespace that propagates nothing back.
      '[ "$(findmnt -n -o PROPAGATION /dev)" = private ] || { echo "/dev is not private" >&2; exit 97; }',
      "mount -t tmpfs -o mode=0755,size=64k xcka-dev /dev",
      "mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/full c 1 7",
      "mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9",
      `ln -s '${this.socketPath}' /dev/log`,
      'exec "$@"',
    ].join("\n");
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", setup, "sh", ...command];
  }
}
