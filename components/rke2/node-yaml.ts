/**
 * The YAML every file written onto a node is rendered in (cloud-config, RKE2's config.yaml): `yaml`'s
 * `stringify` with sorted keys and no line folding, with the pieces that repeat from node to node memoised.
 *
 * Why memoised: a cluster renders one cloud-config per node, and most of each is the same from node to
 * node (the install script, the bootstrap script, the sysctls, the run commands); only the node's name,
 * address, password and config.yaml differ. Rendering those shared pieces again for every node was the
 * largest cost of planning a node that is xcluster's own (BENCHMARKS.md (d)).
 *
 * Why this gives the same bytes as `stringify(map, NODE_YAML_OPTIONS)` (yaml 2.9.1):
 * - a document whose root is a block map is its pairs, each rendered on its own, joined with "\n", plus a
 *   final "\n" (`stringify/stringifyDocument.js`, `stringify/stringifyCollection.js`
 *   `stringifyBlockCollection`). With no comments and no `spaceBefore` (neither exists in a node created
 *   from plain values), a pair's text does not depend on its neighbours;
 * - a non-empty block sequence under a key is `key:` then its items, each `\n<indent>- <item>`, and again
 *   an item's text does not depend on its neighbours;
 * - `sortMapEntries: true` sorts pairs by key with `<` (`schema/Schema.js` `sortMapEntriesByKey`, on the
 *   keys' string values), which is `Array.prototype.sort`'s order for strings; undefined values are left
 *   out (`nodes/YAMLMap.js` `from`, `keepUndefined` false).
 * Where that reasoning does not hold, the whole map is rendered by `stringify` itself, uncached: a value
 * other than strings, booleans, null, finite numbers (not -0), plain objects and arrays without holes (the
 * memo is keyed by JSON, which cannot tell those apart); an object that appears twice (`stringify` writes an
 * anchor and an alias); a top-level key longer than 1024 characters (`stringify` writes it as `? key`).
 *
 * Secrets are never memoised: a piece the caller marks secret (cloud-init files written 0600: tokens, node
 * passwords, CA keys, registry credentials, keepalived's auth_pass) is rendered each time and kept nowhere,
 * so the memo, which lives as long as the process, holds no cluster's secrets.
 */
import { stringify } from "yaml";

/** The options every node file is rendered with: sorted keys (stable diffs), no folded lines. */
export const NODE_YAML_OPTIONS = { sortMapEntries: true, lineWidth: 0 } as const;

/** Says whether a pair's value, or one item of a top-level sequence, may hold a secret. */
export type SecretPiece = (key: string, value: unknown) => boolean;

/**
 * Rendered pieces by what they render. Bounded: at the limit it starts again, so a long-running process
 * (a plan worker planning hundreds of clusters) keeps at most this many pieces.
 */
const MEMO_LIMIT = 4096;
const memo = new Map<string, string>();
/** `yaml` writes a longer implicit key as an explicit `? key` (stringify/stringifyPair.js). */
const IMPLICIT_KEY_LIMIT = 1024;

/** Set by tests: every rendering is compared with `stringify`'s and a difference throws. */
let selfCheck = false;

/** Tests only: compare every rendering with `stringify`'s from now on (true) or no longer (false). */
export function checkNodeYamlAgainstStringify(enabled: boolean): void {
  selfCheck = enabled;
}

/** Tests only: whether any memoised piece (or its key) contains `fragment`. */
export function nodeYamlMemoContains(fragment: string): boolean {
  for (const [k, v] of memo) if (k.includes(fragment) || v.includes(fragment)) return true;
  return false;
}

function memoised(key: string, render: () => string): string {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const text = render();
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, text);
  return text;
}

/** True for a value JSON keys faithfully and `stringify` writes without anchors (see the module comment). */
function plain(v: unknown, seen: Set<object>): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    case "object": {
      if (v === null) return true;
      if (seen.has(v)) return false;
      seen.add(v);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !plain(v[i], seen)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      const o = v as Record<string, unknown>;
      return Object.keys(o).every((k) => o[k] === undefined || plain(o[k], seen));
    }
    default:
      return false;
  }
}

/** `key:` and one item of a block sequence: the item's `  - …` lines, each ending in "\n". */
function sequenceItem(key: string, item: unknown, secret: boolean): string {
  const render = (): string => {
    const text = stringify({ [key]: [item] }, NODE_YAML_OPTIONS);
    return text.slice(text.indexOf("\n") + 1);
  };
  return secret ? render() : memoised(`i\0${key}\0${JSON.stringify(item)}`, render);
}

/** One `key: value` pair, ending in "\n". */
function pair(key: string, value: unknown, secret: SecretPiece): string {
  if (Array.isArray(value) && value.length > 0) {
    const head = memoised(`h\0${key}`, () => {
      const text = stringify({ [key]: [null] }, NODE_YAML_OPTIONS);
      return text.slice(0, text.indexOf("\n") + 1);
    });
    return head + value.map((item: unknown) => sequenceItem(key, item, secret(key, item))).join("");
  }
  const render = (): string => stringify({ [key]: value }, NODE_YAML_OPTIONS);
  return secret(key, value) ? render() : memoised(`p\0${key}\0${JSON.stringify(value)}`, render);
}

function pieces(map: Readonly<Record<string, unknown>>, secret: SecretPiece): string {
  const keys = Object.keys(map).filter((k) => map[k] !== undefined);
  const seen = new Set<object>();
  if (keys.some((k) => k.length > IMPLICIT_KEY_LIMIT || !plain(map[k], seen))) {
    return stringify(map, NODE_YAML_OPTIONS);
  }
  if (keys.length === 0) return stringify({}, NODE_YAML_OPTIONS);
  return keys
    .sort()
    .map((k) => pair(k, map[k], secret))
    .join("");
}

/**
 * `stringify(map, NODE_YAML_OPTIONS)`, built from memoised pieces; `secret` marks the pieces that must
 * not be kept (by default none: pass it whenever the map can hold a secret).
 */
export function renderNodeYaml(
  map: Readonly<Record<string, unknown>>,
  secret: SecretPiece = () => false,
): string {
  const text = pieces(map, secret);
  if (selfCheck) {
    const reference = stringify(map, NODE_YAML_OPTIONS);
    if (text !== reference) {
      let at = 0;
      while (text[at] === reference[at]) at++;
      throw new Error(`node YAML differs from yaml's stringify at offset ${at} (of ${reference.length})`);
    }
  }
  return text;
}
