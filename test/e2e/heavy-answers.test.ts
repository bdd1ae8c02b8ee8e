import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatementTimeout } from '../../src/db/dialect';
import { createDb } from '../../src/db/knex';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { message, postJson, postTwilio, startTestApp, type TestApp } from '../helpers/app';
import { ENGINES } from '../helpers/databases';
import { BOT_TOKEN, postSlack, SIGNING_SECRET, slashCommandBody, waitForCalls } from '../helpers/slack';

const sid = (i: number) => `SM${String(i).padStart(32, '0')}`;

/**
 * The heaviest answers a user can ask for (400 days in a half-hour zone) while callbacks flow:
 * every callback is answered 204 and stored, and every answer is either served or told "busy".
 * On MySQL/MariaDB callbacks write through their own pool (WRITE_POOL_SIZE).
 */
describe.each(ENGINES)('a burst of heavy answers while callbacks flow (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;
  beforeAll(async () => {
    standIn = await new SlackStandIn({ token: BOT_TOKEN }).start();
    t = await startTestApp(engine, {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
      CHART_RENDERER: 'none',
      WRITE_POOL_SIZE: '2',
    });
    const messages = Array.from({ length: 60 }, (_, i) =>
      message({
        provider_message_id: sid(i),
        to: `+1303555${1000 + i}`,
        sent_at: new Date(Date.UTC(2026, 0, 1) + i * 5 * 86_400_000 + i * 1_800_000).toISOString(),
      }),
    );
    expect((await postJson(t.base, '/api/v1/messages', { messages })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  it('stores every callback it answers 204 and serves or turns away every answer', async () => {
    standIn.responseDelayMs = 200; // answers hold their places a while
    const answers = Array.from({ length: 8 }, () =>
      postSlack(t.base, slashCommandBody(standIn, '400d tz:Asia/Kolkata')),
    );
    const callbacks = Array.from({ length: 60 }, (_, i) =>
      postTwilio(t.base, { MessageSid: sid(i), SmsSid: sid(i), MessageStatus: 'delivered' }),
    );
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual(Array(8).fill(200));
    expect((await Promise.all(callbacks)).map((r) => r.status)).toEqual(Array(60).fill(204));
    const stored = await t.tdb.db('status_callbacks').count({ n: '*' }).first();
    expect(Number(stored?.n)).toBe(60);
    const texts = (await waitForCalls(standIn, 'response_url', 8)).map((c) => String(c.args.text));
    const served = texts.filter((x) => x.startsWith('Campaign stats · Last 400 days'));
    const busy = texts.filter((x) => x.startsWith('Busy: this workspace already has several answers being computed.'));
    expect(served.length + busy.length).toBe(8);
    expect(served.length).toBeGreaterThanOrEqual(4); // ANSWERS_PER_WORKSPACE
    standIn.responseDelayMs = 0;
  });
});

// A statement timeout is a MySQL/MariaDB server setting; SQLite has no equivalent (it reads one
// query at a time on one connection, and answers are bounded in queries instead).
describe('STATEMENT_TIMEOUT on the read pool (mariadb)', () => {
  const url = `${(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '')}/mysql`;
  const config = { databaseUrl: url, dataDir: '/nonexistent', sqliteFile: '/nonexistent/x.sqlite' };

  it('stops a read past the timeout with the server’s own error, and leaves an unbounded pool alone', async () => {
    const reads = createDb(config, { statementTimeout: 1 });
    const writes = createDb(config);
    try {
      const stopped = await reads.raw('SELECT SLEEP(3) AS s').catch((e: unknown) => e);
      expect(String(stopped)).toMatch(/max_statement_time exceeded/);
      expect(isStatementTimeout(stopped)).toBe(true);
      expect(isStatementTimeout(await reads.raw('SELECT nope').catch((e: unknown) => e))).toBe(false);
      expect((await writes.raw('SELECT SLEEP(1.2) AS s'))[0][0].s).toBe(0);
    } finally {
      await reads.destroy();
      await writes.destroy();
    }
  });
});
