import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/databases';
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
  it('is throttled per client address: 429 with Retry-After past 20 failures a minute, the right token then too', async () => {
    const t = await startTestApp('sqlite');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++)
        statuses.push((await getJson(t.base, '/api/v1/unsubscribes', 'not-the-token')).status);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
      const blocked = await fetch(`${t.base}/api/v1/unsubscribes`, {
        headers: { authorization: `Bearer ${INGEST_TOKEN}` },
      });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await t.stop();
    }
  });
});
