/**
 * YAML documents with source positions: parsed once with `yaml`'s LineCounter so that every issue can
 * point at the line and column of the field (or of the key, for an unknown field).
 *
 * The input is untrusted and read as plain data only: no tags beyond YAML 1.2's core ones (`!!binary`
 * would become a Buffer, `!!set` a Set), no merge keys, plain-string keys, and limits on size, nesting
 * depth and alias expansion, checked before the document is turned into values. Every refusal is an
 * ordinary positioned issue in our own words; nothing the YAML library throws reaches the user.
 */
import {
  Lexer,
  LineCounter,
  parseDocument,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type Node,
} from "yaml";
import type { PathSegment, SpecIssue } from "./issues";
import { formatPath, show } from "./issues";

/** Limits on one spec file. A real spec is a few kilobytes and a few levels deep. */
export const YAML_LIMITS = {
  /** File size. */
  maxBytes: 4 * 1024 * 1024,
  /** Nesting of maps and sequences (the spec itself needs 6; add-on values a few more). */
  maxDepth: 64,
  /** Nodes after every alias is expanded: stops "billion laughs" documents. */
  maxExpandedNodes: 100_000,
} as const;

/** The tags of YAML 1.2's core schema; any other tag is refused. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** Line/column of a field's value (or of its key with `key: true`), falling back to the nearest parent. */
  position(path: readonly PathSegment[], key?: boolean): { line: number; col: number };
  issue(path: readonly PathSegment[], message: string, key?: boolean): SpecIssue;
}

/**
 * Parses one YAML file. Syntax errors and refused constructs come back as issues with their positions;
 * `source` is then undefined. Never throws on any input.
 */
export function parseYaml(file: string, text: string): { source?: YamlSource; issues: SpecIssue[] } {
  const lineCounter = new LineCounter();
  const at = (offset: number, message: string, path = ""): SpecIssue => {
    const pos = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { file, line: pos.line, col: pos.col, path, message };
  };
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > YAML_LIMITS.maxBytes) {
    return {
      issues: [
        {
          file,
          line: 1,
          col: 1,
          path: "",
          message: `file too large (got ${bytes} bytes; allowed: at most ${YAML_LIMITS.maxBytes})`,
        },
      ],
    };
  }
  // Flow nesting (`[[[[…`) is measured on the token stream first: the library's composer recurses and
  // runs out of stack (or memory) on a deep enough document before it could report anything.
  const tooDeep = flowDepthOffset(text);
  if (tooDeep !== undefined) {
    const before = text.slice(0, tooDeep).split("\n");
    const line = before.length;
    const col = (before[line - 1] ?? "").length + 1;
    return { issues: [{ file, line, col, path: "", message: nestingMessage() }] };
  }

  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // Duplicate keys are found in checkNodes: the library's own check is quadratic in a map's size.
    uniqueKeys: false,
    merge: false,
    resolveKnownTags: false,
    schema: "core",
    strict: true,
  });
  const syntax = doc.errors.map((e) => at(e.pos[0], ourWords(e.message)));
  if (syntax.length > 0) return { issues: syntax };
  // Unresolved tags are warnings to the library; checkNodes refuses every tag outside the core schema.
  const warnings = doc.warnings.filter((w) => !/Unresolved tag/.test(w.message));
  const refused = [...warnings.map((w) => at(w.pos[0], ourWords(w.message))), ...checkNodes(doc, at)];
  if (refused.length > 0) return { issues: refused };

  let data: unknown;
  try {
    // The expansion was measured above; the library's own guard stays on as a second line.
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.maxExpandedNodes });
  } catch (e) {
    return { issues: [at(rangeStart(doc.contents), ourWords((e as Error).message))] };
  }
  const position = (path: readonly PathSegment[], key = false) => lineCounter.linePos(locate(doc, path, key));
  return {
    issues: [],
    source: {
      file,
      data,
      position,
      issue: (path, message, key = false) => ({
        file,
        ...position(path, key),
        path: formatPath(path),
        message,
      }),
    },
  };
}

function nestingMessage(): string {
  return `nested too deeply (allowed: at most ${YAML_LIMITS.maxDepth} levels of maps and lists)`;
}

/** The library's messages, in ours where they would mislead (a stack overflow, an "attack"). */
function ourWords(message: string): string {
  const first = message.split("\n")[0] ?? message;
  if (/Maximum call stack|too much recursion/i.test(first)) return nestingMessage();
  if (/Excessive alias count/.test(first))
    return `aliases expand to too many nodes (allowed: at most ${YAML_LIMITS.maxExpandedNodes})`;
  return `YAML syntax error: ${first.replace(/ at line \d+, column \d+.*$/, "")}`;
}

const LEXER_MARKERS = new Set(["\x02", "\x18", "\x1f"]);

/** Offset of the first flow collection nested deeper than the limit, if any. */
function flowDepthOffset(text: string): number | undefined {
  // Fewer opening brackets than the limit cannot nest too deeply: skip the token pass (most files).
  let open = 0;
  for (let i = 0; i < text.length && open <= YAML_LIMITS.maxDepth; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) open++;
  }
  if (open <= YAML_LIMITS.maxDepth) return undefined;
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === "[" || token === "{") {
      depth++;
      if (depth > YAML_LIMITS.maxDepth) return offset;
    } else if (token === "]" || token === "}") {
      depth = Math.max(0, depth - 1);
    }
    // The lexer's own markers (document start, flow end, scalar) are not in the source.
    if (!LEXER_MARKERS.has(token)) offset += token.length;
  }
  return undefined;
}

