import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { fixedClock, systemClock, type Clock } from './clock';
import { ConfigError, loadConfig, type Config } from './config';
import { createDb, explainDbError, type Db } from './db/knex';
import { migrateLatest } from './db/migrate';
import { fillGrains, unfilledGrains } from './db/grain-fill';
import { explainStats } from './stats/explain.service';
import { formatChange } from './stats/explain.blocks';
import { remapCallbacks } from './ingest/remap.service';
import { STATUS_LABELS } from './domain/status';
import { fmtInt, plural } from './messages/format';
import { COUNT_COLUMNS, exportStats, REASON_COLUMNS, type Row } from './stats/export.service';
import { stringify } from 'csv-stringify';
import { hasAnyMessages, loadDemoData } from './demo/demo-data';
import { resolveQuery } from './stats/stats-view.service';
import { idSchema } from './ingest/schemas';
import { issueLinkCode } from './workspaces/workspaces.service';
import { redrawAnnouncements, reviewAutoUnsubscribes } from './unsubscribes/unsubscribes.service';
import { allLinks, listWorkspaces, setSeesAllAccounts } from './workspaces/workspaces.repository';
import { listChannelSettings } from './settings/channel-settings.repository';
import { importFile, type ImportFormat } from './ingest/import';
import { createLogger } from './logger';
import { formatReasons, formatStatsTable } from './stats/format';
import { getStats } from './stats/stats.service';
import { createScheduler, createWorkspaceAuth, startApp } from './app';
import fs from 'node:fs';
import { demoMetaFile, isLocalMode, localWorkspaceAuth, startLocalWorkspace } from './local/local-mode';
import { localRouter } from './local/local.routes';
import { platformScope } from './domain/account-scope';
import { closeAlertsOutsideScope } from './alerts/alerts.service';
import { workspaceDirectory } from './workspaces/workspace-directory';
import { owningTeam } from './workspaces/workspace-auth';
import { workspaceAccounts } from './workspaces/workspaces.service';
import { PUSH_DEFAULTS, pushOwner, retryDeliveries, startPusher } from './unsubscribes/webhook-push';
import { pushPosition, undeliveredDeliveries } from './db/feed-push.repository';

/** A database URL without its password, to name it in a message. */
const redactUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:…@');

const USAGE = `campaign-stats — SMS/MMS campaign delivery stats

Usage:
  campaign-stats serve                 run the HTTP server (embedded database: migrated on start;
                                       local mode with an empty database: demo data loaded first)
  campaign-stats migrate               apply database migrations
  campaign-stats fill [--grace SECONDS] [--batch N] [--sleep-coef X]
                                       fill count grains a migration added, online (after the deploy)
  campaign-stats stats [WORDS] [--json | --why | --explain]
                                       breakdown for the same words as /campaign-stats
                                       (e.g. "30d mms carrier:verizon", "last-month campaign:\\"Black Friday\\"")
  campaign-stats export [WORDS] --out FILE
                                       the figures as CSV: a row per day, campaign, carrier, type and
                                       status (FILE), and the reasons (FILE-reasons.csv)
  campaign-stats import FILE [--format csv|ndjson]
                                       import sent-message records (all or nothing)
  campaign-stats worker                run the scheduler only (digests, alerts, auto-unsubscribe)
  campaign-stats link-code ACCOUNT_ID   a single-use code (24 h) that links a Slack workspace to the account
  campaign-stats workspaces            installations, the accounts each sees, their channels
  campaign-stats grant-all TEAM_ID     the platform's own workspace: sees every account
  campaign-stats revoke-all TEAM_ID    back to only the accounts linked to it
  campaign-stats deliveries [--retry]  the unsubscribe webhook: where it is, events pending or given up (--retry sends them now)
  campaign-stats remap [--apply]       stored callbacks today's status mapping maps otherwise: what would
                                       move (--apply moves their messages, counts and all)
  campaign-stats auto-unsubscribes review [--apply]
                                       auto-unsubscribes the current rule would not make (--apply restores them)
  campaign-stats demo-data [--seed N] [--days N]
                                       fill the database with ~90 days of demo activity
`;

