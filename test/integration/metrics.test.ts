import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/databases';
import { getJson, message, postJson, postTwilio, startTestApp, twilioFixture, type TestApp } from '../helpers/app';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe.each(ENGINES)('GET /metrics (%s)', (engine) => {
  let off: TestApp;
  let on: TestApp;
  beforeAll(async () => {
    off = await startTestApp(engine);
    on = await startTestApp(engine, { METRICS_TOKEN });
  });
  afterAll(async () => {
    await off?.stop();
    await on?.stop();
  });

  it('answers 404 unless METRICS_TOKEN is set, and 401 without its bearer token', async () => {
    expect((await fetch(`${off.base}/metrics`)).status).toBe(404);
    expect((await fetch(`${on.base}/metrics`)).status).toBe(401);
    expect((await fetch(`${on.base}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('counts callbacks received and refused, ingest records, commit latency, queue depth and open alerts', async () => {
    expect((await postJson(on.base, '/api/v1/messages', { messages: [message()] })).status).toBe(200);
    expect((await postTwilio(on.base, twilioFixture())).status).toBe(204);
    expect((await postTwilio(on.base, twilioFixture(), { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
    const res = await fetch(`${on.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('campaign_stats_callbacks_received_total 2');
    expect(text).toContain('campaign_stats_callbacks_refused_total{reason="signature"} 1');
    expect(text).toContain('campaign_stats_ingest_records_total{route="messages"} 1');
    expect(text).toContain('campaign_stats_callback_commit_seconds_count 1');
    expect(text).toContain('campaign_stats_callback_queue_depth 0');
    expect(text).toContain('# TYPE campaign_stats_open_alerts gauge');
    expect(text).toContain('# TYPE campaign_stats_job_runs_total counter');
    expect(text).toContain('# TYPE campaign_stats_slack_api_errors_total counter');
  });
});

describe('failed authentication', () => {
  it('is throttled per client and credential: 429 past 20 failures a minute; the valid token always passes', async () => {
    const t = await startTestApp('sqlite');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++)
        statuses.push((await getJson(t.base, '/api/v1/unsubscribes', 'not-the-token')).status);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
      const again = await getJson(t.base, '/api/v1/unsubscribes', 'not-the-token');
      expect([again.status, again.body.error]).toEqual([
        429,
        'too many failed authentications from this address; wait and retry',
      ]);
      // someone else's failures from the same address (a load balancer) never lock out the valid token
      expect((await getJson(t.base, '/api/v1/unsubscribes')).status).toBe(200);
      // nor another client's different credential
      expect((await getJson(t.base, '/api/v1/unsubscribes', 'another-wrong-token')).status).toBe(401);
    } finally {
      await t.stop();
    }
  });

  it('sees the client behind TRUST_PROXY hops: one client throttled, another behind the same balancer not', async () => {
    const t = await startTestApp('sqlite', { TRUST_PROXY: '1' });
    try {
      const from = (ip: string) =>
        fetch(`${t.base}/api/v1/unsubscribes`, {
          headers: { authorization: 'Bearer same-wrong-token', 'x-forwarded-for': ip },
        }).then((r) => r.status);
      for (let i = 0; i < 20; i++) expect(await from('203.0.113.7')).toBe(401);
      expect(await from('203.0.113.7')).toBe(429);
      expect(await from('198.51.100.9')).toBe(401);
    } finally {
      await t.stop();
    }
  });
});
