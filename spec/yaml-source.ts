/**
 * YAML documents with source positions: parsed once with `yaml`'s LineCounter so that every issue can
 * point at the line and column of the field (or of the key, for an unknown field).
 */
import { LineCounter, parseDocument, isMap, isScalar, isSeq, isPair, type Document, type Node } from "yaml";
import type { PathSegment, SpecIssue } from "./issues";
import { formatPath } from "./issues";

export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** Line/column of a field's value (or of its key with `key: true`), falling back to the nearest parent. */
  position(path: readonly PathSegment[], key?: boolean): { line: number; col: number };
  issue(path: readonly PathSegment[], message: string, key?: boolean): SpecIssue;
}

/** Parses one YAML file. Syntax errors come back as issues with their positions; `source` is then undefined. */
export function parseYaml(file: string, text: string): { source?: YamlSource; issues: SpecIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: SpecIssue[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      file,
      line: pos.line,
      col: pos.col,
      path: "",
      message: `YAML syntax error: ${firstLine(e.message)}`,
    };
  });
  if (issues.length > 0) return { issues };
  const position = (path: readonly PathSegment[], key = false) => {
    const offset = locate(doc, path, key);
    return lineCounter.linePos(offset);
  };
  return {
    issues,
    source: {
      file,
      data: doc.toJS({ maxAliasCount: 100 }),
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

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Offset of the node at `path`, or of the deepest existing ancestor. */
function locate(doc: Document, path: readonly PathSegment[], key: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
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
