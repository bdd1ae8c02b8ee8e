/**
 * Benchmark of issue 17's online migrations: filling the 15-minute grain of a live database of
 * N messages (default 10 M) while signed Twilio callbacks flow at a steady rate through the real
 * server (a child process), against the one-statement `INSERT … SELECT … GROUP BY` the old
 * migration ran, in the same run and server:
 *
 *   1. quiet: callbacks only;
 *   2. the old fill: one INSERT … SELECT over every message (REPEATABLE READ share-locks each
 *      row it reads until it commits);
 *   3. the online fill: `campaign-stats fill` (batches, plain reads, the write path keeping
 *      the grain current).
 *
 * Prints, per phase, the callback p50/p99/max and how many were not acknowledged (a lock wait
 * timeout answers 503), how long the fill took, and whether the grain equals a raw recount
 * afterwards. Messages are generated in the database itself (MariaDB's SEQUENCE engine).
 *
 *   npm run build && node dist/bench/online-fill.js [--messages 10000000] [--rate 300] [--seconds 15] [--reuse] [--skip-old] [--sleep-coef 2]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import twilio from 'twilio';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
    messages: { type: 'string', default: '10000000' },
    rate: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '15' },
    port: { type: 'string', default: '3793' },
    reuse: { type: 'boolean', default: false },
    'skip-old': { type: 'boolean', default: false },
    'sleep-coef': { type: 'string', default: '2' },
  },
});
const N = Number(values.messages);
const RATE = Number(values.rate);
const NAME = 'cs_bench_fill';
const AUTH = 'bench-auth-token-0123456789abcdef';
const PUBLIC = 'https://stats.example.com';
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]! : 0;
const sidOf = (seq: number) => `SM${seq.toString(16).toUpperCase().padStart(32, '0')}`;
const cli = path.resolve(__dirname, '../src/cli.js');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) =>
    spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] }).on('exit', (c) =>
      resolve(c ?? 1),
    ),
  );
}

async function load(db: Knex) {
  const t0 = Date.now();
  await db('accounts').insert(
    Array.from({ length: 10 }, (_, i) => ({ id: `acct_${i}`, name: `Account ${i}`, created_at: new Date() })),
  );
  await db('campaigns').insert(
    Array.from({ length: 50 }, (_, i) => ({
      id: `cmp_${i}`,
      account_id: `acct_${i % 10}`,
      name: `Campaign ${i}`,
      created_at: new Date(),
    })),
  );
  await db('subscribers').insert({
    account_id: 'acct_0',
    phone: '+13035550000',
    carrier: 'Verizon',
    subscribed: true,
    created_at: new Date(),
  });
  const CHUNK = 500_000;
  for (let a = 1; a <= N; a += CHUNK) {
    const b = Math.min(N, a + CHUNK - 1);
    await db.raw(`INSERT INTO messages (provider_message_id, account_id, campaign_id, subscriber_id, type, carrier,
        segments, segments_source, status, error_code, attempted, sent_at, status_changed_at, created_at)
      SELECT CONCAT('SM', LPAD(HEX(seq), 32, '0')), CONCAT('acct_', (seq % 50) % 10), CONCAT('cmp_', seq % 50), 1,
        IF(seq % 4 = 0, 'mms', 'sms'), ELT(1 + seq % 3, 'Verizon', 'AT&T', 'T-Mobile'), 1 + seq % 3, 'sender',
        ELT(1 + seq % 5, 'queued', 'delivered_confirmed', 'undelivered', 'failed', 'delivered_unconfirmed'),
        ELT(1 + seq % 5, NULL, NULL, 30007, 30008, NULL), 1,
        TIMESTAMP('2026-09-01') + INTERVAL (seq * 7) % (90 * 86400) SECOND, NOW(3), NOW(3)
      FROM seq_${a}_to_${b}`);
    process.stdout.write(`\rloaded ${b.toLocaleString('en-US')} messages`);
  }
  console.log(` in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** The grain as a recount of the raw messages would have it, compared bucket by bucket. */
