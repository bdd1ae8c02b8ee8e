import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli';
import { fixedClock } from '../../src/clock';
import { platformScope } from '../../src/domain/account-scope';
import { resolvePeriod, type Period } from '../../src/domain/period';
import { applyCallbacks, ingestMessages, type CallbackInput } from '../../src/ingest/ingest.service';
import { getStats } from '../../src/stats/stats.service';
import { message } from '../helpers/app';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { expectCountsMatchMessages } from '../helpers/state';

/**
 * `campaign-stats remap`: callbacks stored under an earlier status mapping (30002, the sending
 * account suspended, was Failed; it is Ignored now) move their messages as today's mapping
 * would, counts and all; a mapping that now ranks lower is reported, never applied.
 */
const NOW = new Date('2026-11-28T15:30:00Z');

const cb = (
  sid: string,
  providerStatus: string,
  mappedStatus: CallbackInput['mappedStatus'],
  errorCode: number | null,
) => ({
  provider: 'twilio',
  providerMessageId: sid,
  providerStatus,
  mappedStatus,
  errorCode,
  numSegments: null,
  payload: '{}',
  receivedAt: NOW,
});

describe.each(ENGINES)('remap stored callbacks (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
  });
  afterAll(async () => tdb?.drop());
  beforeEach(async () => truncateAll(tdb.db));

  const statuses = async () => {
    const q = {
      period: resolvePeriod('7d', 'UTC', NOW) as Period,
      type: null,
      carrier: null,
      campaign: null,
      account: null,
      accounts: platformScope('benchmarks and tests'),
    };
    const s = (await getStats(tdb.db, q, NOW)).statuses;
    return { failed: s.failed.messages, ignored: s.ignored.messages, delivered: s.delivered_confirmed.messages };
  };
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => out.push(`ERR ${x}`) };
    expect(await runCli(['remap', ...args], tdb.env, io, fixedClock(NOW))).toBe(0);
    return out;
  };

  it('moves the messages an earlier mapping left behind, once, with their counts; reports what it cannot lower', async () => {
    const ids = ['SMA', 'SMB', 'SMC', 'SMD'].map((p) => `${p}${'0'.repeat(31)}`);
    const records = ids.map((id, i) =>
      message({ provider_message_id: id, to: `+1303555${1000 + i}`, status: 'queued' }),
    );
    expect((await ingestMessages(tdb.db, records as never, { now: NOW, mmsSegments: 1 })).ok).toBe(true);
    await applyCallbacks(
      tdb.db,
      [
        // two as the mapping of an earlier release stored them: failed, 30002 → Failed
        cb(ids[0]!, 'failed', 'failed', 30002),
        cb(ids[1]!, 'failed', 'failed', 30002),
        // one delivered, mapped as today
        cb(ids[2]!, 'delivered', 'delivered_confirmed', null),
        // one stored higher than today's mapping ranks it (Ignored for a plain failure): cannot be lowered
        cb(ids[3]!, 'failed', 'ignored', null),
      ],
      NOW,
    );
    // a callback whose message has not come yet, under the old mapping
    await applyCallbacks(tdb.db, [cb(`SME${'0'.repeat(31)}`, 'failed', 'failed', 30002)], NOW);
    expect(await statuses()).toEqual({ failed: 2, ignored: 1, delivered: 1 });

    const lowered =
      '"failed": was Ignored, now Failed (1 callback) — not applied: a status is never lowered from callbacks alone (the status a message was sent with is not kept)';
    expect(await cli([])).toEqual([
      lowered,
      '"failed" with error 30002: was Failed, now Ignored (3 callbacks)',
      '2 messages would move: Failed → Ignored 2. Run with --apply to move them (their counts with them).',
    ]);
    expect(await statuses()).toEqual({ failed: 2, ignored: 1, delivered: 1 });

    expect(await cli(['--apply'])).toEqual([
      lowered,
      '"failed" with error 30002: was Failed, now Ignored (3 callbacks)',
      'moved 2 messages: Failed → Ignored 2',
    ]);
    expect(await statuses()).toEqual({ failed: 0, ignored: 3, delivered: 1 });
    await expectCountsMatchMessages(tdb.db);
    const rows = await tdb
      .db('messages')
      .select('provider_message_id', 'status', 'error_code')
      .orderBy('provider_message_id');
    expect(rows.map((r: any) => [r.provider_message_id.slice(0, 3), r.status, r.error_code])).toEqual([
      ['SMA', 'ignored', 30002],
      ['SMB', 'ignored', 30002],
      ['SMC', 'delivered_confirmed', null],
      ['SMD', 'ignored', null],
    ]);
    // every stored callback of that pair now says Ignored, the one still waiting for its message too
    const stored = await tdb.db('status_callbacks').select('mapped_status').where({ error_code: 30002 });
    expect(stored.map((r: any) => r.mapped_status)).toEqual(['ignored', 'ignored', 'ignored']);
    // the message that had not come arrives: it is Ignored at once
    expect(
      (
        await ingestMessages(
          tdb.db,
          [message({ provider_message_id: `SME${'0'.repeat(31)}`, to: '+13035551009', status: 'queued' })] as never,
          { now: NOW, mmsSegments: 1 },
        )
      ).ok,
    ).toBe(true);
    expect(await statuses()).toEqual({ failed: 0, ignored: 4, delivered: 1 });
    // run again: only what it cannot do is left
    expect(await cli(['--apply'])).toEqual([lowered, 'no message moves']);
  });

  it('says so when every stored callback maps as it does today, and refuses an unknown option', async () => {
    expect(await cli([])).toEqual(['every stored callback maps as it does today: nothing to do']);
    const out: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => out.push(x) };
    expect(await runCli(['remap', '--aply'], tdb.env, io, fixedClock(NOW))).toBe(2);
    expect(out.join('\n')).toContain('--aply');
  });
});
