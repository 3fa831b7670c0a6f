/**
 * Tier: pure functions. The plan's own table drawing against cli-table3 itself (the library the terminal
 * output was drawn with before), on generated tables: the bytes must be the same.
 */
import { strict as assert } from "assert";
import Table from "cli-table3";
import fc from "fast-check";
import { boxTable } from "../../plan/box-table";

function cliTable3(head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const r of rows) table.push(r);
  return table.toString();
}

const asciiLine = fc.string({ unit: fc.constantFrom(..." abcxyz-_.:/()0123456789ABC"), maxLength: 40 });
const cell = fc.array(asciiLine, { minLength: 1, maxLength: 5 }).map((lines) => lines.join("\n"));

describe("plan tables (box-table)", () => {
  it("draws exactly what cli-table3 draws for cells of printable ASCII, one line or many", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { maxLength: 12 }), (rows) => {
        const r = rows.map(([a, b]) => [a, b]);
        assert.equal(boxTable(["component", "resources"], r), cliTable3(["component", "resources"], r));
      }),
      { numRuns: 300 },
    );
  });

  it("draws a table with no rows as cli-table3 does", () => {
    assert.equal(boxTable(["component", "resources"], []), cliTable3(["component", "resources"], []));
  });

  it("leaves cells with wide characters to cli-table3, which measures display width", () => {
    const rows = [["Vip 世界-vip", "  1  openstack:Port"]];
    assert.equal(boxTable(["component", "resources"], rows), cliTable3(["component", "resources"], rows));
  });
});
