import type { Knex } from 'knex';
import { REASONED_STATUSES } from '../domain/reasons';
import type { Status } from '../domain/status';
import { incremented, toDbTime } from './dialect';
import { dayOfDate, hourOfDate, quarterOfDate } from '../domain/time-buckets';
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

/** The count key of a message in a given state. */
export function countKeyOf(
  m: { sentAt: Date; type: string; carrier: string; campaignId: string; accountId: string } & {
    status: StoredStatus;
    errorCode: number | null;
  },
): CountKey {
  return {
    errorCode: m.errorCode,
    hour: hourOfDate(m.sentAt),
    quarter: quarterOfDate(m.sentAt),
    type: m.type,
    carrier: m.carrier,
    status: m.status,
    campaignId: m.campaignId,
    accountId: m.accountId,
  };
}

/** A message's state before a change, as a grain being filled needs it (null: it was inserted). */
export type FirstState = { status: StoredStatus; segments: number; errorCode: number | null } | null;

export type FillState = 'pending' | 'filling' | 'ready';

/**
 * The fill state of each grain that has one (a grain with no row is ready), read at most once a
 * second per database: the write path asks on every transaction. A fill waits longer than
 * this (its grace period) before it takes its watermark.
 */
export const FILL_STATES_TTL_MS = 1000;
const fillStateCache = new Map<string, { at: number; states: Map<string, FillState> }>();
/** bumped by every forget: a read that began before it does not fill the cache with what it read */
let fillStateGeneration = 0;

export async function grainFillStates(db: Knex | Knex.Transaction): Promise<Map<string, FillState>> {
  const key = JSON.stringify([db.client.config.client, db.client.config.connection]);
  const hit = fillStateCache.get(key);
  if (hit && Date.now() - hit.at < FILL_STATES_TTL_MS) return hit.states;
  const generation = fillStateGeneration;
  const at = Date.now();
  const rows = (await db('grain_fills').select('grain', 'state')) as Array<{ grain: string; state: FillState }>;
  const states = new Map(rows.map((r) => [r.grain, r.state]));
  if (generation === fillStateGeneration) fillStateCache.set(key, { at, states });
  return states;
}

/** Forgets the cached fill states (a fill that just changed them, in this process). */
export function forgetGrainFillStates(): void {
  fillStateGeneration++;
  fillStateCache.clear();
}

/** Every grain's table, in write order. */
export const GRAIN_TABLES: readonly string[] = GRAINS.map((g) => g.table);

/**
 * Net changes to the pre-aggregated counts made by one transaction. Changes to the same row
 * are summed first, and rows are written in one sorted order, so concurrent transactions
 * lock count rows in the same order. A grain still `pending` (added, not yet filling) is not
 * written; while one fills, the first state of each message changed is recorded for it.
 */
export class CountDeltas {
  private readonly buckets: Bucket[] = GRAINS.map(() => new Map());
  private readonly firstStates = new Map<string, FirstState>();

  /** `only`: one grain's table (a fill adding what came before it) */
  constructor(private readonly only?: string) {}

  /** `providerMessageId` of a message inserted now (its first state is "none") */
  add(stored: CountKey, segments: number, messages: number, providerMessageId?: string): void {
    if (providerMessageId !== undefined && !this.firstStates.has(providerMessageId))
      this.firstStates.set(providerMessageId, null);
    if (!isCounted(stored.status)) return; // a cancelled message is in no count
    const key: CountedKey = { ...stored, status: stored.status };
    GRAINS.forEach((g, i) => {
      if (this.only !== undefined && g.table !== this.only) return;
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
  move(from: CountKey & { segments: number }, to: CountKey & { segments: number }, providerMessageId?: string): void {
    if (providerMessageId !== undefined && !this.firstStates.has(providerMessageId))
      this.firstStates.set(providerMessageId, {
        status: from.status,
        segments: from.segments,
        errorCode: from.errorCode,
      });
    this.add(from, -from.segments, -1);
    this.add(to, to.segments, 1);
  }

  async apply(trx: Knex.Transaction | Knex): Promise<void> {
    const fills = this.only === undefined ? await grainFillStates(trx) : new Map<string, FillState>();
    for (const [i, g] of GRAINS.entries()) {
      if (fills.get(g.table) === 'pending') continue;
      if (fills.get(g.table) === 'filling' && this.firstStates.size) await this.recordFirstStates(trx, g.table);
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

  /** The first change of each message wins: a later one keeps the state the fill must count. */
  private async recordFirstStates(trx: Knex.Transaction | Knex, grain: string): Promise<void> {
    const rows = [...this.firstStates].map(([pmid, s]) => ({
      grain,
      provider_message_id: pmid,
      status: s?.status ?? null,
      segments: s?.segments ?? null,
      error_code: s?.errorCode ?? null,
    }));
    for (let j = 0; j < rows.length; j += 500)
      await trx('grain_fill_first_states')
        .insert(rows.slice(j, j + 500))
        .onConflict(['grain', 'provider_message_id'])
        .ignore();
  }
}
