/**
 * Benchmark of issue 12's "one command starves everything": the callback rate and p99 through
 * the real HTTP route (wrk), quiet, then with `--heavy` (10) of the heaviest answers a user can
 * ask for (`400d tz:Asia/Kolkata`) kept in flight at once in one workspace, in the same run and
 * process, against a MariaDB loaded by bench/ingest-and-query (same --db). Target: p99 under
 * heavy answers at most 2× the quiet p99, and every callback answered 204 stored.
 *
 *   npm run build && node dist/bench/heavy-answers.js [--db mysql://root@127.0.0.1:3306/campaign_stats_bench]
 *     [--seconds 15] [--concurrency 64] [--heavy 10] [--words "400d tz:Asia/Kolkata"]
 */
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { SlackStandIn } from '../src/slack-stand-in/slack-stand-in';
import { prepareCallbackLoad, runWrk, startServer, toMs } from './callback-load';
import { slashCommand } from './slack-request';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql://root@127.0.0.1:3306/campaign_stats_bench' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '64' },
    heavy: { type: 'string', default: '10' },
    words: { type: 'string', default: '400d tz:Asia/Kolkata' },
  },
});
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';

async function main() {
  const db = knexFactory({ client: 'mysql2', connection: values.db });
  const ids = (await db('messages').select('provider_message_id').limit(20_000)).map((r) => r.provider_message_id);
  const stored = async () => Number((await db('status_callbacks').count({ n: '*' }).first())?.n);
  const standIn = await new SlackStandIn({ token: TOKEN }).start();
  const load = prepareCallbackLoad(ids);
  const heavy = Number(values.heavy);
  const server = await startServer(load, {
    DATABASE_URL: values.db!,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: standIn.apiUrl,
    CHART_RENDERER: 'none',
    ANSWERS_PER_WORKSPACE: String(heavy), // all of them computed at once: the worst case
  });
  const before = await stored();
  const run = () => runWrk(load, server.base, Number(values.concurrency), Number(values.seconds));
  try {
    const quiet = await run();

    let sent = 0;
    let running = true;
    const answered = () => standIn.callsTo('response_url').length;
    // keeps `heavy` answers in flight: a new command as soon as one is answered
    const driver = (async () => {
      while (running) {
        while (running && sent - answered() < heavy) {
          sent++;
          void slashCommand(server.base, SECRET, standIn, values.words!);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const loaded = await run();
    running = false;
    await driver;
    while (answered() < sent) await new Promise((r) => setTimeout(r, 20));
    const texts = standIn.callsTo('response_url').map((c) => String(c.args.text));
    const served = texts.filter((x) => x.startsWith('Campaign stats')).length;
    const busy = texts.filter((x) => x.startsWith('Busy:')).length;
    const after = await stored();

    const line = (name: string, r: typeof quiet) =>
      `  ${name}: ${r.ok.toLocaleString()} answered 204 in ${r.seconds.toFixed(1)} s = ${r.rate.toFixed(0)}/s, p50 ${r.p50}, p99 ${r.p99}, non-2xx ${r.failed}`;
    console.log(`signed status callbacks (wrk, ${values.concurrency} connections) on ${values.db}:`);
    console.log(line('quiet', quiet));
    console.log(line(`with ${heavy} × "/campaign-stats ${values.words}" in flight`, loaded));
    console.log(
      `  p99 with heavy answers / quiet p99: ${(toMs(loaded.p99) / toMs(quiet.p99)).toFixed(2)}× (target ≤ 2×); rate ratio ${(loaded.rate / quiet.rate).toFixed(2)}`,
    );
    console.log(
      `  heavy answers: ${sent} asked, ${served} served, ${busy} told busy, other ${texts.length - served - busy}`,
    );
    console.log(
      `  callbacks stored: ${(after - before).toLocaleString()} of ${(quiet.ok + loaded.ok).toLocaleString()} answered 204 (lost: ${quiet.ok + loaded.ok - (after - before)})`,
    );
  } finally {
    await server.stop();
    load.cleanup();
    await standIn.stop();
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
