import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { reasonOf } from '../domain/reasons';
import { isStatus } from '../domain/status';
import { toDbTime } from '../db/dialect';
import { campaignNames, narrow } from './stats.repository';
import { scopeOf, type StatsQuery } from './stats.service';

/**
 * Export (issue 18): one row per local day × campaign × carrier × type × status with segments
 * and messages, and a reasons file (the same with the failure reason). Read one local day at a
 * time from the grains and handed to `write` as it goes, so memory holds one day, whatever the
 * period. Days are the period's own (its zone); every local day boundary falls on a 15-minute
 * bucket, so the counts file is exact in any zone. Reasons come from the hourly reason grain:
 * exact in whole-hour zones; in a :30 or :45 zone the hour across local midnight counts to the
 * later day.
 */
/** The columns every row starts with: the day and what was sent, to whom, how, with what outcome. */
const KEY_COLUMNS = ['date', 'account_id', 'campaign_id', 'campaign_name', 'carrier', 'type', 'status'] as const;
export const COUNT_COLUMNS = [...KEY_COLUMNS, 'segments', 'messages'] as const;
export const REASON_COLUMNS = [...KEY_COLUMNS, 'reason', 'error_code', 'segments', 'messages'] as const;

export type Row = Array<string | number>;

/** The local days of the period: [start, end) of each, in UTC. */
function localDays(q: StatsQuery): Array<{ date: string; from: Date; to: Date }> {
  const zone = q.period.timezone;
  const out: Array<{ date: string; from: Date; to: Date }> = [];
  let d = DateTime.fromJSDate(q.period.start, { zone }).startOf('day');
  while (d.toJSDate() < q.period.end) {
    const next = d.plus({ days: 1 });
    const from = new Date(Math.max(d.toMillis(), q.period.start.getTime()));
    const to = new Date(Math.min(next.toMillis(), q.period.end.getTime()));
    out.push({ date: d.toISODate()!, from, to });
    d = next;
  }
  return out;
}

export interface ExportSummary {
  rows: number;
  reasonRows: number;
  days: number;
  /** true when `maxRows` stopped it: what was written is incomplete */
  truncated: boolean;
}

/**
 * Writes the export of a query: counts rows to `counts`, reason rows to `reasons`, day by day.
 * With `maxRows`, stops as soon as either file would pass it (truncated: true).
 */
export async function exportStats(
  db: Knex,
  q: StatsQuery,
  out: { counts: (row: Row) => void | Promise<void>; reasons: (row: Row) => void | Promise<void> },
  opts: { maxRows?: number } = {},
): Promise<ExportSummary> {
  const scope = scopeOf(q);
  const names = new Map<string, string>();
  const nameOf = async (ids: string[]) => {
    const missing = [...new Set(ids)].filter((id) => !names.has(id));
    if (missing.length) for (const [id, c] of await campaignNames(db, missing)) names.set(id, c.name ?? '');
    for (const id of missing) if (!names.has(id)) names.set(id, '');
  };
  const max = opts.maxRows ?? Number.POSITIVE_INFINITY;
  const summary: ExportSummary = { rows: 0, reasonRows: 0, days: 0, truncated: false };
  const sums = [db.raw('SUM(segments) AS segments'), db.raw('SUM(messages) AS messages')];
  for (const day of localDays(q)) {
    const counts = await narrow(
      db('counts_quarter')
        .select('account_id', 'campaign_id', 'carrier', 'type', 'status', ...sums)
        .where('quarter', '>=', toDbTime(day.from))
        .andWhere('quarter', '<', toDbTime(day.to))
        .groupBy('account_id', 'campaign_id', 'carrier', 'type', 'status')
        .orderBy(['campaign_id', 'carrier', 'type', 'status']),
      scope,
    );
    const reasons = await narrow(
      db('counts_reason_campaign_hourly')
        .select('account_id', 'campaign_id', 'carrier', 'type', 'status', 'error_code', ...sums)
        .where('hour', '>=', toDbTime(hourFloor(day.from)))
        .andWhere('hour', '<', toDbTime(hourFloor(day.to)))
        .groupBy('account_id', 'campaign_id', 'carrier', 'type', 'status', 'error_code')
        .orderBy(['campaign_id', 'carrier', 'type', 'status', 'error_code']),
      scope,
    );
    const live = (r: { messages: unknown; segments: unknown }) => Number(r.messages) !== 0 || Number(r.segments) !== 0;
    const countRows = counts.filter(live);
    const reasonRows = reasons.filter(live);
    if (summary.rows + countRows.length > max || summary.reasonRows + reasonRows.length > max) {
      summary.truncated = true;
      return summary;
    }
    await nameOf([...countRows, ...reasonRows].map((r) => r.campaign_id as string));
    const common = (r: Record<string, unknown>) => [
      day.date,
      r.account_id as string,
      r.campaign_id as string,
      names.get(r.campaign_id as string) ?? '',
      r.carrier as string,
      r.type as string,
      r.status as string,
    ];
    for (const r of countRows) {
      await out.counts([...common(r), Number(r.segments), Number(r.messages)]);
      summary.rows++;
    }
    for (const r of reasonRows) {
      const code = Number(r.error_code) || null;
      const reason = isStatus(r.status) ? reasonOf(r.status, code) : null;
      await out.reasons([...common(r), reason ?? '', code ?? '', Number(r.segments), Number(r.messages)]);
      summary.reasonRows++;
    }
    summary.days++;
  }
  return summary;
}

const hourFloor = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);

/** Rows of one file an export in Slack may hold: past it, the answer says how to narrow it. */
export const SLACK_EXPORT_ROWS = 50_000;

export type ExportOutcome =
  | { type: 'files'; title: string; files: Array<{ filename: string; rows: Row[]; columns: readonly string[] }> }
  | { type: 'too-large'; title: string; max: number; days: number; daysTotal: number };

/** The export of a query, held in memory up to `maxRows` rows a file (Slack's upload). */
export async function exportInMemory(
  db: Knex,
  q: StatsQuery,
  words: string,
  maxRows = SLACK_EXPORT_ROWS,
): Promise<ExportOutcome> {
  const counts: Row[] = [];
  const reasons: Row[] = [];
  const summary = await exportStats(
    db,
    q,
    { counts: (r) => void counts.push(r), reasons: (r) => void reasons.push(r) },
    { maxRows },
  );
  const title = words.trim() || q.period.label;
  if (summary.truncated)
    return { type: 'too-large', title, max: maxRows, days: summary.days, daysTotal: localDays(q).length };
  const stem = `campaign-stats-${slug(title)}`;
  return {
    type: 'files',
    title,
    files: [
      { filename: `${stem}.csv`, rows: counts, columns: COUNT_COLUMNS },
      { filename: `${stem}-reasons.csv`, rows: reasons, columns: REASON_COLUMNS },
    ],
  };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'export';