type Out = { out: (s: string) => void; err: (s: string) => void };

async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(config);
  try {
    if (!config.databaseUrl) await migrateLatest(db);
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

type Cli = { rest: string[]; config: Config; io: Out; clock: Clock };

/** Options a command does not know, or a malformed option: usage and exit code 2, no stack trace. */
class UsageError extends Error {}

/** parseArgs' errors in our words (its own texts carry an unbalanced quote and advice about '--'). */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const e = err as Error & { code?: string };
    const option = /'(-[^']*)'/.exec(e.message)?.[1];
    const positional = /argument '([^']*)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw new UsageError(`unknown option ${option}`);
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional !== undefined)
      throw new UsageError(`unexpected argument "${positional}"`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option)
      throw new UsageError(`option ${option.split(' ')[0]} needs a value`);
    throw new UsageError(e.message);
  }
}

/** `campaign-stats COMMAND --help`: that command's own usage, every option of it. */
const COMMAND_HELP: Readonly<Record<string, string>> = {
  stats: `Usage: campaign-stats stats [WORDS] [--json | --why | --explain]

The breakdown by status for the same words as /campaign-stats (default: the last 7 days):
  a period: 7d, 30d, yesterday, last-month, 2026-11-01..2026-11-15
  sms | mms, carrier:verizon, campaign:"Black Friday", account:acct_1, tz:America/Denver

Options:
  --json   the stats engine's answer as one JSON object (period, filters, totals, statuses, series,
           carriers, types, campaigns, reasons, and \`change\`: the explained change against the
           period before, or null)
  --why    every reason behind the failures, grouped by whose it is (recipient, sender, carrier)
  --explain  the change in the delivery rate against the period before, split into carriers,
           campaigns, message types and failure reasons (each adds up to the change)

Examples:
  campaign-stats stats 30d mms
  campaign-stats stats last-month carrier:verizon --json
  campaign-stats stats 7d --why`,
};

const noOptions = (rest: string[]) =>
  usage(() => parseArgs({ args: rest, allowPositionals: false, strict: true, options: {} }));

async function migrateCommand({ rest, config, io }: Cli): Promise<number> {
  noOptions(rest);
  const db = createDb(config);
  try {
    const applied = await migrateLatest(db);
    io.out(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
  } catch (err) {
    const why = explainDbError(err, config.databaseUrl);
    if (!why) throw err;
    io.err(`campaign-stats migrate: ${why}`);
    return 1;
  } finally {
    await db.destroy();
  }
  return 0;
}

/** The operator's words → a query over every account; words not understood are each named. */
async function cliQuery(db: Db, words: string[], { config, io, clock }: Pick<Cli, 'config' | 'io' | 'clock'>) {
  const parsed = await resolveQuery(
    db,
    words.join(' '),
    config.defaultTimezone,
    clock.now(),
    platformScope('operator CLI'),
  );
  if (!parsed.ok) for (const e of parsed.errors) io.err(e.message);
  return parsed;
}

async function statsCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, why: { type: 'boolean' }, explain: { type: 'boolean' } },
    }),
  );
  // an embedded database that is not there is not made here: the answer would be all zeros
  if (!config.databaseUrl && !fs.existsSync(config.sqliteFile)) {
    io.err(
      `campaign-stats stats: no database at ${config.sqliteFile}. DATA_DIR (${process.env.DATA_DIR ?? './data'}) is relative to the folder you run from: run this where you ran \`npm start\`, or set DATA_DIR (or DATABASE_URL).`,
    );
    return 66; // EX_NOINPUT
  }
  return withDb(config, async (db) => {
    if (!(await hasAnyMessages(db)))
      io.err(
        `note: the database at ${config.databaseUrl ? redactUrl(config.databaseUrl) : config.sqliteFile} has no messages yet (send some to POST /api/v1/messages, or campaign-stats import FILE, or campaign-stats demo-data).`,
      );
    const parsed = await cliQuery(db, positionals, { config, io, clock });
    if (!parsed.ok) return 2;
    if (values.json || values.explain) {
      // the answer and its change against the period before, explained
      const { change, after } = await explainStats(db, parsed.query, clock.now());
      const label = parsed.query.period.label;
      io.out(
        values.json
          ? JSON.stringify({ ...after, change }, null, 2)
          : formatChange(change, /^\d+[dhw]$/.test(label) ? `the previous ${label}` : 'the period before'),
      );
      return 0;
    }
    const result = await getStats(db, parsed.query, clock.now());
    io.out(values.why ? formatReasons(result) : formatStatsTable(result));
    return 0;
  });
}

