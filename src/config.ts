import path from 'node:path';
import { z } from 'zod';
import cron from 'node-cron';
import { isValidTimeZone } from './domain/period';
import { CARRIER_INCIDENT } from './domain/auto-unsubscribe';

/** Empty strings in the environment mean "unset". */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const withDefault = <T extends z.ZodTypeAny>(schema: T, def: z.input<T>) =>
  z.preprocess((v) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? def : v), schema);

const cronExpr = z.string().refine((v) => cron.validate(v), { message: 'is not a valid cron expression' });

const envSchema = z.object({
  DATABASE_URL: optional(
    z.string().refine((v) => /^mysql2?:\/\/[^/]+\/[^/?]+/.test(v), {
      message: 'must look like mysql://user:pass@host:port/database',
    }),
  ),
  DATA_DIR: withDefault(z.string(), './data'),
  PORT: withDefault(z.coerce.number().int().min(0).max(65535), '3000'),
  HOST: optional(z.string()),
  LOCAL_MODE: optional(z.enum(['true', 'false'])),
  UNSUBSCRIBE_WEBHOOK_URL: optional(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })),
  UNSUBSCRIBE_WEBHOOK_SECRET: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  TRUST_PROXY: withDefault(z.coerce.number().int().min(0).max(10), '0'),
  FIXED_NOW: optional(
    z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with its offset, e.g. 2026-11-25T15:00:00Z' }),
  ),
  SHUTDOWN_TIMEOUT: withDefault(z.coerce.number().int().min(1).max(600), '10'),
  CALLBACKS_MAX_IN_FLIGHT: withDefault(z.coerce.number().int().min(1), '5000'),
  ANSWERS_PER_WORKSPACE: withDefault(z.coerce.number().int().min(1), '4'),
  ANSWERS_AT_ONCE: withDefault(z.coerce.number().int().min(1).max(100), '1'),
  ANSWER_THREADS: withDefault(z.enum(['true', 'false']), 'true'),
  STATEMENT_TIMEOUT: withDefault(z.coerce.number().int().min(0).max(3600), '30'),
  WRITE_POOL_SIZE: withDefault(z.coerce.number().int().min(1).max(100), '5'),
  SLACK_BOT_TOKEN: optional(z.string().startsWith('xoxb-', { message: 'must start with xoxb-' })),
  SLACK_SIGNING_SECRET: optional(z.string()),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', { message: 'must start with xapp-' })),
  SLACK_API_URL: optional(z.url()),
  SLACK_CLIENT_ID: optional(z.string()),
  SLACK_CLIENT_SECRET: optional(z.string()),
  SLACK_STATE_SECRET: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  TOKEN_ENCRYPTION_KEY: optional(z.string().min(32, { message: 'must be at least 32 characters' })),
  DEFAULT_TIMEZONE: withDefault(z.string().refine(isValidTimeZone, { message: 'is not an IANA time zone' }), 'UTC'),
  DIGEST_CHANNEL: optional(z.string()),
  ALERT_CHANNEL: optional(z.string()),
  INGEST_API_TOKEN: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  TWILIO_AUTH_TOKEN: optional(z.string()),
  TWILIO_AUTH_TOKENS: optional(
    z.string().transform((v, ctx) => {
      const map: Record<string, string> = {};
      for (const pair of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^(AC[0-9a-fA-F]{32})=(\S+)$/.exec(pair);
        if (!m) {
          ctx.addIssue({
            code: 'custom',
            message: `"${pair.replace(/=.*/, '=…')}" is not ACxxx=token (an Account SID, =, its auth token)`,
          });
          return z.NEVER;
        }
        map[m[1]!] = m[2]!;
      }
      return map;
    }),
  ),
  METRICS_TOKEN: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  TWILIO_WEBHOOK_SHARED_KEY: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  PUBLIC_BASE_URL: optional(z.url()),
  CHART_RENDERER: withDefault(z.enum(['quickchart', 'upload', 'none']), 'quickchart'),
  QUICKCHART_URL: withDefault(z.url(), 'https://quickchart.io'),
  LOG_LEVEL: withDefault(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  ALERTS_CRON: withDefault(cronExpr, '*/5 * * * *'),
  AUTO_UNSUBSCRIBE_CRON: withDefault(cronExpr, '0 * * * *'),
  AUTO_UNSUBSCRIBE_AFTER: withDefault(z.coerce.number().int().min(1), '7'),
  AUTO_UNSUBSCRIBE_INCIDENT_SHARE: withDefault(z.coerce.number().gt(0).max(1), String(CARRIER_INCIDENT.minShare)),
  AUTO_UNSUBSCRIBE_INCIDENT_MIN: withDefault(z.coerce.number().int().min(1), String(CARRIER_INCIDENT.minSettled)),
  SEGMENT_PRICE: withDefault(z.coerce.number().min(0), '0.03'),
  MMS_SEGMENTS: withDefault(z.coerce.number().int().min(1), '1'),
  SETTINGS_EDITORS: withDefault(z.enum(['admins', 'everyone']), 'admins'),
  RUN_SCHEDULER: withDefault(z.enum(['true', 'false']), 'true'),
});

