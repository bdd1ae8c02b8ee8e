import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli';
import { fixedClock } from '../../src/clock';
import { applyCallbacks, ingestMessages } from '../../src/ingest/ingest.service';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { message } from '../helpers/app';
import { tableCounts } from '../helpers/state';

const NOW = new Date('2026-11-28T15:30:00Z');

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, env, { out: (s) => out.push(s), err: (s) => err.push(s) }, fixedClock(NOW));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.each(ENGINES)('the campaign-stats CLI (%s)', (engine) => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-cli-'));
    const m = (i: number, o: Record<string, unknown>) =>
      message({ provider_message_id: `SM${i}`, to: `+1303555${1000 + i}`, ...o }) as any;
    await ingestMessages(
      tdb.db,
      [
        m(1, { type: 'mms', segments: 3, carrier: 'Verizon', sent_at: '2026-11-20T18:00:00Z' }),
        m(2, { type: 'mms', segments: undefined, carrier: 'Verizon', sent_at: '2026-11-20T18:00:05Z' }),
        m(3, { type: 'mms', segments: 2, carrier: 'AT&T', sent_at: '2026-11-21T18:00:00Z' }),
        m(4, { type: 'sms', segments: 1, carrier: 'Verizon', sent_at: '2026-11-21T18:00:00Z' }),
        m(5, { type: 'mms', segments: 1, carrier: 'Verizon', sent_at: '2026-10-01T18:00:00Z', status: 'ignored' }),
      ],
      { now: NOW, mmsSegments: 1 },
    );
    const cb = (i: number, s: string, code: number | null, mapped: any) => ({
      provider: 'twilio',
      providerMessageId: `SM${i}`,
      providerStatus: s,
      mappedStatus: mapped,
      errorCode: code,
      numSegments: null,
      payload: '{}',
      receivedAt: NOW,
    });
    await applyCallbacks(
      tdb.db,
      [
        cb(1, 'delivered', null, 'delivered_confirmed'),
        cb(2, 'sent', null, 'delivered_unconfirmed'),
        cb(3, 'undelivered', 30007, 'undelivered'),
      ],
      NOW,
    );
  });
  afterAll(async () => {
    await tdb?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stats 30d mms --json prints the exact breakdown of DESIGN §5', async () => {
    const r = await cli(['stats', '30d', 'mms', 'tz:America/Denver', '--json'], tdb.env);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.period).toEqual({
      start: '2026-10-30T00:00:00-06:00',
      end: '2026-11-29T00:00:00-07:00',
      timezone: 'America/Denver',
      label: '30d',
    });
    expect(json.filters).toEqual({ type: 'mms', carrier: null, campaign: null, account: null });
    expect(json.totals).toEqual({ segments: 6, messages: 3 });
    expect(json.statuses).toEqual({
      queued: { segments: 0, messages: 0 },
      failed: { segments: 0, messages: 0 },
      ignored: { segments: 0, messages: 0 },
      unreachable: { segments: 0, messages: 0 },
      undelivered: { segments: 2, messages: 1 },
      delivered_unconfirmed: { segments: 1, messages: 1 },
      delivered_confirmed: { segments: 3, messages: 1 },
    });
    expect(json.rates).toEqual({ delivery: 4 / 6, undelivered: 2 / 6, unreachable: 0, failed: 0 });
    expect(json.provisional).toBe(true); // it runs up to today
    expect(json.carriers.map((c: any) => [c.carrier, c.totals.segments])).toEqual([
      ['Verizon', 4],
      ['AT&T', 2],
    ]);
    expect(json.series.find((d: any) => d.date === '2026-11-20').totals).toEqual({ segments: 4, messages: 2 });
  });

  it('stats prints a table with every status', async () => {
    const r = await cli(['stats', '30d', 'mms'], tdb.env);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Delivery (Confirmed)           3   50.0%         1');
    expect(r.out).toContain('Total Segments                 6  100.0%         3');
  });

  it('names words it does not understand and prints no stats', async () => {
    const r = await cli(['stats', '30d', 'carrier:verison', 'wat'], tdb.env);
    expect(r).toEqual({
      code: 2,
      out: '',
      err: 'no carrier called "verison" has sent us anything. Did you mean "Verizon"?\nI don\'t understand "wat".',
    });
  });

  it('imports NDJSON and CSV, and refuses a file with bad lines naming each, importing nothing', async () => {
    const before = await tableCounts(tdb.db);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(
      bad,
      [
        'provider_message_id,account_id,campaign_id,to,carrier,type,segments,status,sent_at',
        'SM100,acct_1,cmp_42,+13035559000,Verizon,sms,1,queued,2026-11-27T15:00:00Z',
        'SM101,acct_1,cmp_42,+13035559001,Verizon,sms,two,queued,2026-11-27T15:00:00Z',
        'SM102,acct_1,cmp_42,+13035559002,Verizon,sms,1,queued',
        'SM103,acct_1,cmp_42,+13035559003,Verizon,fax,1,queued,2026-11-27T15:00:00Z',
      ].join('\n'),
    );
    const r = await cli(['import', bad], tdb.env);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${bad}:3: segments: must be a whole number, got "two"`,
      `${bad}:4: (line): malformed CSV: Invalid Record Length: columns length is 9, got 8 on line 4`,
      `${bad}:5: type: Invalid option: expected one of "sms"|"mms"`,
      '3 problem(s) found; nothing was imported',
    ]);
    expect(await tableCounts(tdb.db)).toEqual(before);

    const good = path.join(dir, 'good.ndjson');
    fs.writeFileSync(
      good,
      `${[
        message({ provider_message_id: 'SM200', sent_at: '2026-11-27T15:00:00Z' }),
        message({ provider_message_id: 'SM201', to: '+13035559999' }),
      ]
        .map((m) => JSON.stringify(m))
        .join('\n')}\n`,
    );
    expect(await cli(['import', good], tdb.env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^imported 2 records from .*good\.ndjson in [\d.]+s: 2 new, 0 updated, 0 unchanged$/),
    });
    const csv = path.join(dir, 'good.csv');
    fs.writeFileSync(
      csv,
      'provider_message_id,account_id,campaign_id,to,type,status,sent_at,error_code\nSM300,acct_1,cmp_42,+13035558000,sms,failed,2026-11-27T15:00:00Z,21211\n',
    );
    expect((await cli(['import', csv], tdb.env)).code).toBe(0);
    expect(
      await tdb.db('messages').first('status', 'error_code', 'segments').where({ provider_message_id: 'SM300' }),
    ).toMatchObject({ status: 'failed', error_code: 21211, segments: 1 });
  });

  it('answers an unknown option with usage and exit code 2, never a stack trace; --help with the command’s own usage', async () => {
    const r = await cli(['stats', '30d', '--jsn'], tdb.env);
    expect(r.code).toBe(2);
    expect(r.err.split('\n\n')[0]).toBe('campaign-stats stats: unknown option --jsn');
    expect(r.err).toMatch(/\n\ncampaign-stats — SMS\/MMS campaign delivery stats\n/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect((await cli(['migrate', '--now=1'], tdb.env)).err.split('\n\n')[0]).toBe(
      'campaign-stats migrate: unknown option --now',
    );
    const stats = await cli(['stats', '--help'], tdb.env);
    expect(stats.code).toBe(0);
    expect(stats.out).toMatch(/^Usage: campaign-stats stats \[WORDS\] \[--json \| --why \| --explain\]\n/);
    expect(stats.out).toContain('  --why    every reason behind the failures');
    const help = await cli(['import', '--help'], tdb.env);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^campaign-stats — SMS\/MMS campaign delivery stats\n\nUsage:/);
    expect((await cli(['migrate', 'now'], tdb.env)).code).toBe(2);
  });

  it('migrate against a missing MySQL database says which database to create, without a stack trace', async () => {
    const url = `${(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '')}/cs_no_such_database`;
    const r = await cli(['migrate'], { DATABASE_URL: url });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^campaign-stats migrate: the database "cs_no_such_database" does not exist on [\w.]+:\d+: create it first, e\.g\. CREATE DATABASE `cs_no_such_database` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin; then run migrate again$/,
    );
  });

  it('refuses to serve local mode against a DATABASE_URL unless LOCAL_MODE=true', async () => {
    const r = await cli(['serve'], { DATABASE_URL: 'mysql://root@127.0.0.1:3306/nowhere', DATA_DIR: dir });
    expect(r.code).toBe(78);
    expect(r.err).toMatch(/^Invalid configuration:\n {2}- DATABASE_URL is set but no Slack credentials are/);
  });

  it('imports the example files shipped in docs/', async () => {
    const root = path.resolve(__dirname, '../..');
    expect(await cli(['import', path.join(root, 'docs/examples/messages.csv')], tdb.env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^imported 3 records/),
    });
    expect(await cli(['import', path.join(root, 'docs/examples/messages.ndjson')], tdb.env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^imported 2 records/),
    });
  });

  it('refuses bad configuration naming the variable', async () => {
    expect(await cli(['stats'], { ...tdb.env, DEFAULT_TIMEZONE: 'Mars/Olympus' })).toEqual({
      code: 78,
      out: '',
      err: 'Invalid configuration:\n  - DEFAULT_TIMEZONE: is not an IANA time zone',
    });
  });

  it('fill adds what came before to a grain a migration added, says so, and refuses bad options', async () => {
    // rows a move left at zero are not made again
    const rows = () =>
      tdb.db('counts_quarter').select('*').where('messages', '>', 0).orderBy(['campaign_id', 'quarter', 'status']);
    const before = await rows();
    expect(before.length).toBeGreaterThan(0);
    expect(await cli(['fill'], tdb.env)).toMatchObject({ code: 0, out: 'every count grain is filled' });
    await tdb.db('counts_quarter').delete();
    await tdb.db('grain_fills').insert({ grain: 'counts_quarter', state: 'pending', done_to: 0 });
    expect(await cli(['fill', '--grace', 'soon'], tdb.env)).toMatchObject({
      code: 2,
      err: '--grace must be 0 to 3600 seconds, --batch a whole number from 1 to 100000 and --sleep-coef 0 to 100',
    });
    const r = await cli(['fill', '--grace', '0', '--batch', '2', '--sleep-coef', '0'], tdb.env);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'filling counts_quarter: writes keep them current meanwhile; waiting 0 s before the watermark',
      expect.stringMatching(/^counts_quarter: ready \(\d+ messages added in \d+ batches\)$/),
    ]);
    expect(await rows()).toEqual(before);
    await tdb.db('grain_fills').delete();
  });
});

describe('the CLI where there is no data', () => {
  it('run from another folder, says there is no database there and makes none', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-elsewhere-'));
    const dataDir = path.join(elsewhere, 'data');
    const r = await cli(['stats', '7d'], { DATA_DIR: dataDir });
    expect(r.code).toBe(66);
    expect(r.err).toBe(
      `campaign-stats stats: no database at ${path.join(dataDir, 'campaign-stats.sqlite')}. DATA_DIR (${process.env.DATA_DIR ?? './data'}) is relative to the folder you run from: run this where you ran \`npm start\`, or set DATA_DIR (or DATABASE_URL).`,
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('an empty database says so and where it is', async () => {
    const tdb = await createTestDatabase('sqlite');
    try {
      const r = await cli(['stats', '7d', '--json'], tdb.env);
      expect(r.code).toBe(0);
      expect(r.err).toBe(
        `note: the database at ${tdb.config.sqliteFile} has no messages yet (send some to POST /api/v1/messages, or campaign-stats import FILE, or campaign-stats demo-data).`,
      );
      expect(JSON.parse(r.out).totals).toEqual({ segments: 0, messages: 0 });
    } finally {
      await tdb.drop();
    }
  });
});

