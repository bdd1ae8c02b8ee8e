import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../../src/alerts/alerts.service';
import { loadConfig } from '../../src/config';
import { applyCallbacks, ingestMessages } from '../../src/ingest/ingest.service';
import { mapProviderStatus } from '../../src/domain/status';
import { createLogger } from '../../src/logger';
import { webClientNotifier } from '../../src/messages/notifier';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { oneWorkspace } from '../../src/workspaces/workspace-directory';
import { message } from '../helpers/app';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { BOT_TOKEN } from '../helpers/slack';

/** Each kind of spike reads its own window (issue 15: every kind read undelivered's). */
const NOW = new Date('2026-11-28T15:30:00Z');
const CHANNEL = 'C2147483705';

describe.each(ENGINES)('per-kind alert windows (%s)', (engine) => {
  let tdb: TestDatabase;
  let standIn: SlackStandIn;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine, { ALERT_CHANNEL: CHANNEL });
    standIn = await new SlackStandIn({ token: BOT_TOKEN }).start();
  });
  afterAll(async () => {
    await standIn?.stop();
    await tdb?.drop();
  });

  async function evaluate(params: Parameters<typeof evaluateAlerts>[0]['params']) {
    await truncateAll(tdb.db);
    standIn.reset();
    // 250 T-Mobile SMS an hour ago, 150 unreachable (30003): inside a 2-hour window, outside a 30-minute one
    const records = Array.from({ length: 250 }, (_, i) =>
      message({
        provider_message_id: `SMW${String(i).padStart(31, '0')}`,
        to: `+1720555${String(5000 + i)}`,
        carrier: 'T-Mobile',
        status: 'queued',
        sent_at: new Date(NOW.getTime() - 60 * 60_000).toISOString(),
      }),
    );
    expect((await ingestMessages(tdb.db, records as never, { now: NOW, mmsSegments: 1 })).ok).toBe(true);
    // then their receipts, as Twilio sends them: 150 undelivered with 30003 (the handset unreachable)
    await applyCallbacks(
      tdb.db,
      records.map((r, i) => {
        const [status, code] = i < 150 ? ['undelivered', 30003] : ['delivered', null];
        return {
          provider: 'twilio',
          providerMessageId: r.provider_message_id as string,
          providerStatus: status as string,
          mappedStatus: mapProviderStatus(status as string, code as number | null) ?? null,
          errorCode: code as number | null,
          numSegments: null,
          payload: '{}',
          receivedAt: NOW,
        };
      }),
      NOW,
    );
    const notifier = webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
    const config = loadConfig(tdb.env);
    await evaluateAlerts(
      { db: tdb.db, config, workspaces: oneWorkspace(notifier), log: createLogger('silent'), params },
      NOW,
    );
    return standIn.callsTo('chat.postMessage').map((c) => String(c.args.text).split(':')[0]);
  }

  it('an unreachable spike an hour old alerts with a 2-hour window, not with a 30-minute one', async () => {
    expect(await evaluate(undefined)).toEqual(['Unreachable rate spike — T-Mobile · SMS']);
    expect(await evaluate({ unreachable: { windowMinutes: 30 } })).toEqual([]);
  });
});
