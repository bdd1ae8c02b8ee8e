import type { Knex } from 'knex';
import { toDbTime, fromDbTime } from '../db/dialect';
import { KNOWN_ERROR_CODES, REASONED_STATUSES, REASONS, reasonMatch, type ReasonCode } from '../domain/reasons';
import { isStatus, type Status } from '../domain/status';
import { campaignNames, narrow } from './stats.repository';
import { scopeOf, type StatsQuery } from './stats.service';

/** Numbers listed per page of a reason's drill-down (one line each, in one section). */
export const NUMBERS_PER_PAGE = 20;

/** A reason's drill-down (issue 18): the messages that failed for it, newest first, a page at a time. */
export interface ReasonNumbers {
  reason: ReasonCode;
  label: string;
  total: number;
  page: number;
  pages: number;
  rows: Array<{ phone: string; campaign: string; status: Status; errorCode: number | null; sentAt: Date }>;
}

/** The query's messages that failed for `reason`, within its period, filters and accounts. */
export async function reasonNumbers(db: Knex, q: StatsQuery, reason: ReasonCode, page: number): Promise<ReasonNumbers> {
  const m = reasonMatch(reason);
  const base = () => {
    const qb = db('messages')
      .where('sent_at', '>=', toDbTime(q.period.start))
      .andWhere('sent_at', '<', toDbTime(q.period.end))
      .whereIn('status', [...REASONED_STATUSES])
      .where((w) => {
        if (m.codes.length) w.orWhereIn('error_code', m.codes);
        if (m.nullStatuses.length) w.orWhere((x) => x.whereNull('error_code').whereIn('status', m.nullStatuses));
        if (m.unknownCodes)
          w.orWhere((x) => x.whereNotNull('error_code').whereNotIn('error_code', [...KNOWN_ERROR_CODES]));
        if (!m.codes.length && !m.nullStatuses.length && !m.unknownCodes) w.whereRaw('1 = 0');
      });
    return narrow(qb, scopeOf(q));
  };
  const [counted] = (await base().count({ n: '*' })) as Array<{ n: unknown }>;
  const total = Number(counted?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / NUMBERS_PER_PAGE));
  const p = Math.min(Math.max(1, page), pages);
  const rows = (await base()
    .select('subscriber_id', 'campaign_id', 'status', 'error_code', 'sent_at')
    .orderBy([
      { column: 'sent_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(NUMBERS_PER_PAGE)
    .offset((p - 1) * NUMBERS_PER_PAGE)) as Array<Record<string, unknown>>;
  const phones = new Map(
    (
      (await db('subscribers')
        .select('id', 'phone')
        .whereIn(
          'id',
          rows.map((r) => Number(r.subscriber_id)),
        )) as Array<{ id: unknown; phone: string }>
    ).map((r) => [Number(r.id), r.phone]),
  );
  const names = await campaignNames(db, [...new Set(rows.map((r) => String(r.campaign_id)))]);
  return {
    reason,
    label: REASONS[reason].label,
    total,
    page: p,
    pages,
    rows: rows
      .filter((r) => isStatus(String(r.status)))
      .map((r) => ({
        phone: phones.get(Number(r.subscriber_id)) ?? '',
        campaign: names.get(String(r.campaign_id))?.name ?? String(r.campaign_id),
        status: String(r.status) as Status,
        errorCode: r.error_code === null ? null : Number(r.error_code),
        sentAt: fromDbTime(r.sent_at),
      })),
  };
}