export interface Config {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly sqliteFile: string;
  readonly port: number;
  /** the address to listen on; unset: every interface, or 127.0.0.1 in local mode */
  readonly host: string | undefined;
  /** LOCAL_MODE=true: serve local mode even against a DATABASE_URL */
  readonly localModeConfirmed: boolean;
  /** seconds SIGTERM waits for requests in flight and queued writes before the process exits */
  readonly shutdownTimeout: number;
  /** status callbacks waiting to be written past which the webhook answers 503 + Retry-After */
  readonly callbacksMaxInFlight: number;
  /** stats answers computed at once per workspace; past it a "busy" reply */
  readonly answersPerWorkspace: number;
  /** answers reading the database at once across all workspaces; the others wait their turn */
  readonly answersAtOnce: number;
  /** answers computed in ANSWERS_AT_ONCE worker threads, off the event loop that answers callbacks */
  readonly answerThreads: boolean;
  /** seconds a read on the app's main pool may run before MySQL/MariaDB stops it; 0 = none */
  readonly statementTimeout: number;
  /** connections of the pool only callbacks and ingest write through (MySQL/MariaDB) */
  readonly writePoolSize: number;
  readonly slack: {
    /**
     * local: nothing set (the embedded workspace); single: one workspace's bot token;
     * distribution: installed in many workspaces through OAuth, tokens in the database
     */
    readonly mode: 'local' | 'single' | 'distribution';
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly stateSecret: string | undefined;
    readonly tokenEncryptionKey: string | undefined;
    readonly botToken: string | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
  };
  readonly defaultTimezone: string;
  readonly digestChannel: string | undefined;
  readonly alertChannel: string | undefined;
  readonly ingestApiToken: string | undefined;
  readonly twilioAuthToken: string | undefined;
  /** one auth token per Twilio (sub)account, chosen by the callback's AccountSid */
  readonly twilioAuthTokens: Readonly<Record<string, string>>;
  /** the SharedKey secret for callbacks carrying X-Twilio-Webhooks-Signature-Settings */
  readonly twilioWebhookSharedKey: string | undefined;
  /** bearer token for GET /metrics; unset: /metrics answers 404 */
  readonly metricsToken: string | undefined;
  readonly publicBaseUrl: string;
  readonly chartRenderer: 'quickchart' | 'upload' | 'none';
  readonly quickchartUrl: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly alertsCron: string;
  readonly autoUnsubscribeCron: string;
  readonly autoUnsubscribeAfter: number;
  /** a campaign's carrier incident: failures it never counts against a number */
  readonly carrierIncident: { readonly minShare: number; readonly minSettled: number };
  readonly segmentPrice: number;
  readonly mmsSegments: number;
  readonly settingsEditors: 'admins' | 'everyone';
  readonly runScheduler: boolean;
  /** push every subscription event to the sending platform (unset: pull only) */
  readonly unsubscribeWebhook: { readonly url: string; readonly secret: string } | undefined;
  /** proxy hops in front of the app (Express's `trust proxy`): throttles see the client's address */
  readonly trustProxy: number;
  /** the app's "now" pinned at one instant (tests, demos and screenshots); unset: the system clock */
  readonly fixedNow: Date | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const distribution = Boolean(e.SLACK_CLIENT_ID || e.SLACK_CLIENT_SECRET || e.SLACK_STATE_SECRET);
  if (Boolean(e.SLACK_BOT_TOKEN) !== Boolean(e.SLACK_SIGNING_SECRET) && !e.SLACK_APP_TOKEN && !distribution) {
    problems.push('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET: set both (HTTP mode) or neither (local mode)');
  }
  if (e.SLACK_APP_TOKEN && !e.SLACK_BOT_TOKEN && !distribution)
    problems.push('SLACK_APP_TOKEN: Socket Mode also needs SLACK_BOT_TOKEN');
  if (distribution) {
    for (const [name, value] of [
      ['SLACK_CLIENT_ID', e.SLACK_CLIENT_ID],
      ['SLACK_CLIENT_SECRET', e.SLACK_CLIENT_SECRET],
      ['SLACK_STATE_SECRET', e.SLACK_STATE_SECRET],
      ['SLACK_SIGNING_SECRET', e.SLACK_SIGNING_SECRET],
      ['TOKEN_ENCRYPTION_KEY', e.TOKEN_ENCRYPTION_KEY],
    ] as const) {
      if (!value)
        problems.push(
          `${name}: required in distribution mode (SLACK_CLIENT_ID is set), to install through OAuth and keep tokens encrypted`,
        );
    }
    if (e.SLACK_BOT_TOKEN)
      problems.push(
        'SLACK_BOT_TOKEN: not used in distribution mode (each workspace installs through OAuth); unset it or the SLACK_CLIENT_* variables',
      );
  }
  if (Boolean(e.UNSUBSCRIBE_WEBHOOK_URL) !== Boolean(e.UNSUBSCRIBE_WEBHOOK_SECRET))
    problems.push(
      'UNSUBSCRIBE_WEBHOOK_URL and UNSUBSCRIBE_WEBHOOK_SECRET: set both (push every subscription event, signed) or neither',
    );
  if (problems.length) throw new ConfigError(problems);
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sqliteFile: path.join(dataDir, 'campaign-stats.sqlite'),
    port: e.PORT,
    host: e.HOST,
    localModeConfirmed: e.LOCAL_MODE === 'true',
    shutdownTimeout: e.SHUTDOWN_TIMEOUT,
    callbacksMaxInFlight: e.CALLBACKS_MAX_IN_FLIGHT,
    answersPerWorkspace: e.ANSWERS_PER_WORKSPACE,
    answersAtOnce: e.ANSWERS_AT_ONCE,
    answerThreads: e.ANSWER_THREADS === 'true',
    statementTimeout: e.STATEMENT_TIMEOUT,
    writePoolSize: e.WRITE_POOL_SIZE,
    slack: Object.freeze({
      mode: distribution ? ('distribution' as const) : e.SLACK_BOT_TOKEN ? ('single' as const) : ('local' as const),
      clientId: e.SLACK_CLIENT_ID,
      clientSecret: e.SLACK_CLIENT_SECRET,
      stateSecret: e.SLACK_STATE_SECRET,
      tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    }),
    defaultTimezone: e.DEFAULT_TIMEZONE,
    digestChannel: e.DIGEST_CHANNEL,
    alertChannel: e.ALERT_CHANNEL,
    ingestApiToken: e.INGEST_API_TOKEN,
    twilioAuthToken: e.TWILIO_AUTH_TOKEN,
    twilioAuthTokens: Object.freeze({ ...(e.TWILIO_AUTH_TOKENS ?? {}) }),
    twilioWebhookSharedKey: e.TWILIO_WEBHOOK_SHARED_KEY,
    metricsToken: e.METRICS_TOKEN,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    chartRenderer: e.CHART_RENDERER,
    quickchartUrl: e.QUICKCHART_URL.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    alertsCron: e.ALERTS_CRON,
    autoUnsubscribeCron: e.AUTO_UNSUBSCRIBE_CRON,
    autoUnsubscribeAfter: e.AUTO_UNSUBSCRIBE_AFTER,
    carrierIncident: Object.freeze({
      minShare: e.AUTO_UNSUBSCRIBE_INCIDENT_SHARE,
      minSettled: e.AUTO_UNSUBSCRIBE_INCIDENT_MIN,
    }),
    segmentPrice: e.SEGMENT_PRICE,
    mmsSegments: e.MMS_SEGMENTS,
    settingsEditors: e.SETTINGS_EDITORS,
    runScheduler: e.RUN_SCHEDULER === 'true',
    fixedNow: e.FIXED_NOW ? new Date(e.FIXED_NOW) : undefined,
    trustProxy: e.TRUST_PROXY,
    unsubscribeWebhook:
      e.UNSUBSCRIBE_WEBHOOK_URL && e.UNSUBSCRIBE_WEBHOOK_SECRET
        ? Object.freeze({ url: e.UNSUBSCRIBE_WEBHOOK_URL, secret: e.UNSUBSCRIBE_WEBHOOK_SECRET })
        : undefined,
  });
}
