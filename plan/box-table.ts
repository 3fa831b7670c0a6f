/**
 * The plan's per-cluster tables, drawn as cli-table3 draws them (compact style, no colours) but without
 * its cost: cli-table3 measures every line of every cell through `strip-ansi`, which builds its regular
 * expression anew on each call. For a 100-cluster fleet that took seconds of the CLI's time after the
 * workers had finished (BENCHMARKS.md, "fleet at scale"). Cells of printable ASCII only have a width equal
 * to their length, so they are drawn here; anything else (wide or combining characters, escapes) still
 * goes through cli-table3, which knows display widths. test/plan/box-table.spec.ts checks that both draw
 * the same bytes.
 */
import Table from "cli-table3";

const PRINTABLE_ASCII = /^[\x20-\x7e\n]*$/;

function bar(widths: readonly number[], left: string, mid: string, right: string): string {
  return `${left}${widths.map((w) => "─".repeat(w)).join(mid)}${right}`;
}

function rowLines(cells: readonly string[], widths: readonly number[]): string[] {
  const split = cells.map((c) => c.split("\n"));
  const height = Math.max(1, ...split.map((l) => l.length));
  const out: string[] = [];
  for (let i = 0; i < height; i++) {
    const parts = split.map((lines, c) => ` ${(lines[i] ?? "").padEnd((widths[c] as number) - 2)} `);
    out.push(`│${parts.join("│")}│`);
  }
  return out;
}

/** A table with a header row and the given rows (cells may span lines), as cli-table3's compact style. */
export function boxTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (![head, ...rows].every((r) => r.length === head.length && r.every((c) => PRINTABLE_ASCII.test(c)))) {
    const table = new Table({ head: [...head], style: { head: [], border: [], compact: true } });
    for (const r of rows) table.push([...r]);
    return table.toString();
  }
  const widths = head.map(
    (h, c) =>
      2 + Math.max(h.length, ...rows.flatMap((r) => (r[c] as string).split("\n").map((l) => l.length))),
  );
  return [
    bar(widths, "┌", "┬", "┐"),
    ...rowLines(head, widths),
    // cli-table3 draws the line under the header only when rows follow.
    ...(rows.length > 0 ? [bar(widths, "├", "┼", "┤")] : []),
    ...rows.flatMap((r) => rowLines(r, widths)),
    bar(widths, "└", "┴", "┘"),
  ].join("\n");
}
