import { DateTime } from 'luxon';

/**
 * Weekly and monthly reports (issue 18), the calendar without I/O: when a channel's report
 * falls due, and which period it covers. A weekly report covers the last whole week (Monday to
 * Sunday) before the day it is posted; a monthly one the last whole calendar month. Each is
 * compared with the period of the same kind before it.
 */
export type ReportKind = 'weekly' | 'monthly';

export interface ReportSchedule {
  kind: ReportKind;
  /** weekly: ISO weekday 1 (Monday) … 7; monthly: day of the month 1 … 28 (every month has it) */
  day: number;
  /** HH:MM local */
  time: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** "mon 09:00" / "1 09:00" as stored, and back. */
export const scheduleText = (s: ReportSchedule): string =>
  `${s.kind === 'weekly' ? WEEKDAYS[s.day - 1] : s.day} ${s.time}`;

export function parseSchedule(kind: ReportKind, text: string | null): ReportSchedule | null {
  if (!text) return null;
  const [d, time] = text.split(' ');
  if (!d || !time || !/^\d{2}:\d{2}$/.test(time)) return null;
  const day = kind === 'weekly' ? WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number]) + 1 : Number(d);
  if (!Number.isInteger(day) || day < 1 || day > (kind === 'weekly' ? 7 : 28)) return null;
  return { kind, day, time };
}

export interface ReportOccurrence {
  /** when this report is due (the scheduled local time, as an instant) */
  dueAt: Date;
  /** the period it covers and the one before, as local dates (inclusive) */
  period: { from: string; to: string };
  before: { from: string; to: string };
  /** "Week of Nov 16" / "November 2026" */
  label: string;
}

/** The latest occurrence of the schedule at or before `now`, in `zone`. */
export function lastOccurrence(s: ReportSchedule, zone: string, now: Date): ReportOccurrence {
  const local = DateTime.fromJSDate(now, { zone });
  const [h, m] = s.time.split(':').map(Number) as [number, number];
  let due: DateTime;
  if (s.kind === 'weekly') {
    due = local.set({ weekday: s.day as 1 | 2 | 3 | 4 | 5 | 6 | 7, hour: h, minute: m, second: 0, millisecond: 0 });
    if (due > local) due = due.minus({ weeks: 1 });
  } else {
    due = local.set({ day: s.day, hour: h, minute: m, second: 0, millisecond: 0 });
    if (due > local) due = due.minus({ months: 1 }).set({ day: s.day });
  }
  if (s.kind === 'weekly') {
    const monday = due.startOf('week').minus({ weeks: 1 });
    return {
      dueAt: due.toJSDate(),
      period: { from: monday.toISODate()!, to: monday.plus({ days: 6 }).toISODate()! },
      before: { from: monday.minus({ weeks: 1 }).toISODate()!, to: monday.minus({ days: 1 }).toISODate()! },
      label: `Week of ${monday.toFormat('LLL d')}`,
    };
  }
  const first = due.startOf('month').minus({ months: 1 });
  return {
    dueAt: due.toJSDate(),
    period: { from: first.toISODate()!, to: first.endOf('month').toISODate()! },
    before: {
      from: first.minus({ months: 1 }).toISODate()!,
      to: first.minus({ days: 1 }).toISODate()!,
    },
    label: first.toFormat('LLLL yyyy'),
  };
}
