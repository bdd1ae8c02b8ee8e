import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { refusalLog } from '../../src/http/twilio-webhook';
import { ENGINES, truncateAll } from '../helpers/databases';
import { message, postJson, PUBLIC_BASE_URL, startTestApp, twilioFixture, type TestApp } from '../helpers/app';
import { messageState, tableCounts } from '../helpers/state';

/**
 * Real Twilio traffic, signed by the official `twilio` package as Twilio signs it: SharedKey
 * (HMAC-SHA256) signatures, one auth token per subaccount, the callback URL with a trailing
 * slash or a query string, and message ids the ingest API and the webhook agree on.
 */
const SUB_A = `AC${'a'.repeat(32)}`;
const SUB_B = `AC${'b'.repeat(32)}`;
const TOKEN_A = 'subaccount-a-token-0123456789abcd';
const TOKEN_B = 'subaccount-b-token-0123456789abcd';
const SHARED = 'shared-key-secret-0123456789abcdef';
const SID = 'SM1342fe1b2c904d1ab04f0fc7a58abca9';

async function post(base: string, route: string, params: Record<string, string>, headers: Record<string, string>) {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

describe.each(ENGINES)('Twilio status callbacks as Twilio sends them (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, {
      TWILIO_AUTH_TOKENS: `${SUB_A}=${TOKEN_A},${SUB_B}=${TOKEN_B}`,
      TWILIO_WEBHOOK_SHARED_KEY: SHARED,
    });
  });
  afterAll(async () => t?.stop());
  beforeEach(async () => {
    await truncateAll(t.tdb.db);
    expect((await postJson(t.base, '/api/v1/messages', { messages: [message()] })).status).toBe(200);
  });

  it('accepts a SharedKey (HMAC-SHA256) signature when TWILIO_WEBHOOK_SHARED_KEY is set', async () => {
    const params = twilioFixture();
    const url = `${PUBLIC_BASE_URL}/webhooks/twilio/status`;
    const signature = twilio.getExpectedTwilioSignature(SHARED, url, params, 'HMAC_SHA256');
    const settings = 'key=webhooks_sharedkey_0123,algorithm=HMAC_SHA256';
    const ok = await post(t.base, '/webhooks/twilio/status', params, {
      'x-twilio-signature': signature,
      'x-twilio-webhooks-signature-settings': settings,
    });
    expect(ok.status).toBe(204);
    expect(await messageState(t.tdb.db, SID)).toMatchObject({ status: 'undelivered', error_code: 30007 });
    // the auth token's signature under a SharedKey header, or SHA-1 with the shared key: refused
    const wrong = await post(t.base, '/webhooks/twilio/status', params, {
      'x-twilio-signature': twilio.getExpectedTwilioSignature(SHARED, url, params),
      'x-twilio-webhooks-signature-settings': settings,
    });
    expect(wrong).toEqual({ status: 403, body: { error: 'X-Twilio-Signature does not match this request' } });
  });

  it('checks each subaccount’s callback with its own auth token (TWILIO_AUTH_TOKENS)', async () => {
    const url = `${PUBLIC_BASE_URL}/webhooks/twilio/status`;
    const a = { ...twilioFixture(), AccountSid: SUB_A };
    const b = { ...twilioFixture(), AccountSid: SUB_B, MessageStatus: 'delivered', ErrorCode: '' };
    expect(
      (
        await post(t.base, '/webhooks/twilio/status', a, {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN_A, url, a),
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await post(t.base, '/webhooks/twilio/status', b, {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN_B, url, b),
        })
      ).status,
    ).toBe(204);
    // B's callback signed with A's token is refused
    const forged = { ...b, MessageStatus: 'failed' };
    expect(
      (
        await post(t.base, '/webhooks/twilio/status', forged, {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN_A, url, forged),
        })
      ).status,
    ).toBe(403);
    expect(await tableCounts(t.tdb.db)).toMatchObject({ status_callbacks: 2 });
  });

  it('takes the callback URL with a trailing slash and with a query string', async () => {
    const params = { ...twilioFixture(), AccountSid: SUB_A };
    for (const route of ['/webhooks/twilio/status/', '/webhooks/twilio/status?merchant=acct_1&v=2']) {
      const signature = twilio.getExpectedTwilioSignature(TOKEN_A, `${PUBLIC_BASE_URL}${route}`, params);
      expect((await post(t.base, route, params, { 'x-twilio-signature': signature })).status, route).toBe(204);
    }
    expect(await tableCounts(t.tdb.db)).toMatchObject({ status_callbacks: 2 });
  });

  it('agrees with the ingest API on what a message id is', async () => {
    const bad = 'SM 1342fe1b';
    const ingest = await postJson(t.base, '/api/v1/messages', { messages: [message({ provider_message_id: bad })] });
    expect(ingest.status).toBe(400);
    expect(ingest.body.details).toEqual([
      {
        path: 'messages[0].provider_message_id',
        message: 'must be 1 to 64 letters, digits, ".", "_", ":" or "-" (a provider message id such as a Twilio SID)',
      },
    ]);
    const params = { ...twilioFixture(), MessageSid: bad, AccountSid: SUB_A };
    const url = `${PUBLIC_BASE_URL}/webhooks/twilio/status`;
    const hook = await post(t.base, '/webhooks/twilio/status', params, {
      'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN_A, url, params),
    });
    expect(hook.status).toBe(400);
    expect(hook.body.details[0].message).toBe(ingest.body.details[0].message);
    // and an id both accept (another provider's) goes through both
    const other = 'msg_01HF3Z-9.x:1';
    expect(
      (
        await postJson(t.base, '/api/v1/messages', {
          messages: [message({ provider_message_id: other, to: '+13035550199' })],
        })
      ).status,
    ).toBe(200);
    const ok = { ...twilioFixture(), MessageSid: other, AccountSid: SUB_A };
    expect(
      (
        await post(t.base, '/webhooks/twilio/status', ok, {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN_A, url, ok),
        })
      ).status,
    ).toBe(204);
  });
});

