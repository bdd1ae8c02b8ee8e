/**
 * Benchmark of one escalation pass (issue 19: ≤ 500 ms over 1,000 channels with 1,000 open
 * alerts), on a fresh database: the embedded SQLite by default, or MariaDB with --db.
 *  - steady state: every alert open and unacknowledged, none due yet (what nearly every
 *    minute's pass does): median of --runs passes;
 *  - every alert due at once (step 1 of all 1,000): one pass that claims, posts and redraws
 *    each; the notifier only counts (no Slack), so this is the app's own cost.
 *
 *   node dist/bench/escalation.js [--db mysql://root@127.0.0.1:3306] [--runs 9]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { escalateAlerts } from '../src/alerts/escalation.service';
import { loadConfig } from '../src/config';
import { toDbTime } from '../src/db/dialect';
import { createDb } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import type { Notifier } from '../src/messages/notifier';
import { oneWorkspace } from '../src/workspaces/workspace-directory';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    runs: { type: 'string', default: '9' },
    channels: { type: 'string', default: '1000' },
  },
});
const NOW = new Date('2026-11-28T12:00:00Z');
const N = Number(values.channels);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-escalation-'));
  let url = '';
  if (values.db) {
    const c = await mysql.createConnection(values.db);
    await c.query('DROP DATABASE IF EXISTS cs_bench_escalation');
    await c.query('CREATE DATABASE cs_bench_escalation CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
    await c.end();
    url = `${values.db.replace(/\/+$/, '')}/cs_bench_escalation`;
  }
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'error' });
  const db = createDb(config);
  await migrateLatest(db);
  let posts = 0;
  let updates = 0;
  const notifier: Notifier = {
    post: async () => `${1795856753 + ++posts}.000100`,
    update: async () => void updates++,
    uploadPng: async () => 'F1',
    publishHome: async () => undefined,
    uploadFiles: async () => undefined,
  };
  const policy = JSON.stringify([{ type: 'group', id: 'S0ONCALL', handle: 'deliverability-oncall' }]);
  for (let i = 0; i < N; i += 250) {
    const chunk = Array.from({ length: Math.min(250, N - i) }, (_, j) => i + j);
    await db('channel_settings').insert(
      chunk.map((k) => ({
        channel_id: `CESC${String(k).padStart(5, '0')}`,
        team_id: '',
        alerts_enabled: true,
        digest_enabled: false,
        digest_time: '09:00',
        digest_when_empty: true,
        escalate_to: policy,
        escalate_after_minutes: 30,
        renotify_every_minutes: 60,
        renotify_max: 3,
        updated_at: toDbTime(NOW),
      })),
    );
    await db('alerts').insert(
      chunk.map((k) => ({
        team_id: '',
        channel_id: `CESC${String(k).padStart(5, '0')}`,
        kind: 'undelivered',
        scope_key: '*|T-Mobile|sms',
        scope: JSON.stringify({ carrier: 'T-Mobile', type: 'sms', accountId: null }),
        live_key: '*|T-Mobile|sms',
        state: 'open',
        rate: 0.3,
        baseline: 0.02,
        threshold: 0.05,
        peak_rate: 0.3,
        volume: 300,
        peak_volume: 300,
        message_ts: `1795856753.${String(k).padStart(6, '0')}`,
        opened_at: toDbTime(NOW),
        posted_at: toDbTime(NOW),
      })),
    );
  }
  const deps = { db, config, workspaces: oneWorkspace(notifier), log: createLogger('error') };
  // steady state: 10 minutes after posting, nothing due
  const quiet: number[] = [];
  for (let r = 0; r < Number(values.runs); r++) {
    const t0 = performance.now();
    const res = await escalateAlerts(deps, new Date(NOW.getTime() + 10 * 60_000));
    quiet.push(performance.now() - t0);
    if (res.escalated !== 0 || res.looked !== N) throw new Error(`unexpected pass: ${JSON.stringify(res)}`);
  }
  // every alert due at once: step 1 of each
  const t0 = performance.now();
  const res = await escalateAlerts(deps, new Date(NOW.getTime() + 30 * 60_000));
  const allDue = performance.now() - t0;
  if (res.escalated !== N || posts !== N) throw new Error(`expected ${N} escalations, got ${JSON.stringify(res)}`);
  // and the pass right after: all claimed and posted, nothing repeats
  const t1 = performance.now();
  const again = await escalateAlerts(deps, new Date(NOW.getTime() + 31 * 60_000));
  const after = performance.now() - t1;
  if (again.escalated !== 0) throw new Error('a step was posted twice');
  console.log(
    `escalation pass, ${N} channels × 1 open alert each (${values.db ? 'MariaDB' : 'SQLite'}): ` +
      `nothing due median ${median(quiet).toFixed(1)} ms (runs: ${quiet.map((t) => t.toFixed(0)).join(', ')}); ` +
      `all ${N} due ${allDue.toFixed(0)} ms (${N} notes posted, ${updates} parents redrawn, notifier not timed: no Slack); ` +
      `the pass after ${after.toFixed(1)} ms, 0 repeated`,
  );
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (values.db) {
    const c = await mysql.createConnection(values.db);
    await c.query('DROP DATABASE IF EXISTS cs_bench_escalation');
    await c.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
