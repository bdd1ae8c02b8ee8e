import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A three-node MariaDB Galera cluster on loopback, for `npm run test:cluster` (DESIGN §8):
 * `galera-4` and `rsync` ship with `mariadb-server`. Each node has its own data folder and
 * port set — SQL, group communication, incremental and full state transfer — all on
 * 127.0.0.1. The first node bootstraps the cluster (`--wsrep-new-cluster`); the others join it
 * by a full state transfer (rsync). A node can be killed with SIGKILL and started again: it
 * rejoins and catches up (incremental transfer from the others' cache).
 */
export interface GaleraNode {
  index: number;
  sqlPort: number;
  /** mysql://root@127.0.0.1:PORT/DB */
  url(database: string): string;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  /** runs SQL on a node with the mariadb client; returns its tab-separated output */
  sql(node: number, statement: string): Promise<string>;
  kill9(node: number): void;
  start(node: number): Promise<void>;
  /** waits until the node reports Synced and the cluster has `size` members */
  waitSynced(node: number, size?: number): Promise<void>;
  stop(): Promise<void>;
}

const SETTINGS = (dir: string, i: number, base: number) => `[mariadbd]
datadir=${dir}/data
socket=${dir}/sock
pid-file=${dir}/pid
log-error=${dir}/error.log
port=${base + i}
bind-address=127.0.0.1
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=96M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=campaign-stats-test
wsrep_cluster_address=gcomm://127.0.0.1:${base + 100},127.0.0.1:${base + 101},127.0.0.1:${base + 102}
wsrep_node_name=node${i + 1}
wsrep_node_address=127.0.0.1:${base + 100 + i}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${base + 100 + i};ist.recv_addr=127.0.0.1:${base + 110 + i};gcache.size=128M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${base + 120 + i}
wsrep_slave_threads=2
`;

export async function startGaleraCluster(opts: { basePort?: number } = {}): Promise<GaleraCluster> {
  const base = opts.basePort ?? 3321;
  if (!fs.existsSync('/usr/lib/galera/libgalera_smm.so'))
    throw new Error('Galera is required (apt-get install -y mariadb-server galera-4 rsync); it is not installed');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-galera-'));
  const dirs = [0, 1, 2].map((i) => path.join(root, `node${i + 1}`));
  dirs.forEach((d, i) => {
    fs.mkdirSync(path.join(d, 'data'), { recursive: true });
    fs.writeFileSync(path.join(d, 'my.cnf'), SETTINGS(d, i, base));
  });
  execFileSync('chown', ['-R', 'mysql:mysql', root]);
  execFileSync(
    'mariadb-install-db',
    [`--defaults-file=${dirs[0]}/my.cnf`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const procs: Array<ChildProcess | null> = [null, null, null];
  const spawnNode = (i: number, bootstrap: boolean) => {
    const p = spawn(
      '/usr/sbin/mariadbd',
      [`--defaults-file=${dirs[i]}/my.cnf`, '--user=mysql', ...(bootstrap ? ['--wsrep-new-cluster'] : [])],
      { stdio: 'ignore' },
    );
    procs[i] = p;
    p.on('exit', () => {
      if (procs[i] === p) procs[i] = null;
    });
  };
  const sql = async (i: number, statement: string) =>
    (
      await run('mariadb', ['--protocol=tcp', '-h127.0.0.1', `-P${base + i}`, '-uroot', '-N', '-B', '-e', statement], {
        timeout: 20_000,
      })
    ).stdout;
  const status = async (i: number, name: string) => {
    try {
      return (await sql(i, `SHOW STATUS LIKE '${name}'`)).split('\t')[1]?.trim() ?? '';
    } catch {
      return '';
    }
  };
  const waitSynced = async (i: number, size = 3) => {
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (
        (await status(i, 'wsrep_local_state_comment')) === 'Synced' &&
        Number(await status(i, 'wsrep_cluster_size')) === size
      )
        return;
      await new Promise((r) => setTimeout(r, 250));
    }
    const log = fs.existsSync(`${dirs[i]}/error.log`)
      ? fs.readFileSync(`${dirs[i]}/error.log`, 'utf8').slice(-3000)
      : '';
    throw new Error(`Galera node ${i + 1} did not reach Synced in a cluster of ${size} within 120 s\n${log}`);
  };
  spawnNode(0, true);
  await waitSynced(0, 1);
  spawnNode(1, false);
  await waitSynced(1, 2);
  spawnNode(2, false);
  await waitSynced(2, 3);
  await waitSynced(0, 3);
  return {
    nodes: [0, 1, 2].map((i) => ({
      index: i,
      sqlPort: base + i,
      url: (database: string) => `mysql://root@127.0.0.1:${base + i}/${database}`,
    })),
    sql,
    kill9(i) {
      procs[i]?.kill('SIGKILL');
    },
    async start(i) {
      // a node killed mid-write leaves seqno -1: it recovers its position and rejoins
      for (let t = 0; procs[i] && t < 100; t++) await new Promise((r) => setTimeout(r, 50));
      spawnNode(i, false);
      await waitSynced(i, 3);
    },
    waitSynced,
    async stop() {
      const exits = procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (!p || p.exitCode !== null) return resolve();
            p.on('exit', () => resolve());
            p.kill('SIGTERM');
            setTimeout(() => {
              p.kill('SIGKILL');
              resolve();
            }, 30_000).unref();
          }),
      );
      await Promise.all(exits);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
