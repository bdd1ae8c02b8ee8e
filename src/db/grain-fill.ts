import type { Knex } from 'knex';
import type { StoredStatus } from '../domain/message-state';
import {
  CountDeltas,
  countKeyOf,
  FILL_STATES_TTL_MS,
  forgetGrainFillStates,
  type FillState,
} from './counts.repository';
import { dialectOf, fromDbTime, inTransaction, toDbTime } from './dialect';

/**
 * Online fill of a count grain added to a live database (issue 17, DESIGN §8). A migration only
 * creates the grain's table and marks it `pending` in grain_fills; the write path leaves a
 * pending grain alone. `campaign-stats fill` then, for each grain not ready:
 *
 * 1. marks it `filling`: from then on every write transaction bumps the grain too, and records
 *    in grain_fill_first_states the state each message had before its first change
 *    (none, for a message inserted while filling);
 * 2. waits a grace period (longer than a write transaction and than the write path's one-second
 *    cache of these states), then takes the watermark W = the highest message id: every message
 *    above W was inserted by a transaction that counted it;
 * 3. reads messages ≤ W in id order, a batch at a time, with plain (non-locking) reads, and
 *    adds each to the grain as it was when the write path began to count it: its first
 *    recorded state if the write path changed it (nothing, if inserted while filling),
 *    else its state as read. The first states are read after the messages, so a change
 *    committed between the two reads is seen in one of them; one committed later was counted
 *    by the write path from the state the fill read. Each batch commits its additions with
 *    the advance of `done_to`, guarded by the previous value: run twice (two operators, a
 *    crash and a rerun, two nodes) it adds each batch once;
 * 4. marks the grain `ready` and drops its first states.
 *
 * No lock is taken on `messages`; each batch's transaction touches only the grain and the
 * fill's row. A grain is read by answers only once ready (the stats engine falls back).
 */
export interface FillProgress {
  grain: string;
  done: number;
  total: number;
}

export interface FillOptions {
  /** ms to wait after `filling` before taking the watermark (default 10 s) */
  graceMs?: number;
  /** messages per batch (default 5,000) */
  batch?: number;
  /**
   * after each batch, wait this many times as long as the batch took (default 0): the share of
   * the database the fill leaves to receipts (1 = it works at most half the time)
   */
  sleepCoef?: number;
  now?: () => Date;
  onProgress?: (p: FillProgress) => void;
}

export interface FillResult {
  grain: string;
  messages: number;
  batches: number;
}

interface FillRow {
  grain: string;
  state: FillState;
  watermark: number | null;
  done_to: number;
}

const readFill = async (db: Knex, grain: string): Promise<FillRow> => {
  const r = await db('grain_fills').first('*').where({ grain });
  return {
    grain,
    state: r.state,
    watermark: r.watermark === null ? null : Number(r.watermark),
    done_to: Number(r.done_to),
  };
};

/** Grains waiting for a fill or in the middle of one. */
export async function unfilledGrains(db: Knex): Promise<string[]> {
  return (await db('grain_fills').select('grain').whereNot({ state: 'ready' }).orderBy('grain')).map(
    (r: { grain: string }) => r.grain,
  );
}

export async function fillGrains(db: Knex, opts: FillOptions = {}): Promise<FillResult[]> {
  const out: FillResult[] = [];
  for (const grain of await unfilledGrains(db)) out.push(await fillGrain(db, grain, opts));
  return out;
}

