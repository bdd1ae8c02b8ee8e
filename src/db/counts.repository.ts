import type { Knex } from 'knex';
import { REASONED_STATUSES } from '../domain/reasons';
import type { Status } from '../domain/status';
import { incremented, toDbTime } from './dialect';
import { dayOfDate } from '../domain/time-buckets';
import { isCounted, type StoredStatus } from '../domain/message-state';

/** The dimensions a message is counted under. */
export interface CountKey {
  hour: Date; // UTC hour of the message's send time
  quarter: Date; // its 15-minute UTC bucket
  type: string;
  carrier: string;
  status: StoredStatus;
  campaignId: string;
  accountId: string;
  /** the provider's error code (reasons are read from it); null: none */
  errorCode: number | null;
}

/**
 * Every pre-aggregated grain, in one table: its name, primary key, and the row a count key
 * adds to. Each status change bumps every grain in the same transaction (ADR 1).
 */
/** A key of a message that is in the counts: one of the seven statuses. */
type CountedKey = CountKey & { status: Status };

const GRAINS: ReadonlyArray<{
  table: string;
  pk: string[];
  row: (k: CountedKey) => Record<string, string | number>;
  /** grains that hold only some statuses */
  only?: (k: CountedKey) => boolean;
}> = [
  {
    table: 'counts_hourly',
    pk: ['hour', 'type', 'carrier', 'status'],
    row: (k) => ({ hour: toDbTime(k.hour), type: k.type, carrier: k.carrier, status: k.status }),
  },
  {
    table: 'counts_campaign_hourly',
    pk: ['campaign_id', 'hour', 'type', 'carrier', 'status'],
    row: (k) => ({
      campaign_id: k.campaignId,
      hour: toDbTime(k.hour),
      type: k.type,
      carrier: k.carrier,
      status: k.status,
      account_id: k.accountId,
    }),
  },
  {
    table: 'counts_series_hourly',
    pk: ['hour', 'type', 'status'],
    row: (k) => ({ hour: toDbTime(k.hour), type: k.type, status: k.status }),
  },
  {
    table: 'counts_daily',
    pk: ['day', 'type', 'carrier', 'status'],
    row: (k) => ({ day: toDbTime(dayOfDate(k.hour)), type: k.type, carrier: k.carrier, status: k.status }),
  },
  // reasons: keyed by the error code, not the reason, so the code → reason table can change
  // without recounting; only statuses that have a reason (0 = no code)
  {
    table: 'counts_reason_daily',
    pk: ['day', 'type', 'carrier', 'status', 'error_code'],
    row: (k) => ({
      day: toDbTime(dayOfDate(k.hour)),
      type: k.type,
      carrier: k.carrier,
      status: k.status,
      error_code: k.errorCode ?? 0,
    }),
    only: (k) => REASONED_STATUSES.has(k.status),
  },
  {
    table: 'counts_reason_campaign_hourly',
    pk: ['campaign_id', 'hour', 'type', 'carrier', 'status', 'error_code'],
    row: (k) => ({
      campaign_id: k.campaignId,
      hour: toDbTime(k.hour),
      type: k.type,
      carrier: k.carrier,
      status: k.status,
      error_code: k.errorCode ?? 0,
      account_id: k.accountId,
    }),
    only: (k) => REASONED_STATUSES.has(k.status),
  },
  // every dimension by 15-minute bucket: the partial hours of :30 and :45 zones (stats engine)
  {
    table: 'counts_quarter',
    pk: ['campaign_id', 'quarter', 'type', 'carrier', 'status'],
    row: (k) => ({
      campaign_id: k.campaignId,
      quarter: toDbTime(k.quarter),
      type: k.type,
      carrier: k.carrier,
      status: k.status,
      account_id: k.accountId,
    }),
  },
  {
    table: 'counts_campaign_daily',
    pk: ['day', 'campaign_id', 'type', 'status'],
    row: (k) => ({
      day: toDbTime(dayOfDate(k.hour)),
      campaign_id: k.campaignId,
      type: k.type,
      status: k.status,
      account_id: k.accountId,
    }),
  },
];

type Bucket = Map<string, { row: Record<string, string | number>; segments: number; messages: number }>;

/**
 * Net changes to the pre-aggregated counts made by one transaction. Changes to the same row
 * are summed first, and rows are written in one sorted order, so concurrent transactions
 * lock count rows in the same order.
 */
export class CountDeltas {
  private readonly buckets: Bucket[] = GRAINS.map(() => new Map());

  add(stored: CountKey, segments: number, messages: number): void {
    if (!isCounted(stored.status)) return; // a cancelled message is in no count
    const key: CountedKey = { ...stored, status: stored.status };
    GRAINS.forEach((g, i) => {
      if (g.only && !g.only(key)) return;
      const row = g.row(key);
      const id = g.pk.map((c) => row[c]).join('\u0000');
      const cur = this.buckets[i]!.get(id);
      if (cur) {
        cur.segments += segments;
        cur.messages += messages;
      } else this.buckets[i]!.set(id, { row, segments, messages });
    });
  }

  /** Moves a message from one (status, segments) to another. */
  move(from: CountKey & { segments: number }, to: CountKey & { segments: number }): void {
    this.add(from, -from.segments, -1);
    this.add(to, to.segments, 1);
  }

  async apply(trx: Knex.Transaction | Knex): Promise<void> {
    for (const [i, g] of GRAINS.entries()) {
      const rows = [...this.buckets[i]!.entries()]
        .filter(([, v]) => v.segments !== 0 || v.messages !== 0)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, v]) => ({ ...v.row, segments: v.segments, messages: v.messages }));
      for (let j = 0; j < rows.length; j += 500) {
        await trx(g.table)
          .insert(rows.slice(j, j + 500))
          .onConflict(g.pk)
          .merge({ segments: incremented(trx as Knex, 'segments'), messages: incremented(trx as Knex, 'messages') });
      }
    }
  }
}
