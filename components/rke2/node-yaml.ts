/**
 * The YAML every file written onto a node is rendered in (cloud-config, RKE2's config.yaml,
 * registries.yaml): `yaml`'s `stringify` with sorted keys and no line folding, memoised piece by piece.
 *
 * Why memoised: a cluster renders one cloud-config per node, and most of each is the same from node to
 * node (the install script, the bootstrap script, registries.yaml, the sysctls, the run commands); only
 * the node's name, address, password and config.yaml differ. Rendering those shared pieces again for every
 * node was the largest cost of planning a node that is xcluster's own (BENCHMARKS.md (d)).
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
 * What is not the same: a value object shared between two pairs (or two items) would be written once with
 * an anchor and then as an alias by `stringify`, and twice here. Node files never share objects that way;
 * `test/components/node-yaml.spec.ts` holds this renderer to `stringify` on every node of every committed
 * spec.
 */
import { stringify } from "yaml";

/** The options every node file is rendered with: sorted keys (stable diffs), no folded lines. */
export const NODE_YAML_OPTIONS = { sortMapEntries: true, lineWidth: 0 } as const;

/**
 * Rendered pieces by what they render. Bounded: at the limit it starts again, so a long-running process
 * (a plan worker planning hundreds of clusters) keeps at most this many pieces.
 */
const MEMO_LIMIT = 4096;
const memo = new Map<string, string>();

function memoised(key: string, render: () => string): string {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const text = render();
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, text);
  return text;
}

/** `key:` and one item of a block sequence: the item's `  - …` lines, each ending in "\n". */
function sequenceItem(key: string, item: unknown): string {
  return memoised(`i\0${key}\0${JSON.stringify(item)}`, () => {
    const text = stringify({ [key]: [item] }, NODE_YAML_OPTIONS);
    return text.slice(text.indexOf("\n") + 1);
  });
}

/** One `key: value` pair, ending in "\n". */
function pair(key: string, value: unknown): string {
  if (Array.isArray(value) && value.length > 0) {
    const head = memoised(`h\0${key}`, () => {
      const text = stringify({ [key]: [null] }, NODE_YAML_OPTIONS);
      return text.slice(0, text.indexOf("\n") + 1);
    });
    return head + value.map((item: unknown) => sequenceItem(key, item)).join("");
  }
  return memoised(`p\0${key}\0${JSON.stringify(value)}`, () =>
    stringify({ [key]: value }, NODE_YAML_OPTIONS),
  );
}

/**
 * `stringify(map, NODE_YAML_OPTIONS)` for a map of plain values (strings, numbers, booleans, null, arrays
 * and plain objects), built from memoised pieces.
 */
export function renderNodeYaml(map: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(map)
    .filter((k) => map[k] !== undefined)
    .sort();
  if (keys.length === 0) return stringify({}, NODE_YAML_OPTIONS);
  return keys.map((k) => pair(k, map[k])).join("");
}
