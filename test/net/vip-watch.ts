/**
 * Samples who holds which VIP, every 100 ms, by reading the addresses on the up interfaces of every node's
 * namespace (`ip -n NS -4 -o addr show up`), and keeps every sample so that a test can assert on the whole history:
 * how long a failover took, and that no two nodes ever held a VIP at once.
 */
import { spawn } from "child_process";
import { createInterface } from "readline";
import { NetNode, NetSandbox } from "./netns";

export const SAMPLE_INTERVAL_MS = 100;

export interface Sample {
  /** Milliseconds since the watch started. */
  readonly at: number;
  /** VIP → names of the nodes holding it. */
  readonly holders: ReadonlyMap<string, readonly string[]>;
}

export class VipWatch {
  readonly samples: Sample[] = [];
  private readonly started = Date.now();
  private readonly waiters: { check: (s: Sample) => boolean; resolve: (s: Sample) => void }[] = [];

  constructor(
    sandbox: NetSandbox,
    nodes: readonly NetNode[],
    private readonly vips: readonly string[],
  ) {
    const loop = [
      "while :; do",
      // `up`: an address on an interface that is down (a dead node's) holds nothing.
      ...nodes.map((n) => `printf '@%s\\n' '${n.name}'; ip -n '${n.namespace}' -4 -o addr show up;`),
      `printf '#\\n'; sleep ${SAMPLE_INTERVAL_MS / 1000}; done`,
    ].join(" ");
    const child = sandbox.track(spawn("sh", ["-c", loop], { stdio: ["ignore", "pipe", "ignore"] }));
    let node = "";
    let current = new Map<string, string[]>();
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("@")) node = line.slice(1);
      else if (line === "#") {
        this.record({ at: Date.now() - this.started, holders: current });
        current = new Map();
      } else {
        for (const vip of this.vips) {
          if (line.includes(` inet ${vip}/`)) current.set(vip, [...(current.get(vip) ?? []), node]);
        }
      }
    });
  }

  private record(sample: Sample): void {
    this.samples.push(sample);
    for (const w of [...this.waiters]) {
      if (w.check(sample)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(sample);
      }
    }
  }

  /** Milliseconds since the watch started. */
  now(): number {
    return Date.now() - this.started;
  }

  /** Who holds `vip` in the latest sample. */
  holdersOf(vip: string): readonly string[] {
    return this.samples.at(-1)?.holders.get(vip) ?? [];
  }

  /** Resolves with the first sample from now on where `check` holds; rejects after `timeoutMs`. */
  until(what: string, check: (s: Sample) => boolean, timeoutMs: number): Promise<Sample> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(
          this.waiters.findIndex((w) => w.check === check),
          1,
        );
        const last = this.samples.at(-1);
        reject(
          new Error(
            `${what}: not within ${timeoutMs} ms (last sample: ${JSON.stringify([...(last?.holders ?? new Map())])})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        check,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  }

  /** Waits until exactly one node holds `vip` and returns its name. */
  async singleHolder(vip: string, timeoutMs: number, what = `one holder of ${vip}`): Promise<string> {
    const s = await this.until(what, (x) => (x.holders.get(vip) ?? []).length === 1, timeoutMs);
    return (s.holders.get(vip) ?? [])[0] as string;
  }

  /** Samples in which two or more nodes held the same VIP. */
  doubleHolders(): { at: number; vip: string; nodes: readonly string[] }[] {
    return this.samples.flatMap((s) =>
      [...s.holders].filter(([, n]) => n.length > 1).map(([vip, nodes]) => ({ at: s.at, vip, nodes })),
    );
  }

  /** Median gap between consecutive samples, in ms. */
  medianGapMs(): number {
    const gaps = this.samples
      .slice(1)
      .map((s, i) => s.at - this.samples[i]!.at)
      .sort((a, b) => a - b);
    return gaps[Math.floor(gaps.length / 2)] ?? 0;
  }

  /** Largest gap between consecutive samples, in ms (the sampling really ran every ~100 ms). */
  largestGapMs(): number {
    let gap = 0;
    for (let i = 1; i < this.samples.length; i++)
      gap = Math.max(gap, this.samples[i]!.at - this.samples[i - 1]!.at);
    return gap;
  }
}