export async function fillGrain(db: Knex, grain: string, opts: FillOptions = {}): Promise<FillResult> {
  const now = opts.now ?? (() => new Date());
  const batch = opts.batch ?? 5000;
  // never shorter than the write path's cache of fill states (with a margin for a transaction
  // in flight): a writer that still sees the old state must have finished
  const graceMs = Math.max(opts.graceMs ?? 10_000, 2 * FILL_STATES_TTL_MS);
  let fill = await readFill(db, grain);
  if (fill.state === 'ready') return { grain, messages: 0, batches: 0 };
  if (fill.state === 'pending') {
    await db('grain_fills')
      .where({ grain, state: 'pending' })
      .update({ state: 'filling', started_at: toDbTime(now()) });
    forgetGrainFillStates();
  }
  if (fill.watermark === null) {
    await new Promise((r) => setTimeout(r, graceMs));
    const max = (await db('messages').max({ id: 'id' }).first()) as { id: unknown } | undefined;
    await db('grain_fills')
      .where({ grain })
      .whereNull('watermark')
      .update({ watermark: Number(max?.id ?? 0) });
  }
  fill = await readFill(db, grain);
  const watermark = fill.watermark!;
  const total = Number(
    ((await db('messages').count({ n: '*' }).where('id', '<=', watermark).first()) as { n: unknown }).n,
  );
  let done = Number(
    ((await db('messages').count({ n: '*' }).where('id', '<=', fill.done_to).first()) as { n: unknown }).n,
  );
  let batches = 0;
  let counted = 0;
  for (;;) {
    const from = fill.done_to;
    // a plain read: no lock on messages, whatever the isolation level
    const batchStarted = Date.now();
    const rows = await db('messages')
      .select('id', 'provider_message_id', 'account_id', 'campaign_id', 'type', 'carrier', 'segments')
      .select('status', 'error_code', 'sent_at')
      .where('id', '>', from)
      .andWhere('id', '<=', watermark)
      .orderBy('id')
      .limit(batch);
    if (rows.length === 0) break;
    const firsts = new Map<
      string,
      { status: StoredStatus | null; segments: number | null; errorCode: number | null }
    >();
    for (const r of await db('grain_fill_first_states')
      .select('provider_message_id', 'status', 'segments', 'error_code')
      .where({ grain })
      .whereIn(
        'provider_message_id',
        rows.map((r: { provider_message_id: string }) => r.provider_message_id),
      ))
      firsts.set(r.provider_message_id, {
        status: r.status,
        segments: r.segments === null ? null : Number(r.segments),
        errorCode: r.error_code === null ? null : Number(r.error_code),
      });
    const deltas = new CountDeltas(grain);
    for (const r of rows) {
      const first = firsts.get(r.provider_message_id);
      if (first && first.status === null) continue; // inserted while filling: the write path counted it
      const state = first
        ? { status: first.status!, segments: first.segments!, errorCode: first.errorCode }
        : {
            status: r.status as StoredStatus,
            segments: Number(r.segments),
            errorCode: r.error_code === null ? null : Number(r.error_code),
          };
      deltas.add(
        countKeyOf({
          sentAt: fromDbTime(r.sent_at),
          type: r.type,
          carrier: r.carrier,
          campaignId: r.campaign_id,
          accountId: r.account_id,
          status: state.status,
          errorCode: state.errorCode,
        }),
        state.segments,
        1,
      );
    }
    const to = Number(rows.at(-1).id);
    const applied = await inTransaction(db, async (trx) => {
      const moved = await trx('grain_fills').where({ grain, done_to: from }).update({ done_to: to });
      if (moved !== 1) return false; // another filler added this batch first
      await deltas.apply(trx);
      return true;
    });
    fill = await readFill(db, grain);
    if (applied) {
      batches++;
      counted += rows.length;
    }
    done = Math.min(total, done + rows.length);
    opts.onProgress?.({ grain, done, total });
    if (opts.sleepCoef) await new Promise((r) => setTimeout(r, (Date.now() - batchStarted) * opts.sleepCoef!));
  }
  await db('grain_fills')
    .where({ grain })
    .update({ state: 'ready', finished_at: toDbTime(now()) });
  forgetGrainFillStates();
  // the first states are no longer needed: dropped a slice at a time (no long lock on a big
  // delete), once the transactions that still saw `filling` have ended
  await new Promise((r) => setTimeout(r, graceMs));
  if (dialectOf(db) === 'mysql')
    while ((await db.raw('DELETE FROM grain_fill_first_states WHERE grain = ? LIMIT 5000', [grain]))[0].affectedRows);
  else await db('grain_fill_first_states').where({ grain }).delete();
  return { grain, messages: counted, batches };
}
