/**
 * A small cron subset for static role `rotation_schedule`: five fields `minute hour day-of-month
 * month day-of-week`, each `*`, a number, a range `a-b`, a step `*\/n` or `a-b/n`, or a comma list
 * of those. Day of week is 0-6 (Sunday 0; 7 is accepted as Sunday). As in Vixie cron, when both
 * day fields are restricted a day matching either one matches. Times are UTC.
 */
export interface CronSchedule {
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  readonly dayRestricted: boolean;
  readonly weekdayRestricted: boolean;
}

const RANGES: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];

function num(text: string, field: string, lo: number, hi: number): number {
  if (!/^\d{1,2}$/.test(text)) throw new Error(`cron ${field}: "${text}" is not a number`);
  const n = Number(text);
  if (n < lo || n > hi) throw new Error(`cron ${field}: ${n} is outside ${lo}-${hi}`);
  return n;
}

function parseField(text: string, index: number): { values: Set<number>; star: boolean } {
  const [lo, hi] = RANGES[index]!;
  const field = NAMES[index]!;
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [rangeText, stepText, extra] = part.split('/');
    if (extra !== undefined || rangeText === undefined || rangeText === '')
      throw new Error(`cron ${field}: "${part}" is not valid`);
    const step = stepText === undefined ? 1 : num(stepText, field, 1, hi);
    let from: number;
    let to: number;
    if (rangeText === '*') {
      [from, to] = [lo, hi];
      if (stepText === undefined) star = true;
    } else if (rangeText.includes('-')) {
      const [a, b, more] = rangeText.split('-');
      if (more !== undefined) throw new Error(`cron ${field}: "${part}" is not valid`);
      from = num(a ?? '', field, lo, hi);
      to = num(b ?? '', field, lo, hi);
      if (from > to) throw new Error(`cron ${field}: range ${from}-${to} is reversed`);
    } else {
      from = num(rangeText, field, lo, hi);
      to = stepText === undefined ? from : hi;
    }
    for (let v = from; v <= to; v += step) values.add(index === 4 && v === 7 ? 0 : v);
  }
  return { values, star };
}

/** Parses a schedule; throws an Error naming the bad field. */
export function parseCron(source: string): CronSchedule {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '')
    throw new Error('cron schedule needs five fields: minute hour day-of-month month day-of-week');
  const fields = parts.map((p, i) => parseField(p, i));
  return {
    source,
    minutes: fields[0]!.values,
    hours: fields[1]!.values,
    days: fields[2]!.values,
    months: fields[3]!.values,
    weekdays: fields[4]!.values,
    dayRestricted: !fields[2]!.star,
    weekdayRestricted: !fields[4]!.star,
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  if (!s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.dayRestricted && s.weekdayRestricted) return dom || dow;
  if (s.dayRestricted) return dom;
  if (s.weekdayRestricted) return dow;
  return true;
}

/** The first matching minute strictly after `after` (ms), or undefined if none within 5 years. */
export function nextCron(s: CronSchedule, after: number): number | undefined {
  const start = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; i < 366 * 5; i++, day.setUTCDate(day.getUTCDate() + 1)) {
    if (!dayMatches(s, day)) continue;
    for (const h of [...s.hours].sort((a, b) => a - b)) {
      for (const m of [...s.minutes].sort((a, b) => a - b)) {
        const t = day.getTime() + h * 3_600_000 + m * 60_000;
        if (t >= start.getTime()) return t;
      }
    }
  }
  return undefined;
}
