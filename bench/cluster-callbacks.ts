/**
 * Benchmark of issue 17's cluster deployment: signed Twilio status callbacks a second through
 * one app instance, against one node of a three-node Galera cluster on loopback and, in the
 * same run as the baseline, against the single MariaDB server. Each target gets a fresh
 * database, N messages ingested through the API, then N callbacks (one each, signed with the
 * official twilio package) from C concurrent senders. Prints callbacks/s and the latency
 * median and p99 for both, and their ratio.
 *
 *   npm run build && node dist/bench/cluster-callbacks.js [--messages 20000] [--concurrency 32]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import twilio from 'twilio';
import { startApp } from '../src/app';
import { systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { migrateLatest } from '../src/db/migrate';
import { createDb } from '../src/db/knex';
import { createLogger } from '../src/logger';
import { startGaleraCluster } from '../test/cluster/galera';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    single: { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
  },
});
const N = Number(values.messages);
const C = Number(values.concurrency);
const TOKEN = 'bench-ingest-token-0123456789';
const AUTH = 'bench-auth-token-0123456789abcdef';
const PUBLIC = 'https://stats.example.com';
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const sid = (i: number) => `SM${i.toString(16).padStart(32, '0')}`;

async function measure(label: string, serverUrl: string) {
  const name = `cs_bench_cluster_${process.pid}`;
  const admin = knexFactory({ client: 'mysql2', connection: serverUrl });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.destroy();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-cluster-'));
  const config = loadConfig({
    DATABASE_URL: `${serverUrl.replace(/\/+$/, '')}/${name}`,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'error',
    INGEST_API_TOKEN: TOKEN,
    TWILIO_AUTH_TOKEN: AUTH,
    PUBLIC_BASE_URL: PUBLIC,
  });
  const db = createDb(config);
  await migrateLatest(db);
  const app = await startApp(config, createLogger('silent'), {
    clock: systemClock,
    db,
    host: '127.0.0.1',
    scheduler: false,
  });
  const base = `http://127.0.0.1:${app.port}`;
  for (let b = 0; b < N; b += 500) {
    const messages = Array.from({ length: Math.min(500, N - b) }, (_, j) => ({
      provider_message_id: sid(b + j),
      account_id: `acct_${(b + j) % 5}`,
      campaign_id: `cmp_${(b + j) % 20}`,
      to: `+1303${String(5_000_000 + b + j).padStart(7, '0')}`,
      carrier: ['Verizon', 'AT&T', 'T-Mobile'][(b + j) % 3],
      type: 'sms',
      segments: 1,
      status: 'queued',
      sent_at: new Date(Date.now() - 3600_000).toISOString(),
    }));
    const r = await fetch(`${base}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ messages }),
    });
    if (r.status !== 200) throw new Error(`ingest ${r.status}: ${await r.text()}`);
  }
  const url = `${PUBLIC}/webhooks/twilio/status`;
  const requests = Array.from({ length: N }, (_, i) => {
    const s = ['sent', 'delivered', 'undelivered'][i % 3]!;
    const params: Record<string, string> = {
      MessageSid: sid(i),
      MessageStatus: s,
      AccountSid: `AC${'0'.repeat(32)}`,
      ...(s === 'undelivered' ? { ErrorCode: '30007' } : {}),
    };
    return {
      body: new URLSearchParams(params).toString(),
      signature: twilio.getExpectedTwilioSignature(AUTH, url, params),
    };
  });
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        const r = requests[next++]!;
        const t0 = performance.now();
        const res = await fetch(`${base}/webhooks/twilio/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': r.signature },
          body: r.body,
        });
        await res.arrayBuffer();
        if (res.status >= 300) failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await app.stop();
  await db.destroy();
  const a = knexFactory({ client: 'mysql2', connection: serverUrl });
  await a.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  await a.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const out = { label, perSecond: N / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), failed };
  console.log(
    `${label}: ${out.perSecond.toFixed(0)} callbacks/s · p50 ${out.p50.toFixed(1)} ms · p99 ${out.p99.toFixed(1)} ms · ${failed} not acknowledged`,
  );
  return out;
}

async function main() {
  console.log(`${N} messages, then ${N} signed callbacks from ${C} concurrent senders, one app instance`);
  const single = await measure('single MariaDB server', values.single!);
  const t0 = Date.now();
  const cluster = await startGaleraCluster();
  console.log(`(three-node Galera cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  try {
    const galera = await measure('Galera, one node of three', cluster.nodes[0]!.url(''));
    console.log(
      `cluster / single: ${(galera.perSecond / single.perSecond).toFixed(2)}× the callbacks a second, p99 ${(galera.p99 / single.p99).toFixed(2)}×`,
    );
  } finally {
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
