import type { Knex } from 'knex';
import type { Status } from '../domain/status';
import { incremented, toDbTime } from './dialect';

/** The dimensions a message is counted under. */
export interface CountKey {
  hour: Date; // UTC hour of the message's send time
  type: string;
  carrier: string;
  status: Status;
  campaignId: string;
  accountId: string;
}

const HOUR = 3600_000;
export const hourOfDate = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR);

/**
 * Net changes to the pre-aggregated counts made by one transaction. Changes to the same row
 * are summed first, and rows are written in one sorted order, so concurrent transactions
 * lock count rows in the same order.
 */
export class CountDeltas {
  private readonly hourly = new Map<string, { row: Record<string, unknown>; segments: number; messages: number }>();
  private readonly campaign = new Map<string, { row: Record<string, unknown>; segments: number; messages: number }>();

  add(key: CountKey, segments: number, messages: number): void {
    const hour = toDbTime(key.hour);
    bump(this.hourly, [hour, key.type, key.carrier, key.status].join('\u0000'), { hour, type: key.type, carrier: key.carrier, status: key.status }, segments, messages);
    bump(
      this.campaign,
      [key.campaignId, hour, key.type, key.carrier, key.status].join('\u0000'),
      { campaign_id: key.campaignId, hour, type: key.type, carrier: key.carrier, status: key.status, account_id: key.accountId },
      segments,
      messages,
    );
  }

  /** Moves a message from one (status, segments) to another. */
  move(from: CountKey & { segments: number }, to: CountKey & { segments: number }): void {
    this.add(from, -from.segments, -1);
    this.add(to, to.segments, 1);
  }

  get size(): number {
    return this.hourly.size;
  }

  async apply(trx: Knex.Transaction | Knex): Promise<void> {
    await upsert(trx, 'counts_hourly', ['hour', 'type', 'carrier', 'status'], this.hourly);
    await upsert(trx, 'counts_campaign_hourly', ['campaign_id', 'hour', 'type', 'carrier', 'status'], this.campaign);
  }
}

function bump(
  map: Map<string, { row: Record<string, unknown>; segments: number; messages: number }>,
  key: string,
  row: Record<string, unknown>,
  segments: number,
  messages: number,
): void {
  const cur = map.get(key);
  if (cur) {
    cur.segments += segments;
    cur.messages += messages;
  } else map.set(key, { row, segments, messages });
}

async function upsert(
  trx: Knex.Transaction | Knex,
  table: string,
  pk: string[],
  map: Map<string, { row: Record<string, unknown>; segments: number; messages: number }>,
): Promise<void> {
  const rows = [...map.entries()]
    .filter(([, v]) => v.segments !== 0 || v.messages !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, v]) => ({ ...v.row, segments: v.segments, messages: v.messages }));
  for (let i = 0; i < rows.length; i += 500) {
    await trx(table)
      .insert(rows.slice(i, i + 500))
      .onConflict(pk)
      .merge({ segments: incremented(trx as Knex, 'segments'), messages: incremented(trx as Knex, 'messages') });
  }
}
