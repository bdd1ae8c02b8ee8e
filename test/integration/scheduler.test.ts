import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { claimRun, listRuns } from '../../src/jobs/run-ledger.repository';
import { createLogger } from '../../src/logger';
import { saveChannelSettings, defaultSettings } from '../../src/settings/channel-settings.repository';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { ingestMessages } from '../../src/ingest/ingest.service';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { message } from '../helpers/app';
import { BOT_TOKEN, blockTexts } from '../helpers/slack';

const DIGESTS = 'C0DIGESTS';
const OTHER = 'C0OTHER';

describe.each(ENGINES)('scheduler and digests (%s)', (engine) => {
  let tdb: TestDatabase;
  let standIn: SlackStandIn;
  let config: ReturnType<typeof loadConfig>;
  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      channels: [
        { id: DIGESTS, name: 'digests' },
        { id: OTHER, name: 'other' },
      ],
    }).start();
    tdb = await createTestDatabase(engine);
    config = loadConfig({
      ...tdb.env,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'x',
      SLACK_API_URL: standIn.apiUrl,
      DIGEST_CHANNEL: DIGESTS,
      DEFAULT_TIMEZONE: 'America/Denver',
      CHART_RENDERER: 'quickchart',
    });
  });
  afterAll(async () => {
    await tdb?.drop();
    await standIn?.stop();
  });
  beforeEach(async () => {
    await truncateAll(tdb.db);
    standIn.reset();
    const records = [
      '2026-10-30T18:00:00Z',
      '2026-10-31T18:00:00Z',
      '2026-11-01T18:00:00Z',
      '2026-11-02T18:00:00Z',
    ].map((at, i) =>
      message({ provider_message_id: `SM${i}`, to: `+1303555${1000 + i}`, sent_at: at, status: 'delivered_confirmed' }),
    );
    expect(
      (await ingestMessages(tdb.db, records as never, { now: new Date('2026-10-30T18:00:00Z'), mmsSegments: 1 })).ok,
    ).toBe(true);
  });

  it('posts exactly one digest per channel per local day with three instances running at once, across the DST change', async () => {
    const clock = fixedClock(new Date('2026-10-30T12:00:00Z'));
    const instances = [0, 1, 2].map(() => createScheduler(config, tdb.db, clock, createLogger('silent')));
    // every 20 minutes for four days, all three instances tick at the same moment
    while (clock.now() < new Date('2026-11-03T20:00:00Z')) {
      await Promise.all(instances.map((s) => s.tick('digest')));
      clock.advance(20 * 60_000);
    }
    const posts = standIn
      .callsTo('chat.postMessage')
      .filter((c) => c.ok && c.args.channel === DIGESTS && !c.args.thread_ts);
    // each local morning's digest covers the day before; the first tick found the Oct 29 slot
    // 21 hours late and skipped it rather than post a stale digest
    expect(posts.map((c) => (c.args.text as string).split(':')[0])).toEqual([
      'Daily digest · Thursday Oct 29',
      'Daily digest · Friday Oct 30',
      'Daily digest · Saturday Oct 31',
      'Daily digest · Sunday Nov 1',
      'Daily digest · Monday Nov 2',
    ]);
    // posted at 09:00 local: 15:00 UTC in MDT, 16:00 UTC in MST after Nov 1
    const runs = await listRuns(tdb.db, 'digest');
    expect(runs.map((r) => [r.slot, r.status])).toEqual([
      [`${DIGESTS}:2026-10-29`, 'skipped'],
      [`${DIGESTS}:2026-10-30`, 'done'],
      [`${DIGESTS}:2026-10-31`, 'done'],
      [`${DIGESTS}:2026-11-01`, 'done'],
      [`${DIGESTS}:2026-11-02`, 'done'],
      [`${DIGESTS}:2026-11-03`, 'done'],
    ]);
    expect(new Set(runs.map((r) => r.claimedBy)).size).toBeGreaterThanOrEqual(1);
    expect(posts[0]!.args.text).toBe('Daily digest · Thursday Oct 29: no campaigns were sent (America/Denver).');
    const first = standIn.messages.filter((m) => m.channel === DIGESTS)[1]!;
    expect(blockTexts(first.blocks)[2]).toBe(
      '*Total Segments: 2* · 1 message\nDelivery rate *100.0%*\n*$0.00* spent on undelivered segments (0 × $0.03)',
    );
  });

  it('catches up a slot missed while down, and skips one found past its grace period', async () => {
    await saveChannelSettings(
      tdb.db,
      { ...defaultSettings(OTHER), digestEnabled: true, digestTime: '07:30', timezone: 'UTC', digestWhenEmpty: false },
      'U1',
      new Date('2026-10-31T12:00:00Z'),
    );
    const clock = fixedClock(new Date('2026-11-01T07:00:00Z'));
    const s = createScheduler(config, tdb.db, clock, createLogger('silent'));
    await s.tick('digest');
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === OTHER)).toHaveLength(0);
    clock.set(new Date('2026-11-01T10:45:00Z')); // "restarted" 3h15 after the slot
    await createScheduler(config, tdb.db, clock, createLogger('silent')).tick('digest');
    expect(
      standIn
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === OTHER)
        .map((c) => c.args.text),
    ).toEqual([expect.stringMatching(/^Daily digest · Saturday Oct 31: 2 segments/)]);
    clock.set(new Date('2026-11-02T14:00:00Z')); // 6h30 late: beyond the 6-hour grace
    await s.tick('digest');
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === OTHER)).toHaveLength(1);
    const runs = (await listRuns(tdb.db, 'digest')).filter((r) => r.slot.startsWith(OTHER));
    expect(runs.map((r) => [r.slot, r.status])).toEqual([
      [`${OTHER}:2026-10-31`, 'skipped'], // found 23h30 late at the first tick
      [`${OTHER}:2026-11-01`, 'done'],
      [`${OTHER}:2026-11-02`, 'skipped'],
    ]);
  });

  it('takes over a run whose instance died mid-run, once its claim is 30 minutes old', async () => {
    const clock = fixedClock(new Date('2026-11-02T16:10:00Z')); // 09:10 in Denver
    await claimRun(tdb.db, 'digest', `${DIGESTS}:2026-11-02`, 'dead-instance', new Date('2026-11-02T16:00:00Z'));
    const s = createScheduler(config, tdb.db, clock, createLogger('silent'));
    await s.tick('digest');
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === DIGESTS)).toHaveLength(0); // 10 minutes: still its owner's
    clock.set(new Date('2026-11-02T16:31:00Z'));
    await Promise.all([
      s.tick('digest'),
      createScheduler(config, tdb.db, clock, createLogger('silent')).tick('digest'),
    ]);
    expect(
      standIn
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === DIGESTS)
        .map((c) => c.args.text),
    ).toEqual([expect.stringMatching(/^Daily digest · Sunday Nov 1:/)]);
    expect((await listRuns(tdb.db, 'digest')).find((r) => r.slot === `${DIGESTS}:2026-11-02`)).toMatchObject({
      status: 'done',
    });
  });

  it('sends no digest for an empty day when the channel says so, and one line otherwise', async () => {
    await truncateAll(tdb.db);
    await saveChannelSettings(
      tdb.db,
      { ...defaultSettings(OTHER), digestEnabled: true, digestTime: '16:00', timezone: 'UTC', digestWhenEmpty: false },
      'U1',
      new Date('2026-10-31T12:00:00Z'),
    );
    const clock = fixedClock(new Date('2026-11-05T16:30:00Z'));
    await createScheduler(config, tdb.db, clock, createLogger('silent')).tick('digest');
    expect((await listRuns(tdb.db, 'digest')).filter((r) => r.status === 'done').map((r) => r.slot)).toEqual([
      `${DIGESTS}:2026-11-05`,
      `${OTHER}:2026-11-05`,
    ]);
    const posted = standIn.callsTo('chat.postMessage').filter((c) => c.ok);
    expect(posted.map((c) => [c.args.channel, c.args.text])).toEqual([
      [DIGESTS, 'Daily digest · Wednesday Nov 4: no campaigns were sent (America/Denver).'],
    ]);
  });
});
