/** Cron expressions as RKE2 schedules etcd snapshots (policy/lib/cron.ts). Tier: pure functions. */
import * as assert from "assert";
import { parseCron } from "../../policy/lib/cron";

describe("cron expressions for etcd snapshots (pure)", () => {
  for (const [expr, perDay] of [
    ["0 */12 * * *", 2],
    ["*/15 * * * *", 96],
    ["30 2 * * *", 1],
    ["0 1,13 * * *", 2],
    ["@daily", 1],
    ["@hourly", 24],
    ["@every 6h", 4],
    ["CRON_TZ=Europe/London 0 3 * * *", 1],
    ["0 3 * * SUN-SAT", 1],
    ["0 3 1-31 * *", 1],
  ] as const)
    it(`reads "${expr}" as firing every day, ${perDay} time(s)`, () =>
      assert.deepStrictEqual(parseCron(expr), { fires: true, daily: true, perDay }));

  for (const expr of ["@weekly", "@monthly", "0 3 * * 1-5", "0 3 1 * *", "0 3 * JAN-JUN *", "@every 36h"])
    it(`reads "${expr}" as firing, but not every day`, () => {
      const s = parseCron(expr);
      assert.ok(s.fires && !s.daily);
    });

  for (const expr of ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 FEB *"])
    it(`reads "${expr}" as never firing`, () => assert.strictEqual(parseCron(expr).fires, false));

  it("fires when day-of-month names no date but day-of-week is restricted too (either matches)", () => {
    assert.strictEqual(parseCron("0 0 30 2 MON").fires, true);
  });

  for (const [expr, why] of [
    ["0 0 * *", /expected 5 fields, got 4/],
    ["60 * * * *", /"60" is outside 0-59/],
    ["0 0 0 * *", /"0" is outside 1-31/],
    ["0 0 * 13 *", /"13" is outside 1-12/],
    ["0 0 * * 7", /"7" is outside 0-6/],
    ["0 0 * * FOO", /"FOO" is not a number/],
    ["*/0 * * * *", /step .* must be at least 1/],
    ["@fortnightly", /unknown descriptor/],
    ["@every soon", /no valid duration/],
  ] as const)
    it(`rejects "${expr}"`, () => assert.throws(() => parseCron(expr), why));
});
