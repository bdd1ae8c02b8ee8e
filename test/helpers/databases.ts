import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { loadConfig, type Config } from '../../src/config';
import { createDb, type Db } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';

/**
 * Every database test runs on both engines: the embedded SQLite default and a real
 * MariaDB/MySQL (TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306). Each test file gets its
 * own throwaway database. MariaDB being unreachable fails the run; it is never skipped.
 */
export const ENGINES = ['sqlite', 'mariadb'] as const;
export type Engine = (typeof ENGINES)[number];

const MYSQL_URL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export interface TestDatabase {
  engine: Engine;
  db: Db;
  env: Record<string, string>;
  config: Config;
  drop: () => Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const u = new URL(MYSQL_URL);
  const admin = knexFactory({
    client: 'mysql2',
    connection: {
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    },
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.raw(sql);
  } catch (err) {
    throw new Error(
      `MariaDB at ${MYSQL_URL} is required for the tests and could not be used: ${(err as Error).message}`,
    );
  } finally {
    await admin.destroy();
  }
}

export async function createTestDatabase(engine: Engine, extraEnv: Record<string, string> = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-test-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'error', ...extraEnv };
  let drop: () => Promise<void>;
  if (engine === 'mariadb') {
    const name = `cs_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    await adminQuery(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    env.DATABASE_URL = `${MYSQL_URL}/${name}`;
    drop = () => adminQuery(`DROP DATABASE IF EXISTS \`${name}\``);
  } else {
    drop = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const config = loadConfig(env);
  const db = createDb(config);
  await migrateLatest(db);
  return {
    engine,
    db,
    env,
    config,
    drop: async () => {
      await db.destroy();
      await drop();
    },
  };
}

const TABLES = [
  'counts_quarter',
  'counts_reason_daily',
  'counts_reason_campaign_hourly',
  'slack_link_codes',
  'workspace_accounts',
  'slack_installations',
  'workspaces',
  'counts_series_hourly',
  'counts_daily',
  'counts_campaign_daily',
  'job_runs',
  'home_views',
  'channel_settings',
  'alerts',
  'auto_unsubscribes',
  'counts_campaign_hourly',
  'counts_hourly',
  'subscription_events',
  'status_callbacks',
  'messages',
  'subscribers',
  'campaigns',
  'accounts',
];

export async function truncateAll(db: Db): Promise<void> {
  for (const t of TABLES) await db(t).del();
}
