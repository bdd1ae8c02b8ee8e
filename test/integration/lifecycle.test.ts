import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/db/migrate';
import fs from 'node:fs';
import path from 'node:path';
import { INGEST_TOKEN, message, startTestApp } from '../helpers/app';
import { tableCounts } from '../helpers/state';

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
});