async function grainEqualsRecount(db: Knex): Promise<boolean> {
  const [[diff]] = await db.raw(`SELECT COUNT(*) AS n FROM (
      SELECT q, status, SUM(s) AS s, SUM(m) AS m FROM (
        SELECT FLOOR(UNIX_TIMESTAMP(sent_at) / 900) AS q, status, SUM(segments) AS s, COUNT(*) AS m FROM messages
        WHERE status IN ('queued','failed','ignored','unreachable','undelivered','delivered_unconfirmed','delivered_confirmed')
        GROUP BY q, status
        UNION ALL
        SELECT FLOOR(UNIX_TIMESTAMP(quarter) / 900), status, -SUM(segments), -SUM(messages) FROM counts_quarter GROUP BY 1, status
      ) x GROUP BY q, status HAVING SUM(s) <> 0 OR SUM(m) <> 0) d`);
  return Number(diff.n) === 0;
}

async function main() {
  const admin = knexFactory({ client: 'mysql2', connection: values.db!, pool: { min: 0, max: 2 } });
  const [[bp]] = await admin.raw('SELECT @@innodb_buffer_pool_size AS b');
  if (Number(bp.b) < 4 * 2 ** 30) {
    await admin.raw('SET GLOBAL innodb_buffer_pool_size = 4294967296');
    console.log('innodb_buffer_pool_size set to 4 GB for this run (was the default, which makes lookups disk-bound)');
  }
  const [exists] = await admin.raw('SHOW DATABASES LIKE ?', [NAME]);
  if (!values.reuse || !exists.length) {
    await admin.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await admin.raw(`CREATE DATABASE ${NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  }
  await admin.destroy();
  const url = `${values.db!.replace(/\/+$/, '')}/${NAME}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-fill-'));
  const port = Number(values.port);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    TWILIO_AUTH_TOKEN: AUTH,
    PUBLIC_BASE_URL: PUBLIC,
    INGEST_API_TOKEN: 'bench-ingest-token-0123456789',
    RUN_SCHEDULER: 'false',
    LOG_LEVEL: 'error',
    SLACK_BOT_TOKEN: 'xoxb-bench-fill',
    SLACK_SIGNING_SECRET: 'bench-fill-signing-secret',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
  };
  if ((await run(['migrate'], env)) !== 0) throw new Error('migrate failed');
  const db = knexFactory({ client: 'mysql2', connection: url, pool: { min: 0, max: 4 } });
  const [[have]] = await db.raw('SELECT COUNT(*) AS n FROM messages');
  if (Number(have.n) !== N) {
    if (Number(have.n) !== 0) throw new Error(`${NAME} holds ${have.n} messages, not ${N}: run without --reuse`);
    await load(db);
  } else console.log(`reusing ${N.toLocaleString('en-US')} messages in ${NAME}`);

  const server = spawn(process.execPath, [cli, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    i < 300 &&
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 100));

  const url_ = `${PUBLIC}/webhooks/twilio/status`;
  let k = 0;
  /** callbacks at RATE a second until `done()`: latencies and failures */
  async function flow(done: () => boolean) {
    const latencies: number[] = [];
    let failed = 0;
    const inflight = new Set<Promise<void>>();
    const start = performance.now();
    let sent = 0;
    while (!done()) {
      const due = Math.floor(((performance.now() - start) / 1000) * RATE);
      for (; sent < due; sent++) {
        const seq = 1 + ((k++ * 7_654_321) % N);
        const status = ['delivered', 'undelivered', 'sent'][k % 3]!;
        const params: Record<string, string> = {
          MessageSid: sidOf(seq),
          MessageStatus: status,
          AccountSid: `AC${'0'.repeat(32)}`,
          ...(status === 'undelivered' ? { ErrorCode: '30003' } : {}),
        };
        const t0 = performance.now();
        const p = fetch(`${base}/webhooks/twilio/status`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH, url_, params),
          },
          body: new URLSearchParams(params).toString(),
        })
          .then(async (r) => {
            await r.arrayBuffer();
            if (r.status >= 300) failed++;
          })
          .catch(() => {
            failed++;
          })
          .finally(() => {
            latencies.push(performance.now() - t0);
            inflight.delete(p);
          });
        inflight.add(p);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inflight);
    return { latencies, failed };
  }
  const report = (label: string, r: { latencies: number[]; failed: number }, extra = '') =>
    console.log(
      `${label}: ${r.latencies.length} callbacks · p50 ${pct(r.latencies, 50).toFixed(1)} ms · p99 ${pct(r.latencies, 99).toFixed(1)} ms · max ${r.latencies.reduce((a, b) => Math.max(a, b), 0).toFixed(0)} ms · ${r.failed} not acknowledged${extra}`,
    );

  const seconds = Number(values.seconds) * 1000;
  const warmUntil = performance.now() + 3000;
  await flow(() => performance.now() > warmUntil); // warm-up, not measured
  const quietUntil = performance.now() + seconds;
  const quiet = await flow(() => performance.now() > quietUntil);
  report('quiet', quiet);
  if (quiet.failed) throw new Error('callbacks fail with nothing else running: is the server up?');

  // 2. the old way: one statement over every message
  let during = { latencies: [] as number[], failed: 0 };
  if (!values['skip-old']) {
    await db('counts_quarter').truncate();
    let oldDone = false;
    let oldError = '';
    const t1 = performance.now();
    const oldFill = db
      .raw(`INSERT INTO counts_quarter (campaign_id, quarter, type, carrier, status, account_id, segments, messages)
      SELECT campaign_id, CAST(FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(sent_at) / 900) * 900) AS DATETIME(3)), type, carrier,
        status, MIN(account_id), SUM(segments), COUNT(*) FROM messages
      WHERE status IN ('queued','failed','ignored','unreachable','undelivered','delivered_unconfirmed','delivered_confirmed')
      GROUP BY campaign_id, FLOOR(UNIX_TIMESTAMP(sent_at) / 900), type, carrier, status
      ON DUPLICATE KEY UPDATE segments = counts_quarter.segments + VALUES(segments), messages = counts_quarter.messages + VALUES(messages)`)
      .catch((err: Error) => {
        oldError = ` (the statement failed: ${err.message.slice(0, 80)})`;
      })
      .finally(() => {
        oldDone = true;
      });
    during = await flow(() => oldDone);
    await oldFill;
    report(
      'during INSERT … SELECT (the old fill)',
      during,
      `; it took ${((performance.now() - t1) / 1000).toFixed(1)} s${oldError}`,
    );
    // the server's backlog drains before the next phase
    await new Promise((r) => setTimeout(r, 30_000));
  }

  // 3. the online fill
  // as a migration adding the grain leaves it: pending (the server stops writing it within its
  // one-second cache of fill states), then empty
  await db('grain_fills').insert({ grain: 'counts_quarter', state: 'pending', done_to: 0 }).onConflict('grain').merge();
  await db('grain_fills').where({ grain: 'counts_quarter' }).update({ state: 'pending', watermark: null, done_to: 0 });
  await new Promise((r) => setTimeout(r, 2000));
  await db('counts_quarter').truncate();
  await db('grain_fill_first_states').truncate();
  let onlineDone = false;
  const t2 = performance.now();
  const filler = run(['fill', '--grace', '3', '--sleep-coef', values['sleep-coef']!], env).then((code) => {
    onlineDone = true;
    return code;
  });
  const online = await flow(() => onlineDone);
  const code = await filler;
  report(
    'during campaign-stats fill (online)',
    online,
    `; it took ${((performance.now() - t2) / 1000).toFixed(1)} s (exit ${code})`,
  );
  console.log(
    `p99 during the online fill / quiet: ${(pct(online.latencies, 99) / pct(quiet.latencies, 99)).toFixed(2)}× (target ≤ 2×)${during.latencies.length ? `; the old fill: ${(pct(during.latencies, 99) / pct(quiet.latencies, 99)).toFixed(1)}×` : ''}`,
  );
  await new Promise((r) => setTimeout(r, 500));
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  console.log(`the 15-minute grain equals a raw recount after the online fill: ${await grainEqualsRecount(db)}`);
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
