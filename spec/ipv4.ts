/**
 * IPv4 address and CIDR arithmetic for validation and address planning. Small enough to own:
 * the whole need is parse, contain, overlap and nth-address.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefixLength: number;
  /** The CIDR as written (normalised). */
  readonly text: string;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses a dotted-quad address; undefined when malformed. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/**
 * Parses `a.b.c.d/n`. Host bits must be zero (`10.0.50.1/24` is a typo for an address or a network,
 * and we refuse to guess): the result carries a reason when it is rejected.
 */
export function parseCidr(text: string): Cidr | { readonly error: string } {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match) return { error: "not an IPv4 CIDR" };
  const address = parseIpv4(match[1] ?? "");
  const prefixLength = Number(match[2]);
  if (address === undefined) return { error: "not an IPv4 CIDR" };
  if (prefixLength > 32) return { error: "prefix length above 32" };
  const size = 2 ** (32 - prefixLength);
  if (address % size !== 0) {
    return {
      error: `host bits set (the network is ${formatIpv4(address - (address % size))}/${prefixLength})`,
    };
  }
  return { network: address, prefixLength, text: `${formatIpv4(address)}/${prefixLength}` };
}

export function isCidr(value: Cidr | { readonly error: string }): value is Cidr {
  return "network" in value;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefixLength);
}

export function broadcast(c: Cidr): number {
  return c.network + cidrSize(c) - 1;
}

export function cidrContains(c: Cidr, address: number): boolean {
  return address >= c.network && address <= broadcast(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= broadcast(b) && b.network <= broadcast(a);
}

/** The address `offset` places after the network address (`10.0.0.0/24`, 5 → `10.0.0.5`). */
export function nthAddress(c: Cidr, offset: number): string {
  return formatIpv4(c.network + offset);
}
