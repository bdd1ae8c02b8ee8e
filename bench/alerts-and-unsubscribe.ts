/**
 * Benchmark of the scheduled side (issue 4) on a MariaDB loaded by bench/ingest-and-query:
 *  - one full spike-alert evaluation with 1,000 channels each scoped to one account (so every
 *    account × carrier × type scope is evaluated), median of runs;
 *  - the auto-unsubscribe job's first, full run over every subscriber of the database.
 * Nothing is posted to Slack: the notifier only counts.
 *
 *   node dist/bench/alerts-and-unsubscribe.js [--db mysql://root@127.0.0.1:3306/campaign_stats_bench10m] [--runs 5] [--skip-unsubscribe]
 */
import { parseArgs } from 'node:util';
import { evaluateAlerts } from '../src/alerts/alerts.service';
import { loadConfig } from '../src/config';
import { toDbTime } from '../src/db/dialect';
import { createDb } from '../src/db/knex';
import { createLogger } from '../src/logger';
import type { Notifier } from '../src/messages/notifier';
import { channelKeyOf, type WorkspaceDirectory } from '../src/workspaces/workspace-directory';
import { channelAccounts, manyChannelsAccounts } from '../src/workspaces/workspaces.service';
import { runAutoUnsubscribe } from '../src/unsubscribes/unsubscribes.service';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql://root@127.0.0.1:3306/campaign_stats_bench10m' },
    runs: { type: 'string', default: '5' },
    'skip-unsubscribe': { type: 'boolean', default: false },
  },
});
const NOW = new Date('2026-11-28T12:00:00Z');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const config = loadConfig({ DATABASE_URL: values.db, LOG_LEVEL: 'error' });
  const db = createDb(config);
  let posts = 0;
  const notifier: Notifier = {
    post: async () => `${++posts}.000`,
    update: async () => undefined,
    uploadPng: async () => 'F1',
    publishHome: async () => undefined,
    uploadFiles: async () => undefined,
  };
  // 1,000 merchant workspaces, each linked to one account, each with one alert channel: what each
  // channel sees is resolved from the database (its workspace's links), as in distribution mode
  const accounts = (await db('accounts').select('id').orderBy('id').limit(1000)).map((r: { id: string }) => r.id);
  await db('channel_settings').where('channel_id', 'like', 'CBENCH%').del();
  await db('workspace_accounts').where('team_id', 'like', 'TBENCH%').del();
  await db('workspaces').where('team_id', 'like', 'TBENCH%').del();
  for (let i = 0; i < accounts.length; i += 500) {
    const chunk = accounts.slice(i, i + 500);
    await db('workspaces').insert(
      chunk.map((_, j) => ({ team_id: `TBENCH${i + j}`, installed: true, sees_all_accounts: false })),
    );
    await db('workspace_accounts').insert(
      chunk.map((a, j) => ({ team_id: `TBENCH${i + j}`, account_id: a, linked_at: toDbTime(NOW) })),
    );
    await db('channel_settings').insert(
      chunk.map((_, j) => ({
        channel_id: `CBENCH${i + j}`,
        team_id: `TBENCH${i + j}`,
        alerts_enabled: true,
        account_id: null,
        digest_enabled: false,
        digest_time: '09:00',
        digest_when_empty: true,
        updated_at: toDbTime(NOW),
      })),
    );
  }
  const workspaces: WorkspaceDirectory = {
    notifierFor: async () => notifier,
    accountsOf: (c) => channelAccounts(db, 'distribution', c.teamId, c.accountId),
    accountsOfMany: async (cs) => {
      const scopes = await manyChannelsAccounts(db, 'distribution', cs);
      return new Map(cs.map((c, i) => [channelKeyOf(c), scopes[i]!]));
    },
  };
  const [msgs] = await db('messages').count({ n: '*' });
  const times: number[] = [];
  for (let r = 0; r < Number(values.runs); r++) {
    await db('alerts').where('channel_id', 'like', 'CBENCH%').del();
    const t0 = performance.now();
    await evaluateAlerts(
      { db, config, workspaces, log: createLogger('error') },
      new Date(NOW.getTime() - 3 * 3600_000 * r),
    );
    times.push(performance.now() - t0);
  }
  console.log(
    `alert evaluation, ${accounts.length} merchant workspaces (one account each) × carriers × types, ${Number(msgs?.n).toLocaleString()} messages: median ${median(times).toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')}); alerts opened in the last run: ${posts}`,
  );
  await db('alerts').where('channel_id', 'like', 'CBENCH%').del();
  await db('channel_settings').where('channel_id', 'like', 'CBENCH%').del();
  await db('workspace_accounts').where('team_id', 'like', 'TBENCH%').del();
  await db('workspaces').where('team_id', 'like', 'TBENCH%').del();

  if (!values['skip-unsubscribe']) {
    // the bench data has subscriber ids without rows: create them (one per distinct number)
    const [subs] = await db('subscribers').count({ n: '*' });
    if (Number(subs?.n) === 0) {
      // the bench's subscriber ids start at 0, which AUTO_INCREMENT would renumber
      await db.transaction(async (trx) => {
        await trx.raw("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')");
        await trx.raw(`INSERT INTO subscribers (id, account_id, phone, carrier, subscribed, created_at, fail_streak)
        SELECT subscriber_id, MIN(account_id), CONCAT('+1', LPAD(subscriber_id, 10, '0')), MIN(carrier), 1, NOW(3), 0 FROM messages GROUP BY subscriber_id`);
      });
    }
    const [n] = await db('subscribers').count({ n: '*' });
    await db('job_runs').where({ job: 'bench-auto-unsubscribe' }).del();
    const t0 = performance.now();
    const result = await runAutoUnsubscribe(
      { db, config, workspaces: null, log: createLogger('error') },
      'bench',
      NOW,
      null,
    );
    console.log(
      `auto-unsubscribe, first full run over ${Number(n?.n).toLocaleString()} subscribers: ${((performance.now() - t0) / 1000).toFixed(1)} s (examined ${result.examined.toLocaleString()}, unsubscribed ${result.unsubscribed})`,
    );
  }
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
