import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { migrateLatest, MIGRATIONS } from '../../src/db/migrate';
import { ENGINES } from '../helpers/databases';

/**
 * A release runs `campaign-stats migrate` on several instances at once (every node of a
 * cluster). knex alone failed: two creators of its bookkeeping table collided ("Table
 * 'knex_migrations' already exists"), and on Galera a loser of the lock freed it while the
 * winner migrated. Each migration must run once and every run succeed.
 */
const MYSQL_URL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

describe.each(ENGINES)('migrate run by three instances at once (%s)', (engine) => {
  it('applies each migration once, and every run succeeds', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-migrate-'));
    const name = `cs_test_migrate_${crypto.randomBytes(4).toString('hex')}`;
    const admin = engine === 'mariadb' ? knexFactory({ client: 'mysql2', connection: MYSQL_URL }) : null;
    await admin?.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const config = loadConfig({ DATA_DIR: dataDir, ...(admin ? { DATABASE_URL: `${MYSQL_URL}/${name}` } : {}) });
    // three instances: three pools (one file shared by three handles on SQLite)
    const dbs = [0, 1, 2].map(() => createDb(config));
    try {
      const runs = await Promise.all(dbs.map((db) => migrateLatest(db)));
      expect(runs.flat().sort()).toEqual(MIGRATIONS.map(([n]) => n).sort());
      const applied = await dbs[0]!('knex_migrations').select('name').orderBy('id');
      expect(applied.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map(([n]) => n));
      expect(await dbs[0]!('migration_lease').select('*')).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
      await admin?.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin?.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