async function importCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({ args: rest, allowPositionals: true, strict: true, options: { format: { type: 'string' } } }),
  );
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    io.err('usage: campaign-stats import FILE [--format csv|ndjson]');
    return 2;
  }
  if (values.format !== undefined && values.format !== 'csv' && values.format !== 'ndjson') {
    io.err(`--format: "${values.format}" is not csv or ndjson`);
    return 2;
  }
  return withDb(config, async (db) => {
    const started = Date.now();
    const opts = { now: clock.now(), mmsSegments: config.mmsSegments, progress: process.stderr.isTTY === true };
    const result = await importFile(
      db,
      file,
      values.format ? { ...opts, format: values.format as ImportFormat } : opts,
    );
    if (!result.ok) {
      for (const e of result.errors) io.err(`${file}:${e.line}: ${e.path}: ${e.message}`);
      io.err(`${result.errors.length} problem(s) found; nothing was imported`);
      return 1;
    }
    const s = result.summary;
    io.out(
      `imported ${s.received} records from ${file} in ${((Date.now() - started) / 1000).toFixed(1)}s: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged`,
    );
    return 0;
  });
}

async function demoDataCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: rest,
      strict: true,
      options: { seed: { type: 'string', default: '42' }, days: { type: 'string', default: '90' } },
    }),
  );
  const seed = Number(values.seed);
  const days = Number(values.days);
  if (!Number.isInteger(seed) || !Number.isInteger(days) || days < 1 || days > 400) {
    io.err('--seed must be a whole number and --days a whole number from 1 to 400');
    return 2;
  }
  return withDb(config, async (db) => {
    if (await hasAnyMessages(db)) {
      io.err('the database already holds messages: demo data goes into an empty database only');
      return 1;
    }
    const bar = process.stderr.isTTY
      ? new SingleBar(
          { format: 'demo data [{bar}] {value}/{total} campaigns', stream: process.stderr },
          Presets.shades_classic,
        )
      : null;
    bar?.start(1, 0);
    const summary = await loadDemoData(db, {
      seed,
      days,
      now: clock.now(),
      mmsSegments: config.mmsSegments,
      onProgress: (done, total) => {
        bar?.setTotal(total);
        bar?.update(done);
      },
    });
    bar?.stop();
    io.out(
      `demo data: ${summary.accounts} accounts, ${summary.campaigns} campaigns, ${summary.messages} messages, ${summary.callbacks} callbacks, ${summary.stops} STOPs; carrier-filtering incident on ${summary.incidentDay}`,
    );
    return 0;
  });
}

