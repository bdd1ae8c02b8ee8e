import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler, startApp, type RunningApp } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { loadConfig, type Config } from '../../src/config';
import { mapProviderStatus } from '../../src/domain/status';
import { createDb } from '../../src/db/knex';
import { ensureMigrationTables, migrateLatest, MIGRATIONS } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { defaultSettings, saveChannelSettings } from '../../src/settings/channel-settings.repository';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import {
  getJson,
  INGEST_TOKEN,
  message,
  postJson,
  postTwilio,
  PUBLIC_BASE_URL,
  TWILIO_TOKEN,
  twilioFixture,
} from '../helpers/app';
import { BOT_TOKEN } from '../helpers/slack';
import { expectCountsMatchMessages } from '../helpers/state';
import { startGaleraCluster, type GaleraCluster } from './galera';

/**
 * The deployment DESIGN §8 describes, run for real: a three-node MariaDB Galera cluster on
 * loopback, three app instances (one per node), writers on every node. `npm run test:cluster`.
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const DATABASE = 'campaign_stats';
const ALERTS = 'C0ALERTS';
const DIGESTS = 'C0DIGESTS';
const sid = (prefix: string, i: number) => `SM${prefix}${String(i).padStart(30 - prefix.length + 2, '0')}`.slice(0, 34);

describe('on a three-node Galera cluster', () => {
  let cluster: GaleraCluster;
  let standIn: SlackStandIn;
  let configs: Config[];
  let dbs: Knex[];
  let apps: RunningApp[] = [];
  const clock = fixedClock(NOW);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-cluster-'));

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startGaleraCluster();
    console.log(`cluster of 3 up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await cluster.sql(0, `CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      channels: [
        { id: ALERTS, name: 'alerts' },
        { id: DIGESTS, name: 'digests' },
      ],
    }).start();
    configs = cluster.nodes.map((n) =>
      loadConfig({
        DATABASE_URL: n.url(DATABASE),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        PORT: '0',
        INGEST_API_TOKEN: INGEST_TOKEN,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        PUBLIC_BASE_URL,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: 'cluster-signing-secret-0123',
        SLACK_API_URL: standIn.apiUrl,
        ALERT_CHANNEL: ALERTS,
        DIGEST_CHANNEL: DIGESTS,
        DEFAULT_TIMEZONE: 'America/Denver',
        CHART_RENDERER: 'none',
      }),
    );
    dbs = configs.map((c) => createDb(c));
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop().catch(() => undefined)));
    await Promise.all((dbs ?? []).map((d) => d.destroy()));
    await standIn?.stop();
    await cluster?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** reads on node i that wait until every commit the cluster has made is applied there */
  const synced = async <T>(i: number, read: (trx: Knex.Transaction) => Promise<T>) =>
    dbs[i]!.transaction(async (trx) => {
      await trx.raw('SET SESSION wsrep_sync_wait = 1');
      return read(trx);
    });

  it('creates the migration bookkeeping from three nodes at once, again and again, without an error', async () => {
    // CI once lost here: two nodes' INSERT IGNORE of knex's lock row conflicted at commit (a deadlock)
    for (let round = 0; round < 25; round++) {
      await cluster.sql(0, `DROP TABLE IF EXISTS ${DATABASE}.knex_migrations_lock, ${DATABASE}.migration_lease`);
      await Promise.all(dbs.map((d) => ensureMigrationTables(d)));
    }
    for (let i = 0; i < 3; i++)
      expect(await synced(i, (trx) => trx('knex_migrations_lock').select('index', 'is_locked'))).toEqual([
        { index: 1, is_locked: 0 },
      ]);
  });

  it('migrates from three instances at once; every table has a primary key', async () => {
    await Promise.all(dbs.map((d) => migrateLatest(d)));
    for (let i = 0; i < 3; i++) {
      const applied = await synced(i, (trx) => trx('knex_migrations').select('name').orderBy('id'));
      expect(applied.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map(([name]) => name));
    }
    const withoutKey = await dbs[0]!.raw(
      `SELECT t.table_name AS name FROM information_schema.tables t
       LEFT JOIN information_schema.table_constraints c
         ON c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY'
       WHERE t.table_schema = ? AND c.constraint_name IS NULL`,
      [DATABASE],
    );
    expect(withoutKey[0]).toEqual([]);
    apps = await Promise.all(
      configs.map((c, i) =>
        startApp(c, createLogger('silent'), { clock, db: dbs[i], host: '127.0.0.1', scheduler: false }),
      ),
    );
  });

  it('takes concurrent ingest batches sharing phone numbers on every node, each in full', async () => {
    // ten batches of 250 records over 300 numbers, sent to the three instances at once
    const batches = Array.from({ length: 10 }, (_, b) =>
      Array.from({ length: 250 }, (_, i) =>
        message({
          provider_message_id: sid('a', b * 250 + i),
          account_id: `acct_${(b * 250 + i) % 2}`,
          account_name: `Account ${(b * 250 + i) % 2}`,
          campaign_id: `cmp_${(b * 250 + i) % 2}`,
          campaign_name: `Campaign ${(b * 250 + i) % 2}`,
          to: `+1303555${String(1000 + ((b * 250 + i) % 300))}`,
          carrier: ['Verizon', 'AT&T', 'T-Mobile'][i % 3],
          segments: 1 + (i % 2),
          status: 'queued',
          sent_at: '2026-11-27T18:00:00Z',
        }),
      ),
    );
    const results = await Promise.all(
      batches.map((messages, b) => postJson(`http://127.0.0.1:${apps[b % 3]!.port}`, '/api/v1/messages', { messages })),
    );
    expect(results.map((r) => [r.status, r.body?.received])).toEqual(batches.map(() => [200, 250]));
    for (let i = 0; i < 3; i++)
      expect(await synced(i, (trx) => trx('messages').count({ n: '*' }).first())).toMatchObject({ n: 2500 });
  });

  it('keeps every acknowledged callback with a node killed mid-stream and brought back; nodes equal; answers equal a recount', async () => {
    const outcome = (i: number) =>
      i % 10 === 0
        ? { MessageStatus: 'undelivered', ErrorCode: '30003' }
        : { MessageStatus: 'delivered', ErrorCode: '' };
    const acknowledged = new Map<string, string>();
    let refused = 0;
    let restarted: Promise<void> | null = null;
    const total = 2500;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i === Math.floor(total / 3)) cluster.kill9(1);
        if (i === Math.floor((2 * total) / 3)) restarted = cluster.start(1);
        const id = sid('a', i);
        const r = await postTwilio(`http://127.0.0.1:${apps[i % 3]!.port}`, {
          ...twilioFixture(),
          MessageSid: id,
          SmsSid: id,
          ...outcome(i),
        }).catch(() => ({ status: 0 }));
        const o = outcome(i);
        if (r.status === 204 || r.status === 200)
          acknowledged.set(id, mapProviderStatus(o.MessageStatus, o.ErrorCode ? Number(o.ErrorCode) : null)!);
        else refused++;
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    await restarted;
    console.log(`callbacks: ${acknowledged.size} acknowledged, ${refused} refused while node 2 was down`);
    // the two live nodes took their share throughout
    expect(acknowledged.size).toBeGreaterThanOrEqual(Math.floor((total * 2) / 3));
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const rows = await synced(i, (trx) =>
        trx('messages').select('provider_message_id', 'status', 'error_code').orderBy('provider_message_id'),
      );
      const byId = new Map(
        rows.map((r: { provider_message_id: string; status: string }) => [r.provider_message_id, r]),
      );
      const lost = [...acknowledged].filter(([id, status]) => (byId.get(id) as { status: string })?.status !== status);
      expect(lost).toEqual([]);
      states.push(JSON.stringify(rows));
      await expectCountsMatchMessages(dbs[i] as never);
    }
    expect(new Set(states).size).toBe(1);
  });

  it('posts one alert, one digest and each escalation step once with three schedulers ticking at once', async () => {
    const incident = Array.from({ length: 250 }, (_, i) =>
      message({
        provider_message_id: sid('i', i),
        account_id: 'acct_1',
        account_name: 'Account 1',
        campaign_id: 'cmp_flash',
        campaign_name: 'Flash',
        to: `+1720555${String(1000 + i)}`,
        carrier: 'T-Mobile',
        segments: 1,
        status: i < 150 ? 'undelivered' : 'delivered_confirmed',
        error_code: i < 150 ? 30007 : null,
        sent_at: '2026-11-28T14:45:00Z',
      }),
    );
    expect(
      (await postJson(`http://127.0.0.1:${apps[0]!.port}`, '/api/v1/messages', { messages: incident })).status,
    ).toBe(200);
    // the alert channel escalates after 30 minutes, then once more an hour later (issue 19)
    await saveChannelSettings(
      dbs[0]!,
      {
        ...defaultSettings(ALERTS),
        alertsEnabled: true,
        escalation: {
          to: [{ type: 'group', id: 'S0ONCALL' }],
          afterMinutes: 30,
          everyMinutes: 60,
          maxRenotify: 1,
        },
      },
      'U0ADMIN',
      new Date('2026-11-28T15:00:00Z'),
    );
    const at = (iso: string, i: number) =>
      createScheduler(configs[i]!, dbs[i]!, fixedClock(new Date(iso)), createLogger('silent'));
    for (const iso of ['2026-11-28T15:30:00Z', '2026-11-28T15:31:00Z'])
      await Promise.all([0, 1, 2].map((i) => at(iso, i).tick('alerts')));
    // each node's scheduler a minute apart (three run-ledger slots): the step claims decide
    for (const hour of ['16', '17'])
      await Promise.all([0, 1, 2].map((i) => at(`2026-11-28T${hour}:0${i}:00Z`, i).tick('escalations')));
    const escalations = standIn
      .callsTo('chat.postMessage')
      .filter((c) => c.ok && c.args.channel === ALERTS && c.args.thread_ts)
      .map((c) => c.args.text as string);
    expect(escalations).toEqual([
      // whichever node's pass (a minute apart) claims it first posts it: once
      expect.stringMatching(/^Escalated: .*T-Mobile.*, open 3[0-2]m \(step 1 of 2\)\.$/),
      expect.stringMatching(/^Still unacknowledged: .*T-Mobile.*, open 1h3[0-2]m \(step 2 of 2\)\.$/),
    ]);
    // 09:05 in Denver: the digest of Nov 27
    for (const iso of ['2026-11-28T16:05:00Z', '2026-11-28T16:06:00Z'])
      await Promise.all([0, 1, 2].map((i) => at(iso, i).tick('digest')));
    const top = (channel: string) =>
      standIn
        .callsTo('chat.postMessage')
        .filter((c) => c.ok && c.args.channel === channel && !c.args.thread_ts)
        .map((c) => (c.args.text as string).split(':')[0]);
    expect(top(ALERTS)).toHaveLength(1);
    expect(top(ALERTS)[0]).toMatch(/T-Mobile/);
    expect(top(DIGESTS)).toEqual(['Daily digest · Friday Nov 27']);
  });

  it('gives a feed poller every unsubscribe exactly once while STOPs arrive on every node', async () => {
    const first = await getJson(`http://127.0.0.1:${apps[0]!.port}`, '/api/v1/unsubscribes?limit=1000');
    let cursor: string = first.body.next_cursor;
    const seen: Array<{ event_id: number }> = [...first.body.unsubscribes];
    const before = seen.length;
    let writing = true;
    const poll = async () => {
      const page = await getJson(
        `http://127.0.0.1:${apps[0]!.port}`,
        `/api/v1/unsubscribes?limit=1000&since=${cursor}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.unsubscribes);
      cursor = page.body.next_cursor;
      return page.body.unsubscribes.length as number;
    };
    const poller = (async () => {
      while (writing) await poll();
    })();
    const BATCHES = 30;
    const PER = 20;
    const stops = Array.from({ length: BATCHES }, (_, b) =>
      postJson(`http://127.0.0.1:${apps[b % 3]!.port}`, '/api/v1/subscription-events', {
        events: Array.from({ length: PER }, (_, i) => ({
          account_id: `acct_${b % 2}`,
          phone: `+1505555${String(1000 + b * PER + i)}`,
          event: 'unsubscribed',
          reason: 'stop',
          at: new Date(NOW.getTime() - (b * PER + i) * 1000).toISOString(),
        })),
      }).then((r) => expect(r.status).toBe(200)),
    );
    await Promise.all(stops);
    writing = false;
    await poller;
    await new Promise((r) => setTimeout(r, 500)); // the poller's node applies the last commits
    while ((await poll()) > 0);
    const ids = seen.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length - before).toBe(BATCHES * PER);
  });
});
