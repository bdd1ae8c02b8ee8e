/**
 * Benchmark of issue 18's explanation: the 30-day answer with the change explained against the
 * same answer without it (what the slash command read before: the answer and the previous
 * period's totals), and the explanation read as it first was (the period before as a full
 * answer, and two MMS-only totals), runs interleaved in one process, medians. Reads an existing database (the
 * 10 M messages `bench/online-fill.ts` leaves in cs_bench_fill, or `bench/ingest-and-query.ts`'s).
 *
 *   npm run build && node dist/bench/explain.js [--db mysql://root@127.0.0.1:3306/cs_bench_fill] [--runs 9] [--words 30d]
 */
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { platformScope } from '../src/domain/account-scope';
import { isPeriodError, previousPeriod, resolvePeriod } from '../src/domain/period';
import { explainStats } from '../src/stats/explain.service';
import { changeWords } from '../src/stats/explain.blocks';
import { getStats } from '../src/stats/stats.service';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql://root@127.0.0.1:3306/cs_bench_fill' },
    runs: { type: 'string', default: '9' },
    words: { type: 'string', default: '30d' },
    now: { type: 'string' },
  },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const db = knexFactory({
    client: 'mysql2',
    connection: { uri: values.db, timezone: 'Z', supportBigNumbers: true } as never,
    pool: { min: 1, max: 8 },
  });
  const [[n]] = await db.raw('SELECT COUNT(*) AS n, MAX(sent_at) AS last FROM messages');
  const now = values.now ? new Date(values.now) : new Date(new Date(n.last).getTime() + 3600_000);
  const period = resolvePeriod(values.words!, 'UTC', now);
  if (isPeriodError(period)) throw new Error(period.message);
  const q = {
    period,
    type: null,
    carrier: null,
    campaign: null,
    account: null,
    accounts: platformScope('benchmarks and tests'),
  };
  const without = async () => {
    await Promise.all([
      getStats(db, q, now),
      getStats(db, { ...q, period: previousPeriod(period) }, now, { totalsOnly: true }),
    ]);
  };
  const withChange = async () => {
    await explainStats(db, q, now);
  };
  // how it was read before this round: the period before as a full answer, and two MMS-only totals
  const prev = { ...q, period: previousPeriod(period) };
  const theOldWay = async () => {
    await Promise.all([
      getStats(db, q, now, { allCampaigns: true }),
      getStats(db, prev, now, { allCampaigns: true }),
      getStats(db, { ...q, type: 'mms' }, now, { totalsOnly: true }),
      getStats(db, { ...prev, type: 'mms' }, now, { totalsOnly: true }),
    ]);
  };
  await without();
  await withChange();
  await theOldWay();
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    let t = performance.now();
    await without();
    a.push(performance.now() - t);
    t = performance.now();
    await withChange();
    b.push(performance.now() - t);
    t = performance.now();
    await theOldWay();
    c.push(performance.now() - t);
  }
  const { change } = await explainStats(db, q, now);
  console.log(
    `${Number(n.n).toLocaleString('en-US')} messages · ${values.words} to ${now.toISOString()} · ${values.runs} runs each, interleaved`,
  );
  console.log(
    `answer without the explanation: median ${median(a).toFixed(1)} ms (runs ${a.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `answer with it:                 median ${median(b).toFixed(1)} ms (runs ${b.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `the old reads (period before in full):  median ${median(c).toFixed(1)} ms (runs ${c.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `ratio: ${(median(b) / median(a)).toFixed(2)}× (target ≤ 1.5×; the old reads ${(median(c) / median(a)).toFixed(2)}×) · ${change?.contributions.length ?? 0} contributions, delta ${change?.delta_pts.toFixed(2)} pts`,
  );
  // whether the first cause's own reason was read (a second, smaller round of reads)
  console.log(`what changed: ${changeWords(change, false) ?? '(nothing named)'}`);
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