async function serveCommand({ rest, config, io, clock }: Cli): Promise<number> {
  noOptions(rest);
  const logger = createLogger(config.logLevel);
  if (isLocalMode(config) && config.databaseUrl && !config.localModeConfirmed) {
    io.err(
      'Invalid configuration:\n  - DATABASE_URL is set but no Slack credentials are: that would serve local mode (an embedded workspace with no authentication) against that database. Set the Slack variables, or LOCAL_MODE=true if that is what you want.',
    );
    return 78;
  }
  const local = isLocalMode(config) ? await startLocalWorkspace(config) : null;
  const cfg = local?.config ?? config;
  if (!cfg.databaseUrl && local) {
    await withDb(cfg, async (db) => {
      if (await hasAnyMessages(db)) return;
      logger.info('local mode with an empty embedded database: loading 90 days of demo data');
      const s = await loadDemoData(db, { seed: 42, days: 90, now: clock.now(), mmsSegments: cfg.mmsSegments });
      fs.writeFileSync(demoMetaFile(cfg), JSON.stringify(s, null, 2));
      logger.info({ ...s }, 'demo data loaded');
    });
  }
  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await startApp(cfg, logger, {
      clock,
      // local mode has no authentication of its own: it listens on this machine only unless HOST says otherwise
      ...(cfg.host ? { host: cfg.host } : local ? { host: '127.0.0.1' } : {}),
      ...(local
        ? {
            mount: (express, appUrl, db) =>
              express.use(
                localRouter({
                  config: cfg,
                  db,
                  clock,
                  log: logger,
                  standIn: local.standIn,
                  signingSecret: local.signingSecret,
                  auth: localWorkspaceAuth(),
                  appUrl,
                }),
              ),
          }
        : {}),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await local?.standIn.stop();
    io.err(
      `campaign-stats serve: port ${cfg.port} is already in use (another campaign-stats, or another server). Stop it, or start this one on a free port: PORT=3001 npm start`,
    );
    return 69; // EX_UNAVAILABLE
  }
  if (local) {
    const url = `http://localhost:${app.port}/`;
    io.out(
      [
        '',
        '  campaign-stats is running in LOCAL MODE (no Slack credentials set)',
        `  • open ${url} — an embedded Slack workspace: type /campaign-stats there`,
        `  • database: ${cfg.sqliteFile} (demo data on first start)`,
        '  • digests, alerts and charts run here; nothing leaves this machine',
        '  • two workspaces: the platform’s (every account) and Green Leaf Denver’s (its own): switch on the page',
        '  • set SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET to talk to a real workspace',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal, timeout_s: cfg.shutdownTimeout }, 'shutting down: finishing requests in flight');
      // past the drain timeout the process ends anyway (a Slack call still retrying must not hold it)
      const deadline = setTimeout(() => {
        logger.warn({ timeout_s: cfg.shutdownTimeout }, 'shutdown timed out: exiting with work still pending');
        resolve();
      }, cfg.shutdownTimeout * 1000);
      deadline.unref();
      app
        .stop()
        .then(() => local?.standIn.stop())
        .then(resolve, (err) => {
          logger.error({ err }, 'error while stopping');
          resolve();
        });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

async function workerCommand({ rest, config, clock }: Cli): Promise<number> {
  noOptions(rest);
  // the scheduler alone (Procfile `worker:`); safe beside any number of web processes
  const logger = createLogger(config.logLevel);
  const db = createDb(config);
  if (!config.databaseUrl) await migrateLatest(db);
  const scheduler = createScheduler(config, db, clock, logger);
  scheduler.start();
  const stopPusher = config.unsubscribeWebhook ? startPusher(db, config.unsubscribeWebhook, clock, logger) : null;
  logger.info({ instance: scheduler.instance }, 'scheduler running');
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      setTimeout(resolve, config.shutdownTimeout * 1000).unref(); // a run stuck on Slack must not hold the process
      void scheduler
        .stop()
        .then(() => stopPusher?.())
        .then(() => db.destroy())
        .then(resolve, resolve);
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
  return 0;
}

async function linkCodeCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { positionals } = usage(() => parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} }));
  const account = idSchema.safeParse(positionals[0] ?? '');
  if (positionals.length !== 1 || !account.success) {
    io.err('usage: campaign-stats link-code ACCOUNT_ID');
    return 2;
  }
  return withDb(config, async (db) => {
    const { code, expiresAt } = await issueLinkCode(db, account.data, clock.now());
    io.out(
      `${code}\n(links a workspace to ${account.data}: an admin types /campaign-stats connect ${code}; single use, until ${expiresAt.toISOString()})`,
    );
    return 0;
  });
}

