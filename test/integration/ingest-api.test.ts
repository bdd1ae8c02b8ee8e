import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, truncateAll } from '../helpers/databases';
import {
  getJson,
  INGEST_TOKEN,
  message,
  postJson,
  postTwilio,
  startTestApp,
  twilioFixture,
  type TestApp,
} from '../helpers/app';
import { expectCountsMatchMessages, messageState, tableCounts } from '../helpers/state';

describe.each(ENGINES)('ingestion over HTTP (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await truncateAll(t.tdb.db);
  });

  describe('POST /api/v1/messages', () => {
    it('stores a batch and answers with what it did; re-sending it changes nothing', async () => {
      const batch = {
        messages: [
          message(),
          message({
            provider_message_id: 'SM2',
            to: '+13035550124',
            type: 'mms',
            segments: undefined,
            carrier: 'AT&T',
          }),
        ],
      };
      expect(await postJson(t.base, '/api/v1/messages', batch)).toEqual({
        status: 200,
        body: { received: 2, inserted: 2, updated: 0, unchanged: 0 },
      });
      const before = await tableCounts(t.tdb.db);
      expect(before).toMatchObject({ accounts: 1, campaigns: 1, subscribers: 2, messages: 2 });
      expect(await postJson(t.base, '/api/v1/messages', batch)).toEqual({
        status: 200,
        body: { received: 2, inserted: 0, updated: 0, unchanged: 2 },
      });
      expect(await tableCounts(t.tdb.db)).toEqual(before);
      expect(await messageState(t.tdb.db, 'SM2')).toEqual({ status: 'queued', segments: 1, error_code: null });
      await expectCountsMatchMessages(t.tdb.db);
    });

    it('computes segments from the body when none are given', async () => {
      const body = 'Black Friday: 20% off everything in store today only — see you soon!'; // the em dash makes it UCS-2
      await postJson(t.base, '/api/v1/messages', { messages: [message({ segments: undefined, body: body + body })] });
      expect(await messageState(t.tdb.db, 'SM1342fe1b2c904d1ab04f0fc7a58abca9')).toMatchObject({ segments: 3 });
    });

    it('refuses a batch with bad records, naming each record and field, and writes nothing', async () => {
      const res = await postJson(t.base, '/api/v1/messages', {
        messages: [
          message(),
          message({ provider_message_id: 'SM3', to: '3035550123' }),
          message({ provider_message_id: 'SM4', status: 'lost', colour: 'red' }),
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.records).toEqual([1, 2]);
      expect(res.body.details).toEqual([
        { path: 'messages[1].to', message: 'must be an E.164 phone number like +13035550123' },
        { path: 'messages[2].status', message: expect.stringContaining('Invalid option: expected one of "queued"|') },
        { path: 'messages[2].colour', message: 'is not a known field' },
      ]);
      expect(await tableCounts(t.tdb.db)).toMatchObject({ accounts: 0, messages: 0, counts_hourly: 0 });
    });

    it('refuses a batch over 1000 records', async () => {
      const messages = Array.from({ length: 1001 }, (_, i) => message({ provider_message_id: `SM${i}` }));
      const res = await postJson(t.base, '/api/v1/messages', { messages });
      expect(res).toEqual({
        status: 400,
        body: {
          error: 'invalid request: nothing was written',
          details: [{ path: 'messages', message: 'must hold at most 1000 records per batch' }],
        },
      });
      expect((await tableCounts(t.tdb.db)).messages).toBe(0);
    });

    it('refuses a campaign that belongs to another account, and writes nothing of the batch', async () => {
      await postJson(t.base, '/api/v1/messages', { messages: [message()] });
      const res = await postJson(t.base, '/api/v1/messages', {
        messages: [
          message({ provider_message_id: 'SM9', account_id: 'acct_1' }),
          message({ provider_message_id: 'SM10', account_id: 'acct_2' }),
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        { path: 'messages[1].campaign_id', message: 'campaign cmp_42 belongs to account acct_1, not acct_2' },
      ]);
      expect(await tableCounts(t.tdb.db)).toMatchObject({ accounts: 1, messages: 1 });
    });

    it('refuses wrong or missing tokens and broken JSON', async () => {
      const batch = { messages: [message()] };
      expect(await postJson(t.base, '/api/v1/messages', batch, 'wrong-token-wrong-token')).toEqual({
        status: 401,
        body: { error: 'invalid bearer token' },
      });
      expect(await postJson(t.base, '/api/v1/messages', batch, null)).toEqual({
        status: 401,
        body: { error: 'missing bearer token: send Authorization: Bearer <INGEST_API_TOKEN>' },
      });
      const plain = await fetch(`${t.base}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'text/plain' },
        body: 'hello',
      });
      expect([plain.status, await plain.json()]).toEqual([
        415,
        { error: 'send the body as JSON (Content-Type: application/json)' },
      ]);
      const broken = await postJson(t.base, '/api/v1/messages', '{"messages": [');
      expect(broken.status).toBe(400);
      expect(broken.body.error).toMatch(/^the body is not valid JSON/);
      expect((await tableCounts(t.tdb.db)).messages).toBe(0);
    });
  });

  describe('POST /webhooks/twilio/status', () => {
    const sid = 'SM1342fe1b2c904d1ab04f0fc7a58abca9';

    it('applies the shared fixture callback (undelivered 30007) to its message', async () => {
      await postJson(t.base, '/api/v1/messages', { messages: [message()] });
      expect((await postTwilio(t.base, twilioFixture())).status).toBe(204);
      expect(await messageState(t.tdb.db, sid)).toEqual({ status: 'undelivered', segments: 2, error_code: 30007 });
      await expectCountsMatchMessages(t.tdb.db);
    });

    it('refuses a wrong signature, a missing one and a token of another account, writing nothing', async () => {
      await postJson(t.base, '/api/v1/messages', { messages: [message()] });
      const params = twilioFixture();
      expect(await postTwilio(t.base, params, { signature: 'bm90IGEgc2lnbmF0dXJl' })).toEqual({
        status: 403,
        body: { error: 'X-Twilio-Signature does not match this request' },
      });
      expect(await postTwilio(t.base, params, { signature: null })).toEqual({
        status: 403,
        body: { error: 'missing X-Twilio-Signature' },
      });
      expect((await postTwilio(t.base, params, { token: 'another-accounts-token-000000000' })).status).toBe(403);
      expect(
        await postTwilio(
          t.base,
          { ...params, ErrorCode: '30003' },
          {
            signature: (await import('twilio')).default.getExpectedTwilioSignature(
              '12345678901234567890123456789012',
              'https://stats.example.com/webhooks/twilio/status',
              params,
            ),
          },
        ),
      ).toMatchObject({ status: 403 });
      expect(await tableCounts(t.tdb.db)).toMatchObject({ status_callbacks: 0 });
      expect(await messageState(t.tdb.db, sid)).toMatchObject({ status: 'queued' });
    });

    it('ends in the right status whatever the order and repetition of callbacks', async () => {
      await postJson(t.base, '/api/v1/messages', { messages: [message()] });
      for (const status of ['delivered', 'sent', 'delivered', 'sending', 'sent']) {
        expect((await postTwilio(t.base, { MessageSid: sid, MessageStatus: status })).status).toBe(204);
      }
      expect(await messageState(t.tdb.db, sid)).toEqual({
        status: 'delivered_confirmed',
        segments: 2,
        error_code: null,
      });
      expect((await tableCounts(t.tdb.db)).status_callbacks).toBe(5);
      await expectCountsMatchMessages(t.tdb.db);
    });

    it('keeps a callback that arrives before its message and applies it when the message arrives', async () => {
      expect(
        (
          await postTwilio(t.base, {
            MessageSid: sid,
            MessageStatus: 'undelivered',
            ErrorCode: '30003',
            NumSegments: '3',
          })
        ).status,
      ).toBe(204);
      expect(await tableCounts(t.tdb.db)).toMatchObject({ messages: 0, status_callbacks: 1 });
      await postJson(t.base, '/api/v1/messages', { messages: [message()] });
      expect(await messageState(t.tdb.db, sid)).toEqual({ status: 'unreachable', segments: 3, error_code: 30003 });
      await expectCountsMatchMessages(t.tdb.db);
    });

    it('keeps a callback with a status it does not know without moving the message', async () => {
      await postJson(t.base, '/api/v1/messages', { messages: [message()] });
      expect((await postTwilio(t.base, { MessageSid: sid, MessageStatus: 'teleported' })).status).toBe(204);
      expect(await tableCounts(t.tdb.db)).toMatchObject({ status_callbacks: 1 });
      expect(await messageState(t.tdb.db, sid)).toMatchObject({ status: 'queued' });
    });

    it('refuses a signed callback without a message SID', async () => {
      const res = await postTwilio(t.base, { MessageStatus: 'sent' });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        { path: 'MessageSid', message: 'Invalid input: expected string, received undefined' },
      ]);
    });
  });

  describe('subscription events and the unsubscribe feed', () => {
    it('records STOPs and re-subscribes, and pages through them oldest first', async () => {
      const events = [
        {
          account_id: 'acct_1',
          phone: '+13035550123',
          event: 'unsubscribed',
          reason: 'stop',
          at: '2026-11-27T15:00:00Z',
        },
        {
          account_id: 'acct_1',
          phone: '+13035550124',
          event: 'unsubscribed',
          reason: 'manual',
          at: '2026-11-27T16:00:00Z',
        },
        {
          account_id: 'acct_1',
          phone: '+13035550123',
          event: 'subscribed',
          reason: 'stop',
          at: '2026-11-27T17:00:00Z',
        },
      ];
      expect(await postJson(t.base, '/api/v1/subscription-events', { events })).toEqual({
        status: 200,
        body: { received: 3, recorded: 3 },
      });
      expect(await postJson(t.base, '/api/v1/subscription-events', { events })).toEqual({
        status: 200,
        body: { received: 3, recorded: 0 },
      });
      const page1 = await getJson(t.base, '/api/v1/unsubscribes?limit=2');
      expect(page1.body.unsubscribes).toEqual([
        {
          event_id: expect.stringMatching(/^\d+$/),
          account_id: 'acct_1',
          phone: '+13035550123',
          event: 'unsubscribed',
          reason: 'stop',
          at: '2026-11-27T15:00:00.000Z',
        },
        {
          event_id: expect.stringMatching(/^\d+$/),
          account_id: 'acct_1',
          phone: '+13035550124',
          event: 'unsubscribed',
          reason: 'manual',
          at: '2026-11-27T16:00:00.000Z',
        },
      ]);
      expect(page1.body.has_more).toBe(true);
      const page2 = await getJson(t.base, `/api/v1/unsubscribes?since=${page1.body.next_cursor}&limit=2`);
      expect(page2.body.unsubscribes.map((u: any) => u.event)).toEqual(['subscribed']);
      const page3 = await getJson(t.base, `/api/v1/unsubscribes?since=${page2.body.next_cursor}`);
      expect(page3.body).toEqual({ unsubscribes: [], next_cursor: page2.body.next_cursor, has_more: false });
      const subs = await t.tdb.db('subscribers').select('phone', 'subscribed', 'unsubscribe_reason').orderBy('phone');
      expect(subs.map((s) => [s.phone, Boolean(s.subscribed), s.unsubscribe_reason])).toEqual([
        ['+13035550123', true, null],
        ['+13035550124', false, 'manual'],
      ]);
    });

    it('refuses a bad cursor and a bad event', async () => {
      expect((await getJson(t.base, '/api/v1/unsubscribes?since=abc')).status).toBe(400);
      const res = await postJson(t.base, '/api/v1/subscription-events', {
        events: [{ account_id: 'acct_1', phone: '+13035550123', event: 'paused', reason: 'stop', at: 'yesterday' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: any) => d.path)).toEqual(['events[0].event', 'events[0].at']);
      expect((await tableCounts(t.tdb.db)).subscription_events).toBe(0);
    });
  });

  it('answers health and readiness', async () => {
    expect(await getJson(t.base, '/healthz', null)).toEqual({ status: 200, body: { ok: true } });
    expect(await getJson(t.base, '/readyz', null)).toEqual({ status: 200, body: { ok: true } });
  });
});

describe('with no tokens configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { INGEST_API_TOKEN: '', TWILIO_AUTH_TOKEN: '' });
  });
  afterAll(async () => {
    await t?.stop();
  });
  it('refuses everything on /api/v1 and the Twilio route', async () => {
    expect(await postJson(t.base, '/api/v1/messages', { messages: [message()] }, 'anything-at-all-here')).toEqual({
      status: 403,
      body: { error: 'the ingest API is disabled: INGEST_API_TOKEN is not set on the server' },
    });
    expect((await getJson(t.base, '/api/v1/unsubscribes')).status).toBe(403);
    expect((await postTwilio(t.base, twilioFixture())).status).toBe(403);
    expect((await tableCounts(t.tdb.db)).messages).toBe(0);
  });
});
