import Database from 'better-sqlite3';
import twilio from 'twilio';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  message,
  postJson,
  postTwilio,
  PUBLIC_BASE_URL,
  startTestApp,
  TWILIO_TOKEN,
  twilioFixture,
  type TestApp,
} from '../helpers/app';
import { ENGINES, type Engine } from '../helpers/databases';

/**
 * With the database stalled (another connection holds an exclusive lock), callbacks wait in
 * memory; past CALLBACKS_MAX_IN_FLIGHT the webhook answers 503 with Retry-After (Twilio
 * retries), and every callback answered 204 is stored once the database is back.
 */
describe.each(ENGINES)('back-pressure on status callbacks (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { CALLBACKS_MAX_IN_FLIGHT: '3' });
  });
  afterAll(async () => t?.stop());

  it('answers 503 + Retry-After past the bound while the database is stalled, and loses nothing it accepted', async () => {
    const sids = Array.from({ length: 10 }, (_, i) => `SM${String(i).padStart(32, '0')}`);
    const messages = sids.map((sid, i) => message({ provider_message_id: sid, to: `+1303555${1000 + i}` }));
    expect((await postJson(t.base, '/api/v1/messages', { messages })).status).toBe(200);
    const lock = await stall(engine, t);
    let replies: Array<{ status: number; retryAfter: string | null }>;
    try {
      // the lock is released once the seven callbacks past the bound have been told to come back
      // (not after a fixed time: better-sqlite3 waits on a lock synchronously, so timers are unreliable)
      let turnedAway = 0;
      let allTurnedAway!: () => void;
      const released = new Promise<void>((r) => {
        allTurnedAway = r;
      });
      const sent = sids.map((sid) =>
        fetch(`${t.base}/webhooks/twilio/status`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature({ ...twilioFixture(), MessageSid: sid, SmsSid: sid }),
          },
          body: new URLSearchParams({ ...twilioFixture(), MessageSid: sid, SmsSid: sid }).toString(),
        }).then((r) => {
          if (r.status === 503 && ++turnedAway === 7) allTurnedAway();
          return { status: r.status, retryAfter: r.headers.get('retry-after') };
        }),
      );
      await released;
      await lock.release();
      replies = await Promise.all(sent);
    } finally {
      await lock.close();
    }
    const busy = replies.filter((r) => r.status === 503);
    const accepted = replies.filter((r) => r.status === 204);
    expect(busy.length).toBe(7);
    expect(busy.every((r) => r.retryAfter === '5')).toBe(true);
    expect(accepted.length).toBe(3);
    const stored = Number((await t.tdb.db('status_callbacks').count({ n: '*' }).first())?.n);
    expect(stored).toBe(accepted.length);
    // a retry once the database is back is accepted
    expect((await postTwilio(t.base, { ...twilioFixture(), MessageSid: sids[9]!, SmsSid: sids[9]! })).status).toBe(204);
  });
});

function signature(params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/status`, params);
}

/** Another connection holds the callbacks table until release(): the database is stalled. */
async function stall(engine: Engine, t: TestApp): Promise<{ release(): Promise<void>; close(): Promise<void> }> {
  if (engine === 'sqlite') {
    const lock = new Database(t.config.sqliteFile);
    lock.pragma('busy_timeout = 5000');
    lock.exec('BEGIN EXCLUSIVE');
    return {
      release: async () => {
        lock.exec('COMMIT');
      },
      close: async () => {
        lock.close();
      },
    };
  }
  const other = knex({ client: 'mysql2', connection: t.config.databaseUrl, pool: { min: 1, max: 1 } });
  const conn = await other.client.acquireConnection();
  await other.raw('LOCK TABLES status_callbacks WRITE').connection(conn);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await other.raw('UNLOCK TABLES').connection(conn);
  };
  return {
    release,
    close: async () => {
      await release();
      await other.client.releaseConnection(conn);
      await other.destroy();
    },
  };
}