async function workspacesCommand({ rest, config, io }: Cli): Promise<number> {
  noOptions(rest);
  return withDb(config, async (db) => {
    const [list, links, channels] = await Promise.all([listWorkspaces(db), allLinks(db), listChannelSettings(db)]);
    if (!list.length) {
      io.out('no workspaces yet (distribution: install through /slack/install)');
      return 0;
    }
    for (const w of list) {
      const accounts = w.seesAllAccounts
        ? 'every account'
        : links
            .filter((l) => l.teamId === w.teamId)
            .map((l) => l.accountId)
            .join(', ') || 'no account';
      const mine = channels.filter((c) => c.teamId === w.teamId);
      io.out(
        `${w.teamId}  ${w.name ?? '(unnamed)'}  ${w.installed ? 'installed' : 'not installed'}\n  sees: ${accounts}\n  channels: ${
          mine
            .map(
              (c) =>
                `${c.channelId}${c.digestEnabled ? ' digest' : ''}${c.alertsEnabled ? ' alerts' : ''}${c.accountId ? ` scope:${c.accountId}` : ''}`,
            )
            .join(', ') || 'none set up'
        }`,
      );
    }
    return 0;
  });
}

function grantCommand(seesAll: boolean) {
  return async ({ rest, config, io, clock }: Cli): Promise<number> => {
    const { positionals } = usage(() => parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} }));
    const team = positionals[0];
    if (positionals.length !== 1 || !team || !/^[TE][A-Z0-9]{2,31}$/.test(team)) {
      io.err(`usage: campaign-stats ${seesAll ? 'grant-all' : 'revoke-all'} TEAM_ID (a Slack team id like T0123ABCD)`);
      return 2;
    }
    return withDb(config, async (db) => {
      await setSeesAllAccounts(db, team, seesAll);
      let closed = 0;
      if (!seesAll) {
        // what it no longer sees leaves it at once: its alerts about those accounts close, saying why
        const auth = createWorkspaceAuth(config, db, clock);
        const notifier = auth ? await workspaceDirectory(db, auth.auth, config.slack.apiUrl).notifierFor(team) : null;
        const owner = auth ? owningTeam(auth.auth, team) : team;
        const scope = await workspaceAccounts(db, config.slack.mode, team);
        closed = await closeAlertsOutsideScope({ db, notifier }, owner, scope, clock.now());
      }
      io.out(
        seesAll
          ? `${team} now sees every account`
          : `${team} now sees only the accounts linked to it${closed ? ` (${closed} open alert${closed === 1 ? '' : 's'} about other accounts closed)` : ''}`,
      );
      return 0;
    });
  };
}

const statusName = (s: string | null) => (s === null ? 'nothing' : ((STATUS_LABELS as Record<string, string>)[s] ?? s));

/**
 * `remap [--apply]`: the stored callbacks today's mapping maps otherwise, and (with --apply)
 * their messages moved as a callback moves them, counts and all (src/ingest/remap.service.ts).
 */
async function remapCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values } = usage(() =>
    parseArgs({ args: rest, allowPositionals: false, strict: true, options: { apply: { type: 'boolean' } } }),
  );
  const apply = values.apply === true;
  return withDb(config, async (db) => {
    const r = await remapCallbacks(db, clock.now(), { apply });
    if (!r.mappings.length) {
      io.out('every stored callback maps as it does today: nothing to do');
      return 0;
    }
    for (const m of r.mappings)
      io.out(
        `"${m.providerStatus}"${m.errorCode === null ? '' : ` with error ${m.errorCode}`}: was ${statusName(m.was)}, now ${statusName(m.now)} (${plural(m.callbacks, 'callback')})${m.raises ? '' : ' — not applied: a status is never lowered from callbacks alone (the status a message was sent with is not kept)'}`,
      );
    const moves = [...r.moves].map(([k, n]) => {
      const [from, to] = k.split(' → ');
      return `${statusName(from!)} → ${statusName(to!)} ${fmtInt(n)}`;
    });
    if (!r.messages) io.out('no message moves');
    else if (apply) io.out(`moved ${plural(r.messages, 'message')}: ${moves.join(', ')}`);
    else
      io.out(
        `${plural(r.messages, 'message')} would move: ${moves.join(', ')}. Run with --apply to move them (their counts with them).`,
      );
    return 0;
  });
}

