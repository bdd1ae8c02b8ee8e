import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/db/migrate';
import fs from 'node:fs';
import path from 'node:path';
import { INGEST_TOKEN, message, startTestApp } from '../helpers/app';
import { tableCounts } from '../helpers/state';
import { postSlack, slackHeaders } from '../helpers/slack';
import { TEST_NOW, TEST_NOW_ISO } from '../helpers/now';
import { freePort } from '../helpers/ports';

describe('lifecycle', () => {
  it('lists every migration file, in order, and nothing else', () => {
    const files = fs
      .readdirSync(path.resolve(__dirname, '../../migrations'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map(([name]) => name)).toEqual(files);
    for (const f of files) expect(f).toMatch(/^\d{14}_[a-z0-9-]+$/);
  });

  it('on stop, finishes the request in flight (and commits it) but takes no new ones', async () => {
    const t = await startTestApp('sqlite');
    const body = JSON.stringify({ messages: [message()] });
    const port = Number(new URL(t.base).port);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/messages',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${INGEST_TOKEN}`,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10)); // the request is in flight: half its body sent
      setTimeout(() => req.end(body.slice(10)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = t.app.stop();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${t.base}/healthz`)).rejects.toThrow(); // no new connections
    expect(await response).toEqual({
      status: 200,
      text: JSON.stringify({ received: 1, inserted: 1, updated: 0, unchanged: 0 }),
    });
    await stopped;
    // the database handle was the test's, so it is still open to check the commit
    expect((await tableCounts(t.tdb.db)).messages).toBe(1);
    await t.tdb.drop();
  });

  it('ends within its drain timeout on SIGTERM while Slack is unreachable (a Slack call still retrying)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-sigterm-'));
    const port = await freePort();
    const secret = 'sigterm-signing-secret-0123456789';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FIXED_NOW: TEST_NOW_ISO,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SLACK_BOT_TOKEN: 'xoxb-unreachable',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: 'http://127.0.0.1:9/api/', // nothing listens there
      INGEST_API_TOKEN: 'sigterm-ingest-token-0123',
      CHART_RENDERER: 'upload',
      SHUTDOWN_TIMEOUT: '3',
      RUN_SCHEDULER: 'false',
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/campaign-stats.js'), 'serve'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (
        let i = 0;
        i < 200 &&
        !(await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      const m = message({ sent_at: new Date(TEST_NOW.getTime() - 86400_000).toISOString() });
      const ingested = await fetch(`${base}/api/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sigterm-ingest-token-0123' },
        body: JSON.stringify({ messages: [m] }),
      });
      expect(ingested.status).toBe(200);
      // a slash command whose answer needs Slack (auth, the chart upload): retries against nothing
      const body = new URLSearchParams({
        team_id: 'T1',
        channel_id: 'C1',
        user_id: 'U1',
        command: '/campaign-stats',
        text: '30d',
        response_url: 'http://127.0.0.1:9/r',
        trigger_id: 't',
        api_app_id: 'A1',
      }).toString();
      await postSlack(base, body, slackHeaders(body, { secret }));
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      const took = Date.now() - started;
      expect(code).toBe(0);
      expect(took, stderr).toBeLessThan(3000 + 2000); // the drain timeout, and a margin for a loaded machine
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
