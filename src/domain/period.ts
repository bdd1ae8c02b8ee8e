import { DateTime, IANAZone } from 'luxon';

/**
 * Periods (DESIGN §4): resolved in an IANA time zone into a half-open UTC interval
 * [start, end). Day-based periods start at local midnight, so they are 23 or 25 hours long
 * across a DST change. `Nd` means today and the N-1 days before it; `Nh` is a rolling window
 * ending now.
 */

export interface Period {
  start: Date;
  end: Date;
  timezone: string;
  /** how the period was asked for, normalised (e.g. `7d`, `last-month`, `2026-11-01..2026-11-15`) */
  label: string;
}

export type PeriodError = { type: 'invalid-period'; word: string; message: string };

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * A zone as people write it → the IANA name kept: `UTC`, `GMT`, `Z` (any case) are UTC; any
 * IANA name or alias (`America/Denver`, `US/Mountain`, `Etc/GMT+7`) is itself; else null.
 */
export function zoneFromWord(word: string): string | null {
  if (/^(utc|gmt|z|zulu)$/i.test(word)) return 'UTC';
  return /^[A-Za-z][\w+-]*(\/[\w+-]+)*$/.test(word) && isValidTimeZone(word) ? word : null;
}

const MAX_DAYS = 400;

const NAMED = ['today', 'yesterday', 'this-week', 'last-week', 'this-month', 'last-month'] as const;

/** True when the word has the shape of a period, whether or not it resolves. */
export function looksLikePeriod(word: string): boolean {
  const w = word.toLowerCase();
  return (
    (NAMED as readonly string[]).includes(w) ||
    /^\d+[dhw]$/.test(w) ||
    /^\d{4}-\d{2}(-\d{2})?(\.\.\d{4}-\d{2}(-\d{2})?)?$/.test(w) ||
    w.includes('..')
  );
}

function parseDay(text: string, zone: string): DateTime | null {
  const dt = DateTime.fromISO(text, { zone });
  return dt.isValid ? dt.startOf('day') : null;
}

export function resolvePeriod(word: string, zone: string, now: Date): Period | PeriodError {
  const w = word.toLowerCase();
  const local = DateTime.fromJSDate(now, { zone });
  const today = local.startOf('day');
  const mk = (start: DateTime, end: DateTime, label: string): Period => ({
    start: start.toUTC().toJSDate(),
    end: end.toUTC().toJSDate(),
    timezone: zone,
    label,
  });
  const bad = (message: string): PeriodError => ({ type: 'invalid-period', word, message });

  switch (w) {
    case 'today':
      return mk(today, today.plus({ days: 1 }), w);
    case 'yesterday':
      return mk(today.minus({ days: 1 }), today, w);
    case 'this-week': {
      const start = today.startOf('week'); // ISO weeks start on Monday
      return mk(start, start.plus({ weeks: 1 }), w);
    }
    case 'last-week': {
      const start = today.startOf('week').minus({ weeks: 1 });
      return mk(start, start.plus({ weeks: 1 }), w);
    }
    case 'this-month': {
      const start = today.startOf('month');
      return mk(start, start.plus({ months: 1 }), w);
    }
    case 'last-month': {
      const start = today.startOf('month').minus({ months: 1 });
      return mk(start, start.plus({ months: 1 }), w);
    }
  }

  let m = /^(\d+)([dhw])$/.exec(w);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2];
    if (n < 1) return bad(`"${word}" is an empty period: use at least 1${unit}`);
    if (unit === 'h') {
      if (n > MAX_DAYS * 24) return bad(`"${word}" is longer than ${MAX_DAYS} days`);
      const end = DateTime.fromJSDate(now, { zone });
      return mk(end.minus({ hours: n }), end, w);
    }
    const days = unit === 'w' ? n * 7 : n;
    if (days > MAX_DAYS) return bad(`"${word}" is longer than ${MAX_DAYS} days`);
    return mk(today.minus({ days: days - 1 }), today.plus({ days: 1 }), w);
  }

  m = /^(\d{4})-(\d{2})$/.exec(w);
  if (m) {
    const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone });
    if (!start.isValid) return bad(`"${word}" is not a month (use YYYY-MM)`);
    return mk(start, start.plus({ months: 1 }), w);
  }

  if (/^\d{4}-\d{2}-\d{2}$/.test(w)) {
    const day = parseDay(w, zone);
    if (!day) return bad(`"${word}" is not a date (use YYYY-MM-DD)`);
    return mk(day, day.plus({ days: 1 }), w);
  }

  if (w.includes('..')) {
    const [a, b, ...rest] = w.split('..');
    if (rest.length > 0 || !a || !b) return bad(`"${word}" is not a range (use YYYY-MM-DD..YYYY-MM-DD)`);
    const from = /^\d{4}-\d{2}-\d{2}$/.test(a) ? parseDay(a, zone) : null;
    const to = /^\d{4}-\d{2}-\d{2}$/.test(b) ? parseDay(b, zone) : null;
    if (!from) return bad(`"${a}" is not a date (use YYYY-MM-DD)`);
    if (!to) return bad(`"${b}" is not a date (use YYYY-MM-DD)`);
    if (to < from) return bad(`"${word}" ends before it starts`);
    const end = to.plus({ days: 1 }); // both ends inclusive, as people say them
    if (end.diff(from, 'days').days > MAX_DAYS) return bad(`"${word}" is longer than ${MAX_DAYS} days`);
    return mk(from, end, `${a}..${b}`);
  }

  return bad(`"${word}" is not a period I know`);
}

export function isPeriodError(p: Period | PeriodError): p is PeriodError {
  return 'type' in p;
}

/** The period of the same length immediately before `p` (for "vs previous period"). */
export function previousPeriod(p: Period): Period {
  const len = p.end.getTime() - p.start.getTime();
  return { start: new Date(p.start.getTime() - len), end: p.start, timezone: p.timezone, label: `before ${p.label}` };
}

/** Local calendar days (YYYY-MM-DD) overlapping [start, end), with their UTC bounds clipped to it. */
export function localDays(start: Date, end: Date, zone: string): Array<{ date: string; start: Date; end: Date }> {
  const out: Array<{ date: string; start: Date; end: Date }> = [];
  let day = DateTime.fromJSDate(start, { zone }).startOf('day');
  while (day.toMillis() < end.getTime()) {
    const next = day.plus({ days: 1 });
    out.push({
      date: day.toISODate()!,
      start: new Date(Math.max(day.toMillis(), start.getTime())),
      end: new Date(Math.min(next.toMillis(), end.getTime())),
    });
    day = next;
  }
  return out;
}

export function formatInZone(date: Date, zone: string): string {
  return DateTime.fromJSDate(date, { zone }).toISO({ suppressMilliseconds: true })!;
}

export const PROVISIONAL_HOURS = 72;

/** Receipts keep arriving for ~72 h: a period reaching into that window is provisional. */
export function isProvisional(p: { end: Date }, now: Date): boolean {
  return p.end.getTime() > now.getTime() - PROVISIONAL_HOURS * 3600_000;
}

/**
 * The period word for a campaign's whole life (a campaign filter with no period): the local
 * days of its first and last send, at most the last MAX_DAYS of it.
 */
export function lifeWord(first: Date, last: Date, zone: string): string {
  const end = DateTime.fromJSDate(last, { zone }).startOf('day');
  const earliest = end.minus({ days: MAX_DAYS - 1 });
  const start = DateTime.max(DateTime.fromJSDate(first, { zone }).startOf('day'), earliest);
  return start.hasSame(end, 'day') ? start.toISODate()! : `${start.toISODate()}..${end.toISODate()}`;
}