describe.each(ENGINES)('hostile callbacks and records (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { TWILIO_AUTH_TOKENS: `${SUB_A}=${TOKEN_A}` });
  });
  afterAll(async () => t?.stop());

  it('bounds every callback field at parse time, and looks statuses up in its own table only', async () => {
    await truncateAll(t.tdb.db);
    expect((await postJson(t.base, '/api/v1/messages', { messages: [message()] })).status).toBe(200);
    const url = `${PUBLIC_BASE_URL}/webhooks/twilio/status`;
    const send = (extra: Record<string, string>) => {
      const p = { ...twilioFixture(), AccountSid: SUB_A, ...extra };
      return post(t.base, '/webhooks/twilio/status', p, {
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN_A, url, p),
      });
    };
    expect((await send({ ErrorCode: '99999999999' })).body.details).toEqual([
      { path: 'ErrorCode', message: 'must be a number of at most 9 digits' },
    ]);
    expect((await send({ NumSegments: '4294967296' })).body.details).toEqual([
      { path: 'NumSegments', message: 'must be a number from 1 to 9999' },
    ]);
    // a status that names a property of a plain object is unknown: kept raw, the status unchanged
    expect((await send({ MessageStatus: 'constructor', ErrorCode: '' })).status).toBe(204);
    expect((await send({ MessageStatus: '__proto__', ErrorCode: '' })).status).toBe(204);
    expect(await messageState(t.tdb.db, SID)).toMatchObject({ status: 'queued' });
  });

  it('refuses an error_code past 2^31 and a year past 9999 at ingestion with 400, naming the field', async () => {
    const big = await postJson(t.base, '/api/v1/messages', { messages: [message({ error_code: 2 ** 31 })] });
    expect([big.status, big.body.details]).toEqual([
      400,
      [{ path: 'messages[0].error_code', message: 'must be at most 2147483647' }],
    ]);
    const far = await postJson(t.base, '/api/v1/messages', {
      messages: [message({ sent_at: '+010000-01-01T00:00:00Z' })],
    });
    expect(far.status).toBe(400);
    expect(far.body.details[0].path).toBe('messages[0].sent_at');
    const later = await postJson(t.base, '/api/v1/messages', {
      messages: [message({ sent_at: '9999-12-31T23:00:00Z', provider_message_id: 'SM9' })],
    });
    expect(later.status).toBe(200);
  });
});

describe('a refused callback is logged with the URL it was checked against, at most once an interval', () => {
  it('logs one warn line, then counts what it left out', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => lines.push(s) });
    const refused = refusalLog(logger, 60_000);
    for (let i = 0; i < 500; i++)
      refused(
        'X-Twilio-Signature does not match (checked with TWILIO_AUTH_TOKEN)',
        'http://localhost:3000/webhooks/twilio/status',
      );
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'Twilio callback refused',
      checked_url: 'http://localhost:3000/webhooks/twilio/status',
      reason: 'X-Twilio-Signature does not match (checked with TWILIO_AUTH_TOKEN)',
    });
    expect(line.hint).toContain('PUBLIC_BASE_URL');
  });
});
