import fs from 'node:fs';
import path from 'node:path';
import twilio from 'twilio';
import { startApp, type RunningApp } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createTestDatabase, type Engine, type TestDatabase } from './databases';

export const INGEST_TOKEN = 'test-ingest-token-0123456789';
export const TWILIO_TOKEN = '12345678901234567890123456789012';
export const PUBLIC_BASE_URL = 'https://stats.example.com';

export interface TestApp {
  base: string;
  config: Config;
  app: RunningApp;
  tdb: TestDatabase;
  clock: ReturnType<typeof fixedClock>;
  stop: () => Promise<void>;
}

/** The real server on a free port, against a throwaway database of the given engine. */
export async function startTestApp(
  engine: Engine,
  env: Record<string, string> = {},
  now = new Date('2026-11-28T15:30:00Z'),
): Promise<TestApp> {
  const tdb = await createTestDatabase(engine);
  const config = loadConfig({
    ...tdb.env,
    PORT: '0',
    INGEST_API_TOKEN: INGEST_TOKEN,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    PUBLIC_BASE_URL,
    ...env,
  });
  const clock = fixedClock(now);
  const app = await startApp(config, createLogger('silent'), {
    clock,
    db: tdb.db,
    host: '127.0.0.1',
    scheduler: false,
  });
  return {
    base: `http://127.0.0.1:${app.port}`,
    config,
    app,
    tdb,
    clock,
    stop: async () => {
      await app.stop();
      await tdb.drop();
    },
  };
}

export async function postJson(base: string, route: string, body: unknown, token: string | null = INGEST_TOKEN) {
  const res = await fetch(base + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

export async function getJson(base: string, route: string, token: string | null = INGEST_TOKEN) {
  const res = await fetch(base + route, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** Posts a status callback signed exactly as Twilio signs it, with the official package. */
export async function postTwilio(
  base: string,
  params: Record<string, string>,
  opts: { token?: string; signature?: string | null } = {},
) {
  const url = `${PUBLIC_BASE_URL}/webhooks/twilio/status`;
  const signature =
    opts.signature === undefined
      ? twilio.getExpectedTwilioSignature(opts.token ?? TWILIO_TOKEN, url, params)
      : opts.signature;
  const res = await fetch(`${base}/webhooks/twilio/status`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature ? { 'x-twilio-signature': signature } : {}),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** The shared fixture: a real Twilio status callback body. */
export function twilioFixture(): Record<string, string> {
  const text = fs.readFileSync(path.resolve(__dirname, '../fixtures/twilio-status-callback.txt'), 'utf8').trim();
  return Object.fromEntries(new URLSearchParams(text));
}

export function message(overrides: Record<string, unknown> = {}) {
  return {
    provider_message_id: 'SM1342fe1b2c904d1ab04f0fc7a58abca9',
    account_id: 'acct_1',
    account_name: 'Green Leaf Denver',
    campaign_id: 'cmp_42',
    campaign_name: 'Black Friday',
    to: '+13035550123',
    carrier: 'Verizon',
    type: 'sms',
    segments: 2,
    status: 'queued',
    error_code: null,
    sent_at: '2026-11-27T15:00:00Z',
    ...overrides,
  };
}
