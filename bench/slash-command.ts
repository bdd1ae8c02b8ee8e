/**
 * Benchmark of /campaign-stats (issue 3): time from a signed slash-command request to the
 * answer's post on the response URL, for a 30-day, all-filters-off answer, against a MariaDB
 * loaded by bench/ingest-and-query (run it first with the same --db and --messages).
 * The real server runs in a child process; the Slack side is the stand-in.
 *
 *   node dist/bench/slash-command.js [--db mysql://root@127.0.0.1:3306/campaign_stats_bench] [--runs 40]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SlackStandIn } from '../src/slack-stand-in/slack-stand-in';
import { slashCommand } from './slack-request';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql://root@127.0.0.1:3306/campaign_stats_bench' },
    runs: { type: 'string', default: '40' },
    words: { type: 'string', default: '30d' },
  },
});
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function main() {
  const standIn = await new SlackStandIn({ token: TOKEN }).start();
  const port = 4100 + Math.floor(Math.random() * 100);
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.resolve(__dirname, '../src/cli.js'), 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: values.db,
      PORT: String(port),
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: standIn.apiUrl,
      CHART_RENDERER: 'quickchart',
      LOG_LEVEL: 'warn',
      RUN_SCHEDULER: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 100));
  const acks: number[] = [];
  const answers: number[] = [];
  const runs = Number(values.runs);
  for (let i = 0; i < runs + 3; i++) {
    const before = standIn.callsTo('response_url').length;
    const t0 = Date.now();
    const h0 = performance.now();
    await slashCommand(base, SECRET, standIn, values.words!);
    const ack = performance.now() - h0;
    while (standIn.callsTo('response_url').length === before) await new Promise((r) => setTimeout(r, 1));
    const call = standIn.callsTo('response_url').at(-1)!;
    if (!call.ok) throw new Error(`the answer was refused: ${call.error}`);
    if (i >= 3) {
      acks.push(ack);
      answers.push(call.at - t0);
    }
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await standIn.stop();
  console.log(`/campaign-stats ${values.words} on ${values.db}, ${runs} runs:`);
  console.log(
    `  acknowledgement: median ${pct(acks, 0.5).toFixed(1)} ms, p95 ${pct(acks, 0.95).toFixed(1)} ms, max ${Math.max(...acks).toFixed(1)} ms`,
  );
  console.log(
    `  signed request → answer on the response URL: median ${pct(answers, 0.5)} ms, p95 ${pct(answers, 0.95)} ms`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
