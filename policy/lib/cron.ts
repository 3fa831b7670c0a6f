/**
 * Cron expressions as RKE2 reads `etcd-snapshot-schedule-cron`: k3s schedules snapshots with
 * robfig/cron v3's standard parser (five fields: minute hour day-of-month month day-of-week; the
 * descriptors @yearly @monthly @weekly @daily @midnight @hourly and @every <duration>; an optional
 * CRON_TZ=/TZ= prefix). Day-of-month and day-of-week restricted together match either (robfig/cron v3
 * spec.go dayMatches). Not re-read at the pinned k3s version in this session; see the report.
 */

export interface CronSchedule {
  /** Firing times per day when it fires every day; undefined otherwise. */
  readonly perDay?: number;
  /** Fires on every calendar day (so at least once in any 24 h). */
  readonly daily: boolean;
  /** Fires at all (a day-of-month that no listed month has, such as 30 February, never does). */
  readonly fires: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/** Longest month lengths (February 29 in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface Field {
  readonly values: Set<number>;
  readonly star: boolean;
}

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = min): Field {
  const values = new Set<number>();
  let star = false;
  const num = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) throw new Error(`"${s}" is not a number`);
    return Number(s);
  };
  for (const part of text.split(",")) {
    const [range = "", stepText, extra] = part.split("/");
    if (extra !== undefined) throw new Error(`"${part}" has two steps`);
    const step = stepText === undefined ? 1 : num(stepText);
    if (step < 1) throw new Error(`step in "${part}" must be at least 1`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      [lo, hi] = [min, max];
      if (stepText === undefined) star = true;
    } else {
      const [a = "", b, more] = range.split("-");
      if (more !== undefined) throw new Error(`"${range}" is not a range`);
      lo = num(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : num(b);
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`"${part}" is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Go duration (`1h30m`, `90m`, `45s`) in seconds, or undefined. */
function goDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns)/g;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/** Parses a cron expression; throws an Error saying what is wrong. */
export function parseCron(expression: string): CronSchedule {
  let text = expression.trim();
  const tz = /^(CRON_TZ|TZ)=\S+\s+/.exec(text);
  if (tz) text = text.slice(tz[0].length);
  if (text.startsWith("@every ")) {
    const seconds = goDuration(text.slice(7).trim());
    if (seconds === undefined || seconds <= 0) throw new Error(`"${text}" has no valid duration`);
    return { fires: true, daily: seconds <= 86400, perDay: seconds <= 86400 ? 86400 / seconds : undefined };
  }
  if (text.startsWith("@")) {
    const d = DESCRIPTORS[text];
    if (d === undefined) throw new Error(`unknown descriptor ${text}`);
    text = d;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected 5 fields, got ${fields.length}`);
  const [mi, ho, dm, mo, dw] = fields as [string, string, string, string, string];
  const minute = parseField(mi, 0, 59);
  const hour = parseField(ho, 0, 23);
  const dom = parseField(dm, 1, 31);
  const month = parseField(mo, 1, 12, MONTHS, 1);
  const dow = parseField(dw, 0, 6, DAYS, 0);
  const domFits = [...month.values].some((m) => [...dom.values].some((d) => d <= (MONTH_DAYS[m - 1] ?? 0)));
  // robfig/cron: with either day field a star, both must match; with both restricted, either may.
  const fires = dom.star || dow.star ? domFits : domFits || dow.values.size > 0;
  const everyDay =
    month.values.size === 12 &&
    (dom.star && dow.star
      ? true
      : dom.star
        ? dow.values.size === 7
        : dow.star
          ? dom.values.size === 31
          : dom.values.size === 31 || dow.values.size === 7);
  return everyDay
    ? { fires, daily: true, perDay: minute.values.size * hour.values.size }
    : { fires, daily: false };
}
