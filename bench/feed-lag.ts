/**
 * Benchmark of issue 17's feed: how long after its commit (the 200 of POST
 * /api/v1/subscription-events) a poller following `next_cursor` sees an event, with 1,000
 * events a second arriving (50 batches of 20 a second, several in flight at once). Target: p99
 * ≤ 2 s. Prints the lag median, p99 and max, events seen once each, against the compiled server
 * on a fresh MariaDB database (or SQLite with --db sqlite).
 *
 *   npm run build && node dist/bench/feed-lag.js [--db mysql://root@127.0.0.1:3306] [--seconds 20] [--rate 1000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000' },
    port: { type: 'string', default: '3791' },
  },
});
const TOKEN = 'bench-ingest-token-0123456789';
const BATCH = 20;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-feedlag-'));
  let databaseUrl = '';
  let drop = async () => undefined;
  if (values.db !== 'sqlite') {
    const name = `cs_feedlag_${process.pid}`;
    const admin = knexFactory({ client: 'mysql2', connection: values.db! });
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.destroy();
    databaseUrl = `${values.db!.replace(/\/+$/, '')}/${name}`;
    drop = async () => {
      const a = knexFactory({ client: 'mysql2', connection: values.db! });
      await a.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.destroy();
    };
  }
  const port = Number(values.port);
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    INGEST_API_TOKEN: TOKEN,
    SLACK_BOT_TOKEN: 'xoxb-bench-feed',
    SLACK_SIGNING_SECRET: 'bench-feed-signing-secret',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
    RUN_SCHEDULER: 'false',
    LOG_LEVEL: 'error',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const cli = path.resolve(__dirname, '../src/cli.js');
  if (databaseUrl)
    await new Promise((r, j) =>
      spawn(process.execPath, [cli, 'migrate'], { env, stdio: 'ignore' }).on('exit', (c) =>
        c === 0 ? r(null) : j(new Error(`migrate ${c}`)),
      ),
    );
  const child = spawn(process.execPath, [cli, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const committedAt = new Map<string, number>(); // phone → when its STOP's 200 came back
  const lags: number[] = [];
  const seen = new Map<string, number>();
  let n = 0;
  let writing = true;
  let errors = 0;
  let lastCommit = performance.now();

  const poller = (async () => {
    let cursor = '';
    while (writing || seen.size < committedAt.size) {
      const r = await fetch(`${base}/api/v1/unsubscribes?limit=1000${cursor ? `&since=${cursor}` : ''}`, {
        headers: auth,
      });
      const page = (await r.json()) as { unsubscribes: Array<{ phone: string }>; next_cursor: string };
      const now = performance.now();
      for (const e of page.unsubscribes) {
        seen.set(e.phone, (seen.get(e.phone) ?? 0) + 1);
        const at = committedAt.get(e.phone);
        lags.push(at === undefined ? 0 : now - at); // seen before its 200 arrived: no lag at all
      }
      cursor = page.next_cursor;
      if (page.unsubscribes.length < 1000) await new Promise((r) => setTimeout(r, 20));
      if (!writing && performance.now() - lastCommit > 15_000) break;
    }
  })();

  const perTick = Number(values.rate) / BATCH / 10; // batches every 100 ms
  const until = performance.now() + Number(values.seconds) * 1000;
  const inflight = new Set<Promise<void>>();
  while (performance.now() < until) {
    const tick = performance.now();
    for (let b = 0; b < perTick; b++) {
      const events = Array.from({ length: BATCH }, () => {
        n++;
        return {
          account_id: `acct_${n % 7}`,
          phone: `+1${String(3_000_000_000 + n)}`,
          event: 'unsubscribed',
          reason: 'stop',
          at: new Date(Date.UTC(2026, 10, 28) + n).toISOString(),
        };
      });
      const p = fetch(`${base}/api/v1/subscription-events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ events }),
      })
        .then(async (r) => {
          await r.arrayBuffer();
          if (!r.ok) errors++;
          const at = performance.now();
          lastCommit = at;
          for (const e of events) committedAt.set(e.phone, at);
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - tick))));
  }
  await Promise.all(inflight);
  writing = false;
  await poller;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await drop();
  const twice = [...seen.values()].filter((c) => c > 1).length;
  console.log(
    JSON.stringify(
      {
        engine: databaseUrl ? 'mariadb' : 'sqlite',
        events_committed: committedAt.size,
        events_seen: seen.size,
        seen_twice: twice,
        refused_batches: errors,
        rate_per_s: Math.round(committedAt.size / Number(values.seconds)),
        lag_ms: { median: Math.round(pct(lags, 50)), p99: Math.round(pct(lags, 99)), max: Math.round(pct(lags, 100)) },
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
