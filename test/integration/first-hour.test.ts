import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createTestDatabase } from '../helpers/databases';
import { freePort } from '../helpers/ports';

/** What a new operator meets in the first hour (issue 15): each defect found, pinned by a test. */
const BIN = path.resolve(__dirname, '../../bin/campaign-stats.js');
const NOW = new Date('2026-11-28T15:30:00Z');

function run(args: string[], env: Record<string, string>, cwd?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the first hour', () => {
  it('a second server on a busy port says so and exits (no stack trace, no hang)', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-busy-'));
    try {
      const r = await run(['serve'], {
        DATA_DIR: dir,
        PORT: String(port),
        HOST: '127.0.0.1',
        SLACK_BOT_TOKEN: 'xoxb-busy-port-test',
        SLACK_SIGNING_SECRET: 'busy-port-signing-secret',
        LOG_LEVEL: 'error',
      });
      expect(r.code).toBe(69);
      expect(r.stderr.trim()).toBe(
        `campaign-stats serve: port ${port} is already in use (another campaign-stats, or another server). Stop it, or start this one on a free port: PORT=3001 npm start`,
      );
    } finally {
      busy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays up when Slack cannot be reached at start (single workspace)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-noslack-'));
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dir,
        PORT: String(port),
        HOST: '127.0.0.1',
        SLACK_BOT_TOKEN: 'xoxb-no-slack-at-start',
        SLACK_SIGNING_SECRET: 'no-slack-signing-secret',
        SLACK_API_URL: 'http://127.0.0.1:9/api/', // nothing listens there
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    let exited: number | null = null;
    child.on('exit', (code) => (exited = code ?? -1));
    try {
      let ready = false;
      for (let i = 0; i < 60 && !ready; i++) {
        await new Promise((r) => setTimeout(r, 250));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      }
      expect(ready).toBe(true);
      await new Promise((r) => setTimeout(r, 2000)); // Bolt's auth.test at start would have failed by now
      expect(exited).toBe(null);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (exited === null ? child.once('exit', r) : r(null)));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs a line per request at the default level (info), health checks only at debug', async () => {
    const tdb = await createTestDatabase('sqlite');
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = loadConfig({ ...tdb.env, PORT: '0', INGEST_API_TOKEN: 'first-hour-ingest-token' });
    const app = await startApp(config, createLogger('info', sink), {
      clock: fixedClock(NOW),
      db: tdb.db,
      host: '127.0.0.1',
      scheduler: false,
    });
    try {
      const base = `http://127.0.0.1:${app.port}`;
      await fetch(`${base}/healthz`);
      await fetch(`${base}/api/v1/unsubscribes`, { headers: { authorization: 'Bearer first-hour-ingest-token' } });
      await new Promise((r) => setTimeout(r, 50));
      expect(
        lines.filter((l) => l.msg === 'request').map((l) => [l.level, l.method, l.path, l.status, typeof l.request_id]),
      ).toEqual([['info', 'GET', '/api/v1/unsubscribes', 200, 'string']]);
    } finally {
      await app.stop();
      await tdb.drop();
    }
  });
});
