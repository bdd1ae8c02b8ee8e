import Database from 'better-sqlite3';
import twilio from 'twilio';
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

/**
 * With the database stalled (another connection holds an exclusive lock), callbacks wait in
 * memory; past CALLBACKS_MAX_IN_FLIGHT the webhook answers 503 with Retry-After (Twilio
 * retries), and every callback answered 204 is stored once the database is back.
 */
describe('back-pressure on status callbacks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { CALLBACKS_MAX_IN_FLIGHT: '3' });
  });
  afterAll(async () => t?.stop());

  it('answers 503 + Retry-After past the bound while the database is stalled, and loses nothing it accepted', async () => {
    const sids = Array.from({ length: 10 }, (_, i) => `SM${String(i).padStart(32, '0')}`);
    const messages = sids.map((sid, i) => message({ provider_message_id: sid, to: `+1303555${1000 + i}` }));
    expect((await postJson(t.base, '/api/v1/messages', { messages })).status).toBe(200);
    const lock = new Database(t.config.sqliteFile);
    lock.pragma('busy_timeout = 5000');
    lock.exec('BEGIN EXCLUSIVE');
    let replies: Array<{ status: number; retryAfter: string | null }>;
    try {
      const sent = sids.map((sid) =>
        fetch(`${t.base}/webhooks/twilio/status`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature({ ...twilioFixture(), MessageSid: sid, SmsSid: sid }),
          },
          body: new URLSearchParams({ ...twilioFixture(), MessageSid: sid, SmsSid: sid }).toString(),
        }).then((r) => ({ status: r.status, retryAfter: r.headers.get('retry-after') })),
      );
      await new Promise((r) => setTimeout(r, 600)); // the first ones are waiting on the lock
      lock.exec('COMMIT');
      replies = await Promise.all(sent);
    } finally {
      lock.close();
    }
    const busy = replies.filter((r) => r.status === 503);
    const accepted = replies.filter((r) => r.status === 204);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((r) => r.retryAfter === '5')).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(accepted.length + busy.length).toBe(10);
    const stored = Number((await t.tdb.db('status_callbacks').count({ n: '*' }).first())?.n);
    expect(stored).toBe(accepted.length);
    // a retry once the database is back is accepted
    expect((await postTwilio(t.base, { ...twilioFixture(), MessageSid: sids[9]!, SmsSid: sids[9]! })).status).toBe(204);
  });
});

function signature(params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/status`, params);
}
