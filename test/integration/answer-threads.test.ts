import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { INGEST_TOKEN, message } from '../helpers/app';
import { BOT_TOKEN, postSlack, SIGNING_SECRET, slashCommandBody, waitForCalls } from '../helpers/slack';
import { TEST_NOW, TEST_NOW_ISO } from '../helpers/now';
import { freePort } from '../helpers/ports';

/**
 * The compiled server (bin/, as `npm start` runs it) computes answers in worker threads, off the
 * event loop that answers Twilio (issue 12): the same answer as in the main thread, on both engines.
 */
describe.each(ENGINES)('answers in worker threads, the compiled server (%s)', (engine) => {
  let tdb: TestDatabase;
  let standIn: SlackStandIn;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    standIn = await new SlackStandIn({ token: BOT_TOKEN }).start();
  });
  afterAll(async () => {
    await standIn?.stop();
    await tdb?.drop();
  });

  for (const threads of ['true', 'false']) {
    it(`ANSWER_THREADS=${threads}: answers /campaign-stats with the exact counts`, async () => {
      await truncateAll(tdb.db);
      const port = await freePort();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-threads-'));
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        FIXED_NOW: TEST_NOW_ISO,
        DATA_DIR: dataDir,
        ...tdb.env,
        PORT: String(port),
        LOG_LEVEL: 'info',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standIn.apiUrl,
        INGEST_API_TOKEN: INGEST_TOKEN,
        CHART_RENDERER: 'none',
        RUN_SCHEDULER: 'false',
        ANSWER_THREADS: threads,
      };
      if (engine === 'sqlite') delete env.DATABASE_URL;
      const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/campaign-stats.js'), 'serve'], {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout!.on('data', (c) => (stdout += c));
      const base = `http://127.0.0.1:${port}`;
      try {
        // a child that exits (a port taken after all) fails the test now, not after 60 s
        for (let i = 0; i < 200 && !stdout.includes('"msg":"listening"') && child.exitCode === null; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(child.exitCode, 'the server exited before listening').toBeNull();
        expect(stdout).toContain(`"answerThreads":${threads === 'true' ? 1 : 0}`);
        standIn.reset();
        const sent = new Date(TEST_NOW.getTime() - 2 * 86_400_000).toISOString();
        const messages = [
          message({
            provider_message_id: `SMT${threads}1`.padEnd(34, '0'),
            to: '+13035551001',
            sent_at: sent,
            segments: 2,
          }),
          message({
            provider_message_id: `SMT${threads}2`.padEnd(34, '0'),
            to: '+13035551002',
            sent_at: sent,
            segments: 3,
          }),
        ];
        const ingested = await fetch(`${base}/api/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
          body: JSON.stringify({ messages }),
        });
        expect(ingested.status).toBe(200);
        expect((await postSlack(base, slashCommandBody(standIn, '7d'))).status).toBe(200);
        const [call] = await waitForCalls(standIn, 'response_url', 1, 20_000);
        expect(String(call!.args.text)).toMatch(/^Campaign stats · Last 7 days \(/);
        expect(String(call!.args.text)).toContain(
          ': 5 segments, delivery rate —. Queued 5, Failed 0, Ignored 0, Unreachable 0, Undelivered 0, Delivery (Unconfirmed) 0, Delivery (Confirmed) 0.',
        );
        expect(JSON.stringify(call!.args.blocks)).toContain('*Total Segments: 5* · 2 messages');
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
