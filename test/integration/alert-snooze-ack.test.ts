import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnAlert } from '../../src/alerts/alerts.service';
import { getAlert, openAlert, setMessageTs } from '../../src/alerts/alerts.repository';
import { webClientNotifier } from '../../src/messages/notifier';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { BOT_TOKEN } from '../helpers/slack';

/** Acknowledging a snoozed alert keeps the snooze (issue 15: it dropped it). */
const NOW = new Date('2026-11-28T15:30:00Z');
const CHANNEL = 'C2147483705';

describe.each(ENGINES)('acknowledging a snoozed alert (%s)', (engine) => {
  let tdb: TestDatabase;
  let standIn: SlackStandIn;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    standIn = await new SlackStandIn({ token: BOT_TOKEN }).start();
  });
  afterAll(async () => {
    await standIn?.stop();
    await tdb?.drop();
  });

  it('keeps the snooze and records who acknowledged; a second ack changes nothing', async () => {
    const notifier = webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
    const alert = (await openAlert(
      tdb.db,
      {
        teamId: null,
        channelId: CHANNEL,
        kind: 'undelivered',
        scopeKey: '*|T-Mobile|sms',
        scope: { carrier: 'T-Mobile', type: 'sms', accountId: null },
        rate: 0.3,
        baseline: 0.02,
        threshold: 0.05,
        volume: 300,
      },
      NOW,
    ))!;
    await setMessageTs(tdb.db, alert.id, await notifier.post({ channel: CHANNEL, text: 'alert', blocks: [] }), NOW);
    const deps = { db: tdb.db, notifier };
    const where = { teamId: null, channelId: CHANNEL };
    expect(await actOnAlert(deps, alert.id, { type: 'snooze', hours: 4 }, 'U0ANNA', NOW, 'UTC', where)).toEqual({
      ok: true,
    });
    const later = new Date(NOW.getTime() + 600_000);
    expect(await actOnAlert(deps, alert.id, { type: 'ack' }, 'U0BOB', later, 'UTC', where)).toEqual({ ok: true });
    const a = (await getAlert(tdb.db, alert.id))!;
    expect([a.state, a.snoozedUntil?.toISOString(), a.snoozedBy, a.ackedBy, a.ackedAt?.toISOString()]).toEqual([
      'snoozed',
      '2026-11-28T19:30:00.000Z',
      'U0ANNA',
      'U0BOB',
      later.toISOString(),
    ]);
    expect(await actOnAlert(deps, alert.id, { type: 'ack' }, 'U0CAROL', later, 'UTC', where)).toEqual({
      ok: false,
      message: 'Nothing changed: it was already acknowledged by <@U0BOB>.',
    });
  });
});
