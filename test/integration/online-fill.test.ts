import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetGrainFillStates } from '../../src/db/counts.repository';
import { fromDbTime, quarterHourOf } from '../../src/db/dialect';
import { fillGrain } from '../../src/db/grain-fill';
import { mapProviderStatus, STATUSES } from '../../src/domain/status';
import { applyCallbacks, ingestMessages, type CallbackInput } from '../../src/ingest/ingest.service';
import type { MessageRecord } from '../../src/ingest/schemas';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { expectCountsMatchMessages } from '../helpers/state';

/**
 * A grain added to a live database (issue 17): the 15-minute grain, emptied and marked
 * `pending` as a migration adding it would leave it, is filled online while receipts change
 * old messages and new messages arrive — with two fillers at once. Afterwards it equals a
 * recount of the raw messages, bucket by bucket: nothing missed, nothing counted twice.
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const START = Date.parse('2026-11-20T00:00:00Z');
const sid = (i: number) => `SM${String(i).padStart(32, '0')}`;
const CARRIERS = ['Verizon', 'AT&T', 'T-Mobile'];

function record(i: number): MessageRecord {
  return {
    provider_message_id: sid(i),
    account_id: `acct_${(i % 5) % 2}`,
    campaign_id: `cmp_${i % 5}`,
    to: `+1303${String(5550000 + (i % 700))}`,
    carrier: CARRIERS[i % 3]!,
    type: i % 4 === 0 ? 'mms' : 'sms',
    segments: 1 + (i % 3),
    status: 'queued',
    error_code: null,
    sent_at: new Date(START + ((i * 7919) % (7 * 86_400)) * 1000).toISOString(),
  } as MessageRecord;
}

function callback(i: number, step: number): CallbackInput {
  const [status, code] = (
    [
      ['sent', null],
      ['delivered', null],
      ['undelivered', 30007],
      ['failed', 30008],
      ['canceled', null],
    ] as const
  )[(i + step) % 5]!;
  return {
    provider: 'twilio',
    providerMessageId: sid(i),
    providerStatus: status,
    mappedStatus: mapProviderStatus(status, code) ?? null,
    errorCode: code,
    numSegments: step % 3 === 0 ? 4 : null,
    payload: '{}',
    receivedAt: NOW,
  };
}

describe.each(ENGINES)('filling a grain added to a live database (%s)', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => t?.drop());

  it('equals a raw recount bucket by bucket after a fill that ran while receipts and new messages flowed', async () => {
    const OLD = 3000;
    for (let b = 0; b < OLD; b += 500) {
      const r = await ingestMessages(
        t.db,
        Array.from({ length: 500 }, (_, j) => record(b + j)),
        { now: NOW, mmsSegments: 1 },
      );
      expect(r.ok).toBe(true);
    }
    for (let i = 0; i < OLD; i += 3) await applyCallbacks(t.db, [callback(i, 0)], NOW);
    // what a migration adding the grain leaves: an empty table, pending
    await t.db('counts_quarter').delete();
    await t.db('grain_fills').insert({ grain: 'counts_quarter', state: 'pending', done_to: 0 });
    forgetGrainFillStates();

    // pending: the write path leaves the grain alone (it would write deltas into nothing)
    await applyCallbacks(t.db, [callback(1, 1)], NOW);
    expect(await t.db('counts_quarter').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    let filling = true;
    let next = OLD;
    let step = 2;
    const writer = (async () => {
      let i = 0;
      while (filling) {
        // receipts on old messages (several changes to some) and new messages arriving
        await applyCallbacks(t.db, [callback((i * 37) % OLD, step++), callback((i * 53 + 1) % OLD, step++)], NOW);
        if (i % 4 === 0) {
          const r = await ingestMessages(t.db, [record(next++), record(next++)], { now: NOW, mmsSegments: 1 });
          expect(r.ok).toBe(true);
          await applyCallbacks(t.db, [callback(next - 1, step++)], NOW);
        }
        i++;
        // let timers run (SQLite answers without I/O: a tight loop would starve the fill's wait)
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const fills = await Promise.all([
      fillGrain(t.db, 'counts_quarter', { graceMs: 300, batch: 150 }),
      fillGrain(t.db, 'counts_quarter', { graceMs: 300, batch: 150 }),
    ]);
    // a little more traffic after the fill: the grain is kept current as any other
    await new Promise((r) => setTimeout(r, 200));
    filling = false;
    await writer;
    expect(next).toBeGreaterThan(OLD + 10);

    // the two fillers shared the work: every message at or below the watermark added once
    const fill = await t.db('grain_fills').first('*').where({ grain: 'counts_quarter' });
    expect(fill.state).toBe('ready');
    expect(fills[0]!.messages + fills[1]!.messages).toBe(
      Number((await t.db('messages').count({ n: '*' }).where('id', '<=', fill.watermark).first())!.n),
    );
    expect(await t.db('grain_fill_first_states').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    await expectCountsMatchMessages(t.db as never);
    const bucket = quarterHourOf(t.db, 'sent_at').toQuery();
    const raw = await t
      .db('messages')
      .whereIn('status', [...STATUSES])
      .select(t.db.raw(`${bucket} AS quarter`), 'status')
      .sum({ segments: 'segments' })
      .count({ messages: '*' })
      .groupByRaw(`${bucket}, status`);
    const grain = await t
      .db('counts_quarter')
      .select('quarter', 'status')
      .sum({ segments: 'segments' })
      .sum({ messages: 'messages' })
      .groupBy('quarter', 'status');
    const norm = (rows: Array<Record<string, unknown>>) =>
      rows
        .map(
          (r) =>
            `${(r.quarter !== null && typeof r.quarter === 'object' ? fromDbTime(r.quarter) : typeof r.quarter === 'string' && r.quarter.includes('-') ? fromDbTime(r.quarter) : new Date(Number(r.quarter) * 900_000)).toISOString()} ${r.status} ${Number(r.segments)} ${Number(r.messages)}`,
        )
        .filter((x) => !x.endsWith(' 0 0'))
        .sort();
    expect(norm(grain)).toEqual(norm(raw));
    expect(norm(raw).length).toBeGreaterThan(100);
  });
});
