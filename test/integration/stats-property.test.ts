import { onlyAccounts, platformScope } from '../../src/domain/account-scope';
import { rawReasonCounts } from '../../src/stats/stats.repository';
import { tallyReasons } from '../../src/stats/stats.service';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyReports } from '../../src/domain/message-state';
import { resolvePeriod, type Period } from '../../src/domain/period';
import { emptyStatusCounts, mapProviderStatus, type Status } from '../../src/domain/status';
import { applyCallbacks, ingestMessages, type CallbackInput } from '../../src/ingest/ingest.service';
import type { MessageRecord } from '../../src/ingest/schemas';
import { recount } from '../../src/stats/stats.repository';
import { getStats } from '../../src/stats/stats.service';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { expectCountsMatchMessages } from '../helpers/state';

const NOW = new Date('2026-11-28T12:00:00Z');
const WINDOW_START = Date.parse('2026-11-24T00:00:00Z');

const PROVIDER_EVENTS: Array<[string, string | null]> = [
  ['queued', null],
  ['sending', null],
  ['sent', null],
  ['delivered', null],
  ['undelivered', '30007'],
  ['undelivered', '30003'],
  ['undelivered', null],
  ['failed', '21211'],
  ['failed', '21610'],
  ['failed', '30002'], // the sending account suspended: Ignored
  ['failed', '30032'],
  ['undelivered', '30005'],
  ['undelivered', '99999'], // a code we do not know: Other
  ['partially_delivered', null],
  ['canceled', null],
];

const messageArb = fc.record({
  campaign: fc.constantFrom('cmp_a', 'cmp_b', 'cmp_c'),
  carrier: fc.constantFrom('Verizon', 'AT&T', ''),
  type: fc.constantFrom('sms' as const, 'mms' as const),
  minute: fc.integer({ min: 0, max: 4 * 24 * 60 - 1 }),
  segments: fc.integer({ min: 1, max: 4 }),
  initial: fc.constantFrom<Status>('queued', 'queued', 'queued', 'ignored', 'failed', 'unreachable'),
  callbacks: fc.array(
    fc.record({
      event: fc.constantFrom(...PROVIDER_EVENTS),
      numSegments: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 4 }),
    }),
    { maxLength: 5 },
  ),
});

const scenarioArb = fc.array(messageArb, { minLength: 1, maxLength: 8 }).chain((messages) => {
  // every message record is sent once or twice, every callback once or twice
  const ops = [
    ...messages.flatMap((_, i) => [{ kind: 'message' as const, i }]),
    ...messages.flatMap((m, i) => m.callbacks.map((_, j) => ({ kind: 'callback' as const, i, j }))),
  ];
  return fc.tuple(
    fc.constant(messages),
    fc.shuffledSubarray([...ops, ...ops], { minLength: ops.length * 2, maxLength: ops.length * 2 }),
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }),
  );
});

const sid = (i: number) => `SM${String(i).padStart(32, '0')}`;

function record(m: any, i: number): MessageRecord {
  return {
    provider_message_id: sid(i),
    account_id: m.campaign === 'cmp_c' ? 'acct_2' : 'acct_1',
    campaign_id: m.campaign,
    to: `+1303555${String(1000 + i)}`,
    carrier: m.carrier || null,
    type: m.type,
    segments: m.segments,
    status: m.initial,
    error_code: null,
    sent_at: new Date(WINDOW_START + m.minute * 60_000).toISOString(),
  };
}

function callback(m: any, i: number, j: number): CallbackInput {
  const { event, numSegments } = m.callbacks[j];
  const code = event[1] === null ? null : Number(event[1]);
  return {
    provider: 'twilio',
    providerMessageId: sid(i),
    providerStatus: event[0],
    mappedStatus: mapProviderStatus(event[0], code) ?? null,
    errorCode: code,
    numSegments: numSegments ?? null,
    payload: '{}',
    receivedAt: NOW,
  };
}