describe('campaign-stats deliveries', () => {
  it('says push is off without UNSUBSCRIBE_WEBHOOK_URL, and where the pusher is with it', async () => {
    const tdb = await createTestDatabase('sqlite');
    try {
      expect(await cli(['deliveries'], tdb.env)).toMatchObject({
        code: 78,
        err: 'campaign-stats deliveries: UNSUBSCRIBE_WEBHOOK_URL is not set: events are pulled (GET /api/v1/unsubscribes), not pushed.',
      });
      const env = {
        ...tdb.env,
        UNSUBSCRIBE_WEBHOOK_URL: 'http://127.0.0.1:9/hooks',
        UNSUBSCRIBE_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      };
      expect(await cli(['deliveries'], env)).toMatchObject({
        code: 0,
        out: 'pushed up to feed position 0\nnothing pending or failed',
      });
      expect((await cli(['deliveries'], { ...tdb.env, UNSUBSCRIBE_WEBHOOK_URL: 'http://127.0.0.1:9/hooks' })).err).toBe(
        'Invalid configuration:\n  - UNSUBSCRIBE_WEBHOOK_URL and UNSUBSCRIBE_WEBHOOK_SECRET: set both (push every subscription event, signed) or neither',
      );
    } finally {
      await tdb.drop();
    }
  });
});
