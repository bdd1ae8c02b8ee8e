import { DateTime } from 'luxon';

/**
 * Alerts that find an owner (issue 19), the rules without I/O: when an unacknowledged alert
 * escalates and re-notifies, when a channel's quiet hours hold an alert, and which alerts are
 * severe enough to pass through them.
 */

/** Who an escalation mentions: a user group (`<!subteam^S…>`) or a person (`<@U…>`). */
export interface Mention {
  type: 'group' | 'user';
  id: string;
  /** the handle as typed (`deliverability-oncall`), for words; Slack renders the mention itself */
  handle?: string;
}

export const mentionText = (m: Mention): string => (m.type === 'group' ? `<!subteam^${m.id}>` : `<@${m.id}>`);

export interface EscalationPolicy {
  to: Mention[];
  /** minutes after the alert was posted, unacknowledged, that the first step fires */
  afterMinutes: number;
  /** then again every this many minutes (null: once) */
  everyMinutes: number | null;
  /** at most this many re-notifications after the first step */
  maxRenotify: number;
}

export const DEFAULT_ESCALATE_AFTER_MINUTES = 30;
/** `alerts renotify every 1h` without `up to N`: three more, then it stops (a page every hour all night helps nobody) */
export const DEFAULT_RENOTIFY_MAX = 3;
export const MAX_RENOTIFY = 24;

/** Steps the policy ever has: the first, then up to `maxRenotify` re-notifications. */
export const stepCount = (p: EscalationPolicy): number => 1 + (p.everyMinutes === null ? 0 : p.maxRenotify);

/** The instant step `k` (1-based) falls due for an alert posted at `postedAt`. */
export function stepDueAt(p: EscalationPolicy, postedAt: Date, k: number): Date {
  return new Date(postedAt.getTime() + (p.afterMinutes + (k - 1) * (p.everyMinutes ?? 0)) * 60_000);
}

/**
 * The highest step due at `now` (0: none yet). After downtime several steps may be due at once:
 * only the highest is posted (one note saying which step it is), never a burst of notes.
 */
export function stepDue(p: EscalationPolicy, postedAt: Date, now: Date): number {
  const elapsed = (now.getTime() - postedAt.getTime()) / 60_000;
  if (elapsed < p.afterMinutes) return 0;
  if (p.everyMinutes === null) return 1;
  return Math.min(stepCount(p), 1 + Math.floor((elapsed - p.afterMinutes) / p.everyMinutes));
}

/** "30m", "1h", "90m", "2h", "1h30m" → minutes; null when it is not a duration of 1 minute to 24 hours. */
export function parseDuration(word: string): number | null {
  const m = /^(?:(\d{1,2})h)?(?:(\d{1,4})m(?:in)?)?$/i.exec(word.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return null;
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  return minutes >= 1 && minutes <= 24 * 60 ? minutes : null;
}

export const fmtDuration = (minutes: number): string => {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h && m ? `${h}h${m}m` : h ? `${h}h` : `${m}m`;
};

/** A channel's quiet hours: local HH:MM to HH:MM (may wrap midnight) in a zone. */
export interface QuietHours {
  start: string;
  end: string;
  zone: string;
}

const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls in the quiet hours (start inclusive, end exclusive, in the zone's wall clock). */
export function isQuiet(q: QuietHours, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: q.zone });
  const m = local.hour * 60 + local.minute;
  const s = minuteOfDay(q.start);
  const e = minuteOfDay(q.end);
  return s <= e ? m >= s && m < e : m >= s || m < e;
}

/**
 * The quiet period that contains `now`, or the last one that ended before it: its start and end
 * instants. A day whose wall clock skips or repeats the hour (DST) takes luxon's reading.
 */
export function quietPeriod(q: QuietHours, now: Date): { start: Date; end: Date } {
  const local = DateTime.fromJSDate(now, { zone: q.zone });
  const at = (day: DateTime, hhmm: string) =>
    day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)), second: 0, millisecond: 0 });
  const wraps = minuteOfDay(q.start) > minuteOfDay(q.end);
  // candidate periods starting yesterday and today: the latest whose start is not after now
  const candidates = [local.minus({ days: 1 }), local].map((d) => {
    const start = at(d.startOf('day'), q.start);
    const end = at((wraps ? d.plus({ days: 1 }) : d).startOf('day'), q.end);
    return { start: start.toJSDate(), end: end.toJSDate() };
  });
  const started = candidates.filter((c) => c.start.getTime() <= now.getTime());
  return started[started.length - 1] ?? candidates[0]!;
}

/**
 * Severe alerts pass through quiet hours: a sender problem (the sender's own account or
 * registration is failing: every message fails until someone acts), or a rate at least three
 * times its threshold over at least 1,000 messages.
 */
export const SEVERE_MULTIPLE = 3;
export const SEVERE_MIN_MESSAGES = 1000;

export function isSevere(a: { kind: string; rate: number | null; threshold: number | null; volume: number | null }) {
  if (a.kind === 'sender_problem') return true;
  return (
    a.rate !== null &&
    a.threshold !== null &&
    a.threshold > 0 &&
    // 0.15 vs 3 × 0.05 = 0.15000000000000002: compare with a tolerance far below any real rate
    a.rate >= SEVERE_MULTIPLE * a.threshold - 1e-9 &&
    (a.volume ?? 0) >= SEVERE_MIN_MESSAGES
  );
}