/** `deliveries [--retry]`: the unsubscribe webhook's position, and its events pending or given up. */
async function deliveriesCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values } = usage(() =>
    parseArgs({ args: rest, allowPositionals: false, strict: true, options: { retry: { type: 'boolean' } } }),
  );
  if (!config.unsubscribeWebhook) {
    io.err(
      'campaign-stats deliveries: UNSUBSCRIBE_WEBHOOK_URL is not set: events are pulled (GET /api/v1/unsubscribes), not pushed.',
    );
    return 78;
  }
  const webhook = config.unsubscribeWebhook;
  return withDb(config, async (db) => {
    const at = await pushPosition(db);
    const open = await undeliveredDeliveries(db);
    io.out(
      `pushed up to feed position ${at.position}${at.leaseOwner ? ` (pusher ${at.leaseOwner}, lease until ${at.leaseUntil?.toISOString()})` : ''}`,
    );
    if (open.length === 0) io.out('nothing pending or failed');
    for (const d of open)
      io.out(
        `event ${d.eventId} (position ${d.position}): ${d.state}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.nextAttemptAt ? `, next at ${d.nextAttemptAt.toISOString()}` : ''}${d.lastError ? `, last error: ${d.lastError}` : ''}`,
      );
    if (values.retry && open.length) {
      const deps = { db, push: { ...webhook, ...PUSH_DEFAULTS }, owner: pushOwner() };
      for (const r of await retryDeliveries(deps, open, clock.now()))
        io.out(`event ${r.eventId}: ${r.ok ? 'delivered' : `failed again (${r.error})`}`);
    }
    return 0;
  });
}

/**
 * `export WORDS --out FILE`: the counts file (FILE) and the reasons file (FILE with
 * `-reasons` before its extension), written as they are read, a local day at a time.
 */
async function exportCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({ args: rest, allowPositionals: true, strict: true, options: { out: { type: 'string' } } }),
  );
  if (!values.out) {
    io.err('usage: campaign-stats export [WORDS] --out FILE (e.g. export last-month sms --out november.csv)');
    return 2;
  }
  const out = values.out;
  const reasonsFile = out.replace(/(\.csv)?$/i, (ext) => `-reasons${ext || '.csv'}`);
  return withDb(config, async (db) => {
    const parsed = await cliQuery(db, positionals, { config, io, clock });
    if (!parsed.ok) return 2;
    const open = (file: string, columns: readonly string[]) => {
      const csv = stringify({ header: true, columns: [...columns] });
      const sink = fs.createWriteStream(file);
      csv.pipe(sink);
      const done = new Promise<void>((resolve, reject) => {
        sink.on('finish', () => resolve());
        sink.on('error', reject);
        csv.on('error', reject);
      });
      // back-pressure: wait when the file cannot take more yet
      const write = (row: Row) => (csv.write(row) ? undefined : new Promise<void>((r) => csv.once('drain', () => r())));
      const end = () => {
        csv.end();
        return done;
      };
      return { write, end };
    };
    const counts = open(out, COUNT_COLUMNS);
    const reasons = open(reasonsFile, REASON_COLUMNS);
    const summary = await exportStats(db, parsed.query, { counts: counts.write, reasons: reasons.write });
    await Promise.all([counts.end(), reasons.end()]);
    io.out(
      `${summary.rows} rows in ${out}, ${summary.reasonRows} in ${reasonsFile} (${summary.days} days, ${parsed.query.period.timezone})`,
    );
    return 0;
  });
}

/**
 * `fill`: the online fill of every count grain a migration added (src/db/grain-fill.ts). Run it
 * once every instance runs the release that knows the grain; it can be stopped and run again.
 */