describe.each(ENGINES)('stats engine against a recount, random interleavings (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('always equals the GROUP BY over raw messages, and every message ends where its callbacks say', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ([messages, ops, groupSizes]) => {
        await truncateAll(tdb.db);
        // run the operations in groups; the operations of one group run concurrently
        let k = 0;
        for (let g = 0; k < ops.length; g++) {
          const size = groupSizes[g % groupSizes.length]!;
          const group = ops.slice(k, k + size);
          k += size;
          await Promise.all(
            group.map((op) =>
              op.kind === 'message'
                ? ingestMessages(tdb.db, [record(messages[op.i], op.i)], { now: NOW, mmsSegments: 1 }).then((r) =>
                    expect(r.ok).toBe(true),
                  )
                : applyCallbacks(tdb.db, [callback(messages[op.i], op.i, op.j)], NOW),
            ),
          );
        }

        // each message: the order-free fold of its sender status and all its callbacks
        for (const [i, m] of messages.entries()) {
          const expected = applyReports(
            { status: m.initial, errorCode: null, segments: m.segments, segmentsSource: 'sender' },
            m.callbacks
              .map((_: unknown, j: number) => callback(m, i, j))
              .map((c: CallbackInput) => ({
                status: c.mappedStatus,
                errorCode: c.errorCode,
                numSegments: c.numSegments,
                canceled: c.providerStatus === 'canceled',
              })),
          );
          const row = await tdb
            .db('messages')
            .first('status', 'segments')
            .where({ provider_message_id: sid(i) });
          expect({ status: row.status, segments: Number(row.segments) }).toEqual({
            status: expected.status,
            segments: expected.segments,
          });
        }
        await expectCountsMatchMessages(tdb.db);

        for (const [word, zone, filters] of [
          ['2026-11-24..2026-11-27', 'UTC', {}],
          ['2026-11-25..2026-11-26', 'Asia/Kolkata', { type: 'sms' as const }],
          ['30h', 'America/Denver', { carrier: 'Verizon' }],
          ['2026-11-24..2026-11-27', 'Asia/Kathmandu', { campaign: 'cmp_b' }],
          ['2026-11-24..2026-11-27', 'UTC', { account: 'acct_2', type: 'mms' as const }],
          // a merchant's workspace: only its accounts, whatever else the filters say
          ['2026-11-24..2026-11-27', 'Asia/Kolkata', { visible: ['acct_1'] }],
          ['30h', 'UTC', { visible: ['acct_2', 'acct_9'], carrier: 'Verizon' }],
          ['2026-11-24..2026-11-27', 'UTC', { visible: [] as string[] }],
        ] as const) {
          const period = resolvePeriod(word, zone, new Date('2026-11-27T20:17:00Z')) as Period;
          const f = filters as {
            type?: 'sms' | 'mms';
            carrier?: string;
            campaign?: string;
            account?: string;
            visible?: readonly string[];
          };
          const q = {
            period,
            type: f.type ?? null,
            carrier: f.carrier ?? null,
            campaign: f.campaign ? { id: f.campaign, name: null } : null,
            account: f.account ? { id: f.account, name: null } : null,
            accounts: f.visible ? onlyAccounts(f.visible) : platformScope('benchmarks and tests'),
          };
          const stats = await getStats(tdb.db, q, NOW);
          const expected = emptyStatusCounts();
          const scope = {
            type: q.type,
            carrier: q.carrier,
            campaignId: f.campaign ?? null,
            // an account named is counted only within the visible ones (intersected, never instead)
            accountIds: f.account
              ? f.visible && !f.visible.includes(f.account)
                ? []
                : [f.account]
              : (f.visible ?? null),
          };
          for (const t of await recount(tdb.db, scope, period.start, period.end))
            expected[t.status] = { segments: t.segments, messages: t.messages };
          expect(stats.statuses).toEqual(expected);
          // and why: reasons equal the raw failures by status and error code, through the one code table
          expect(stats.reasons).toEqual(tallyReasons(await rawReasonCounts(tdb.db, scope, period.start, period.end)));
          if (f.visible?.length === 0) expect(stats.totals.messages).toBe(0);
          // the per-day series and the splits add up to the same totals
          const fromSeries = stats.series.reduce((a, d) => a + d.totals.segments, 0);
          expect(fromSeries).toBe(stats.totals.segments);
          expect(stats.carriers.reduce((a, c) => a + c.totals.messages, 0)).toBe(stats.totals.messages);
          expect(stats.campaigns.reduce((a, c) => a + c.totals.messages, 0)).toBe(stats.totals.messages);
        }
      }),
      { numRuns: engine === 'sqlite' ? 40 : 20 },
    );
  });
});
