/**
 * A seeded mutator of spec files: one seed gives one mutated document, always the same. Mutations are
 * made on the parsed value (type swaps, deletions, unknown fields), on the YAML text (anchors, aliases,
 * tags, duplicate keys, deep nesting, control characters, document markers) and on the bytes (flips,
 * insertions, deletions).
 */
import { parse, stringify } from "yaml";

/** mulberry32: small, fast and good enough to spread mutations; the same seed gives the same stream. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: Random, max: number): number => Math.floor(r() * max);

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

const SWAPS: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  2.5,
  1e309,
  2 ** 53 + 1,
  "",
  "x",
  "10.0.0.0/8",
  "0.0.0.0/0",
  "10.0.50.1/24",
  "10.0.50.0/29",
  "2001:db8::/64",
  "v1.2.3+rke2r1",
  "keepalived",
  "octavia",
  [],
  [null],
  [1, "a"],
  [[]],
  {},
  { name: "p", count: 1 },
  { mode: "keepalived" },
  { mode: "octavia" },
  "\u0000\u001b[31m\u202e",
];

function mutateValue(r: Random, doc: unknown): unknown {
  const all = paths(doc).filter((p) => p.length > 0);
  if (all.length === 0) return pick(r, SWAPS);
  const path = pick(r, all);
  const root = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = root;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  switch (int(r, 5)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 1: {
      const key = pick(r, ["colour", "", "name", "count", "__proto__", "constructor", "a.b", "k\u0007"]);
      const target = parent[last];
      if (target !== null && typeof target === "object" && !Array.isArray(target))
        Object.defineProperty(target, key, {
          value: pick(r, SWAPS),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else parent[last] = { [key]: pick(r, SWAPS) };
      break;
    }
    case 2:
      // Wrap the value in a list, or a list item in another list.
      parent[last] = [parent[last]];
      break;
    default:
      parent[last] = structuredClone(pick(r, SWAPS));
  }
  return root;
}

const TEXT_EDITS: readonly ((r: Random, text: string) => string)[] = [
  (r, t) => insertLine(r, t, `${pick(r, ["a", "spec", "kind"])}: *${pick(r, ["nowhere", "a"])}`),
  (r, t) => {
    const lines = ["x0: &x0 [a, a, a, a, a, a, a, a, a, a]"];
    const levels = 2 + int(r, 10);
    for (let i = 1; i < levels; i++)
      lines.push(
        `x${i}: &x${i} [${Array(10)
          .fill(`*x${i - 1}`)
          .join(", ")}]`,
      );
    return `${lines.join("\n")}\n${t}`;
  },
  (r, t) =>
    insertLine(
      r,
      t,
      `${pick(r, ["a", "kind", "spec"])}: !${pick(r, ["!binary aGk=", "!set {a}", "custom x", "!timestamp 2001-12-14", "!js/function f"])}`,
    ),
  (r, t) => {
    const lines = t.split("\n");
    const i = int(r, lines.length);
    return [...lines.slice(0, i + 1), lines[i] ?? "", ...lines.slice(i + 1)].join("\n");
  },
  (r, t) => {
    const n = pick(r, [10, 63, 64, 65, 1000, 100_000]);
    return insertLine(r, t, `deep: ${"[".repeat(n)}${r() < 0.5 ? "]".repeat(n) : ""}`);
  },
  (r, t) => {
    const n = pick(r, [10, 65, 100, 300]);
    return `${t}\n${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} 1\n`;
  },
  (r, t) =>
    insertAt(r, t, pick(r, ["\u0000", "\u0007", "\u001b[2J", "\u202e", "\ufeff", "\t", "\r", "\u2028"])),
  (r, t) =>
    insertLine(r, t, pick(r, ["---", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "--- |", "? [a]", ": b"])),
  (r, t) =>
    insertLine(
      r,
      t,
      `${pick(r, ["<<", "? a", "&a b", "*a"])}: ${pick(r, ["{a: 1}", "*a", "&b [1]", "|\n  x", ">-"])}`,
    ),
  (r, t) => t.replace(/\n {2}/g, r() < 0.5 ? "\n\t" : "\n   "),
  (r, t) => t.slice(0, int(r, t.length)),
  (r, t) => `${t}\n${t}`,
  (r, t) => insertLine(r, t, `s: "${"x".repeat(pick(r, [100, 10_000]))}\\u0000\\x1b\\u202e"`),
  (r, t) =>
    insertLine(r, t, pick(r, ['"": 1', "? : 1", "null: 1", "1: 1", "[a]: b", "{a: b}: c", '"a\\u0000": b'])),
];

function insertLine(r: Random, text: string, line: string): string {
  const lines = text.split("\n");
  const i = int(r, lines.length + 1);
  const indent = " ".repeat(pick(r, [0, 0, 2, 4, 6]));
  return [...lines.slice(0, i), indent + line, ...lines.slice(i)].join("\n");
}

function insertAt(r: Random, text: string, s: string): string {
  const i = int(r, text.length + 1);
  return text.slice(0, i) + s + text.slice(i);
}

function flipBytes(r: Random, text: string): string {
  const bytes = Buffer.from(text, "utf8");
  const edits = 1 + int(r, 4);
  let out = bytes;
  for (let e = 0; e < edits && out.length > 0; e++) {
    const i = int(r, out.length);
    const kind = int(r, 3);
    if (kind === 0) out[i] = out[i]! ^ (1 << int(r, 8));
    else if (kind === 1)
      out = Buffer.concat([out.subarray(0, i), Buffer.from([int(r, 256)]), out.subarray(i)]);
    else out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
  }
  return out.toString("utf8");
}

/** One mutated document: the seed chooses the kind of mutation, its place and its value. */
export function mutate(seed: number, text: string): string {
  const r = rng(seed);
  const kind = int(r, 10);
  if (kind < 5) {
    let doc: unknown = parse(text);
    for (let i = 0, n = 1 + int(r, 3); i < n; i++) doc = mutateValue(r, doc);
    return stringify(doc);
  }
  if (kind < 8) {
    let out = text;
    for (let i = 0, n = 1 + int(r, 2); i < n; i++) out = pick(r, TEXT_EDITS)(r, out);
    return out;
  }
  return flipBytes(r, text);
}