async function fillCommand({ rest, config, io }: Cli): Promise<number> {
  const { values } = usage(() =>
    parseArgs({
      args: rest,
      allowPositionals: false,
      strict: true,
      options: {
        grace: { type: 'string', default: '10' },
        batch: { type: 'string', default: '5000' },
        'sleep-coef': { type: 'string', default: '2' },
      },
    }),
  );
  const grace = Number(values.grace);
  const batch = Number(values.batch);
  const sleepCoef = Number(values['sleep-coef']);
  const bad =
    !(grace >= 0 && grace <= 3600) ||
    !(Number.isInteger(batch) && batch >= 1 && batch <= 100_000) ||
    !(sleepCoef >= 0 && sleepCoef <= 100);
  if (bad) {
    io.err('--grace must be 0 to 3600 seconds, --batch a whole number from 1 to 100000 and --sleep-coef 0 to 100');
    return 2;
  }
  return withDb(config, async (db) => {
    const grains = await unfilledGrains(db);
    if (!grains.length) {
      io.out('every count grain is filled');
      return 0;
    }
    io.out(`filling ${grains.join(', ')}: writes keep them current meanwhile; waiting ${grace} s before the watermark`);
    const bar = process.stderr.isTTY
      ? new SingleBar(
          { format: '{grain} [{bar}] {value}/{total} messages', stream: process.stderr },
          Presets.shades_classic,
        )
      : null;
    let started = '';
    const results = await fillGrains(db, {
      graceMs: grace * 1000,
      batch,
      sleepCoef,
      onProgress: (p) => {
        if (started !== p.grain) {
          bar?.stop();
          bar?.start(p.total, p.done, { grain: p.grain });
          started = p.grain;
        } else bar?.update(p.done);
      },
    });
    bar?.stop();
    for (const r of results) io.out(`${r.grain}: ready (${r.messages} messages added in ${r.batches} batches)`);
    return 0;
  });
}

/** `auto-unsubscribes review [--apply]`: auto-unsubscribes the current rule would not have made. */
async function autoUnsubscribesCommand({ rest, config, io, clock }: Cli): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({ args: rest, allowPositionals: true, strict: true, options: { apply: { type: 'boolean' } } }),
  );
  if (positionals.length !== 1 || positionals[0] !== 'review') {
    io.err('usage: campaign-stats auto-unsubscribes review [--apply]');
    return 2;
  }
  return withDb(config, async (db) => {
    const list = await reviewAutoUnsubscribes(
      { db, config },
      { apply: Boolean(values.apply), now: clock.now(), by: 'review', accounts: platformScope('operator CLI') },
    );
    if (!list.length) {
      io.out('every auto-unsubscribe in force is one the current rule would make too');
      return 0;
    }
    // each restore redraws the announcement's copies in Slack, as the Restore button does
    const auth = list.some((r) => r.restored) ? createWorkspaceAuth(config, db, clock) : null;
    if (auth) {
      const workspaces = workspaceDirectory(db, auth.auth, config.slack.apiUrl);
      for (const r of list.filter((x) => x.restored))
        await redrawAnnouncements({ db, config, workspaces }, r.id).catch(() => []);
    }
    for (const r of list) {
      const masked = `•••${r.phone.replace(/\D/g, '').slice(-4)}`;
      const what =
        r.restored === null ? 'would not be unsubscribed now' : r.restored ? 'restored' : `not restored: ${r.why}`;
      io.out(`#${r.id} ${masked} (${r.accountId}): ${r.streak} failed campaigns of its own — ${what}`);
    }
    if (!values.apply)
      io.out(
        `${list.length} auto-unsubscribe(s) the current rule would not make; --apply restores them (a STOP is never undone)`,
      );
    return 0;
  });
}

const COMMANDS: Record<string, (cli: Cli) => Promise<number>> = {
  export: exportCommand,
  fill: fillCommand,
  'auto-unsubscribes': autoUnsubscribesCommand,
  'link-code': linkCodeCommand,
  workspaces: workspacesCommand,
  'grant-all': grantCommand(true),
  'revoke-all': grantCommand(false),
  deliveries: deliveriesCommand,
  remap: remapCommand,
  migrate: migrateCommand,
  stats: statsCommand,
  import: importCommand,
  'demo-data': demoDataCommand,
  serve: serveCommand,
  worker: workerCommand,
};

export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: Out,
  clock: Clock = systemClock,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    io.err(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(COMMAND_HELP[command] ?? USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 78; // EX_CONFIG
    }
    throw err;
  }
  try {
    return await run({ rest, config, io, clock: config.fixedNow ? fixedClock(config.fixedNow) : clock });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`campaign-stats ${command}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), process.env, { out: (s) => console.log(s), err: (s) => console.error(s) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
    },
  );
}