/**
 * One pass over the node tree (iterative, in document order): depth, tags, key kinds, aliases that point
 * nowhere or at their own ancestor, and the size the document would have with every alias expanded.
 */
function checkNodes(
  doc: Document,
  atOffset: (offset: number, message: string, path?: string) => SpecIssue,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const anchored = new Map<string, Node>();
  /** Expanded size of every finished node; an alias's size is its target's. */
  const size = new Map<unknown, number>();
  const open = new Set<unknown>();
  interface Frame {
    readonly node: unknown;
    readonly depth: number;
    /** The field the node is the value of (a key node: its own field). */
    readonly path: readonly PathSegment[];
    exit: boolean;
  }
  const stack: Frame[] = [{ node: doc.contents, depth: 1, path: [], exit: false }];
  let here: readonly PathSegment[] = [];
  const at = (offset: number, message: string) => atOffset(offset, message, formatPath(here));
  while (stack.length > 0 && issues.length === 0) {
    const frame = stack[stack.length - 1]!;
    const node = frame.node;
    here = frame.path;
    if (frame.exit) {
      stack.pop();
      if (isAlias(node)) continue;
      open.delete(node);
      let n = 1;
      if (isMap(node)) for (const p of node.items) n += (size.get(p.key) ?? 0) + (size.get(p.value) ?? 0);
      else if (isSeq(node)) for (const item of node.items) n += size.get(item) ?? 0;
      size.set(node, Math.min(n, Number.MAX_SAFE_INTEGER));
      if (n > YAML_LIMITS.maxExpandedNodes) {
        issues.push(
          at(
            rangeStart(node),
            `aliases expand to too many nodes (got more than ${YAML_LIMITS.maxExpandedNodes}; allowed: at most ${YAML_LIMITS.maxExpandedNodes})`,
          ),
        );
      }
      continue;
    }
    frame.exit = true;
    if (node === null || node === undefined) continue;
    if (isAlias(node)) {
      const target = anchored.get(node.source);
      if (target === undefined) {
        issues.push(
          at(
            rangeStart(node),
            `alias *${node.source} refers to no anchor (allowed: an alias after its &${node.source})`,
          ),
        );
      } else if (open.has(target)) {
        issues.push(at(rangeStart(node), `alias *${node.source} refers to its own enclosing node`));
      } else {
        size.set(node, size.get(target) ?? 1);
      }
      continue;
    }
    const n = node as Node;
    if (n.tag !== undefined && !CORE_TAGS.has(n.tag)) {
      const tag = n.tag.replace(/^tag:yaml\.org,2002:/, "!!");
      issues.push(at(rangeStart(n), `tags are not allowed (got ${tag}; allowed: plain YAML values)`));
      continue;
    }
    if (n.anchor !== undefined) anchored.set(n.anchor, n);
    // `.inf` and `.nan` are YAML numbers no setting means, and JSON (reports, plan workers) cannot carry.
    if (isScalar(n) && typeof n.value === "number" && !Number.isFinite(n.value)) {
      issues.push(at(rangeStart(n), `not a finite number (got ${show(n.source ?? String(n.value))})`));
      continue;
    }
    if (!isMap(n) && !isSeq(n)) continue;
    if (frame.depth > YAML_LIMITS.maxDepth) {
      issues.push(at(rangeStart(n), nestingMessage()));
      continue;
    }
    open.add(n);
    const children: { node: unknown; path: readonly PathSegment[] }[] = [];
    if (isMap(n)) {
      const keys = new Set<string>();
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        if (pair.key !== null && !isScalar(pair.key)) {
          const what = isAlias(pair.key) ? "an alias" : "a map or list";
          issues.push(at(rangeStart(pair.key), `keys must be plain strings (got ${what} as a key)`));
          continue;
        }
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && keys.has(key)) {
          issues.push(
            at(rangeStart(pair.key), `duplicate key ${show(key)} (allowed: each key once per map)`),
          );
          continue;
        }
        if (key !== undefined) keys.add(key);
        const field = [...frame.path, key ?? ""];
        children.push({ node: pair.key, path: field }, { node: pair.value, path: field });
      }
    } else {
      n.items.forEach((item, i) => children.push({ node: item, path: [...frame.path, i] }));
    }
    for (let i = children.length - 1; i >= 0; i--)
      stack.push({ node: children[i]!.node, path: children[i]!.path, depth: frame.depth + 1, exit: false });
  }
  return issues;
}

/** Offset of the node at `path`, or of the deepest existing ancestor. */
function locate(doc: Document, path: readonly PathSegment[], key: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) return offset;
      if (last && key) return rangeStart(pair.key);
      node = pair.value;
      // A key with no value (`name:`) has no range of its own: point at the key.
      offset = rangeStart(pair.value) ?? rangeStart(pair.key);
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) return offset;
      node = item;
      offset = rangeStart(item);
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : 0;
}
