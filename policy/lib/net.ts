/** Address and CIDR arithmetic for IPv4 and IPv6 (BigInt), enough for containment checks. */

export interface Cidr {
  readonly v6: boolean;
  readonly network: bigint;
  readonly bits: number;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) return undefined;
  const [head = "", tail] = text.split("::");
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const missing = 8 - h.length - t.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return undefined;
  let n = 0n;
  for (const g of [...h, ...Array<string>(missing).fill("0"), ...t]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** Parses `a.b.c.d`, `a.b.c.d/n`, IPv6 and IPv6/n; a bare address is a host route. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const [addr = "", len, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const v6 = addr.includes(":");
  const value = v6 ? parseV6(addr) : parseV4(addr);
  if (value === undefined) return undefined;
  const max = v6 ? 128 : 32;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  const hostBits = BigInt(max - bits);
  return { v6, network: (value >> hostBits) << hostBits, bits };
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.v6 !== inner.v6 || inner.bits < outer.bits) return false;
  const hostBits = BigInt((outer.v6 ? 128 : 32) - outer.bits);
  return inner.network >> hostBits === outer.network >> hostBits;
}

/** True when the CIDR text lies inside any of the listed CIDRs. */
export function insideAny(text: string, outers: readonly string[]): boolean {
  const inner = parseCidr(text);
  if (!inner) return false;
  return outers.some((o) => {
    const outer = parseCidr(o);
    return outer !== undefined && contains(outer, inner);
  });
}

/** `0.0.0.0/0` or `::/0` (any prefix length 0). */
export function isWorld(text: string): boolean {
  const c = parseCidr(text);
  return c !== undefined && c.bits === 0;
}

/** Ranges that must never be published in public DNS (RFC 1918, CGNAT, loopback, link-local, ULA). */
export const NON_PUBLIC_RANGES = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "0.0.0.0/8",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
] as const;

export function isNonPublicAddress(text: string): boolean {
  return insideAny(text, NON_PUBLIC_RANGES);
}

/** A single address (`/32`, `/128` or bare). */
export function isSingleAddress(text: string): boolean {
  const c = parseCidr(text);
  return c !== undefined && c.bits === (c.v6 ? 128 : 32);
}

/** The address part of `a.b.c.d/n` or a bare address, normalised for comparison. */
export function sameAddress(a: string, b: string): boolean {
  const x = parseCidr(a.split("/")[0] ?? "");
  const y = parseCidr(b.split("/")[0] ?? "");
  return x !== undefined && y !== undefined && x.v6 === y.v6 && x.network === y.network;
}

/** Shortest prefix an admin range may have to count as an operator range (IPv4 /16, IPv6 /48). */
export const MIN_ADMIN_PREFIX = { v4: 16, v6: 48 } as const;

/**
 * The configured admin CIDRs that are narrow enough to be operator ranges. `0.0.0.0/0` or two `/1`
 * halves are the internet, however a spec labels them, so they never unlock admin ports.
 */
export function operatorRanges(cidrs: readonly string[]): string[] {
  return cidrs.filter((text) => {
    const c = parseCidr(text);
    return c !== undefined && c.bits >= (c.v6 ? MIN_ADMIN_PREFIX.v6 : MIN_ADMIN_PREFIX.v4);
  });
}

/** Address intervals `[start, end)`. */
type Interval = readonly [bigint, bigint];

function intervalOf(c: Cidr): Interval {
  const size = 1n << BigInt((c.v6 ? 128 : 32) - c.bits);
  return [c.network, c.network + size];
}

/** Sorted, overlapping and adjacent intervals joined. */
function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = e > last[1] ? e : last[1];
    else out.push([s, e]);
  }
  return out;
}

/** IPv4 ranges that are not on the public internet: NON_PUBLIC_RANGES' IPv4 ones. */
const NON_PUBLIC_V4: Interval[] = merge(
  NON_PUBLIC_RANGES.map((t) => parseCidr(t))
    .filter((c): c is Cidr => c !== undefined && !c.v6)
    .map(intervalOf),
);

/**
 * How many public IPv4 addresses a list of ranges opens together: overlaps counted once, and the
 * non-public ranges (RFC 1918, CGNAT, loopback, link-local, this-network) left out, since they are
 * reachable only from inside. Unparseable and IPv6 entries are not counted.
 */
export function publicIpv4Count(cidrs: readonly string[]): bigint {
  const ranges = merge(
    cidrs
      .map((t) => parseCidr(t))
      .filter((c): c is Cidr => c !== undefined && !c.v6)
      .map(intervalOf),
  );
  let total = 0n;
  for (const [s, e] of ranges) {
    let n = e - s;
    for (const [ps, pe] of NON_PUBLIC_V4) {
      const lo = s > ps ? s : ps;
      const hi = e < pe ? e : pe;
      if (lo < hi) n -= hi - lo;
    }
    total += n;
  }
  return total;
}
