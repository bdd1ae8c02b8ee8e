import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getSignatureAlgorithm, HMAC_SHA1, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { mapProviderStatus } from '../domain/status';
import { isDataError } from '../db/dialect';
import { fieldErrors, twilioCallbackSchema } from '../ingest/schemas';
import type { Logger } from '../logger';
import type { IngestDeps } from './ingest.routes';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
const MAX_BODY = 64 * 1024;

type Reply = { status: number; body?: unknown; retryAfter?: number };

/**
 * Twilio status callbacks, the hottest route (thousands a second at campaign peaks). It is a
 * plain Node handler served ahead of Express: measured in bench/, Express's router and
 * body-parser cost more CPU per callback than everything else the route does. Behaviour is
 * the same as every other route: request id, one log line, JSON errors.
 */
export function twilioStatusHandler(deps: IngestDeps, logger: Logger) {
  const refusals = refusalLog(logger);
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : crypto.randomUUID();
    deps.metrics?.callbacksReceived.inc();
    const send = (reply: Reply) => {
      if (res.headersSent) return;
      const m = deps.metrics;
      if (m) {
        if (reply.status === 204) m.callbackCommitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        else if (reply.status === 403) m.callbacksRefused.inc({ reason: 'signature' });
        else if (reply.status >= 500) m.callbacksRefused.inc({ reason: 'unavailable' });
        else m.callbacksRefused.inc({ reason: 'invalid' });
      }
      res.setHeader('X-Request-Id', id);
      if (reply.retryAfter) res.setHeader('Retry-After', String(reply.retryAfter));
      if (reply.body === undefined) res.writeHead(reply.status).end();
      else
        res
          .writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8' })
          .end(JSON.stringify(reply.body));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (reply.status >= 500)
        logger.error({ request_id: id, method: 'POST', path: TWILIO_STATUS_PATH, status: reply.status, ms }, 'request');
      else if (logger.isLevelEnabled('debug'))
        logger.debug({ request_id: id, method: 'POST', path: TWILIO_STATUS_PATH, status: reply.status, ms }, 'request');
    };
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      req.resume();
      send({ status: 415, body: { error: 'send the callback form-encoded (application/x-www-form-urlencoded)' } });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('error', () => send({ status: 400, body: { error: 'the request body could not be read' } }));
    req.on('end', () => {
      if (size > MAX_BODY) return send({ status: 413, body: { error: 'the body is too large' } });
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const signature = req.headers['x-twilio-signature'];
      const settings = req.headers['x-twilio-webhooks-signature-settings'];
      handle(
        deps,
        logger.child({ request_id: id }),
        {
          signature: typeof signature === 'string' ? signature : undefined,
          settings: typeof settings === 'string' ? settings : undefined,
        },
        req.url ?? TWILIO_STATUS_PATH,
        params,
        refusals,
      ).then(send, (err: unknown) => {
        if (isDataError(err)) {
          // this callback alone: the others of its group were written without it
          logger.warn(
            { request_id: id, sid: params.MessageSid, code: (err as { code?: string }).code },
            'callback refused by the database',
          );
          send({
            status: 400,
            body: { error: 'invalid request: the database refused this callback; nothing was written' },
          });
          return;
        }
        logger.error({ request_id: id, err }, 'callback failed');
        send({ status: 500, body: { error: 'internal error: the callback was not stored; retry' } });
      });
    });
  };
}

/**
 * Refused callbacks are logged at warn with the URL the signature was checked against — a
 * wrong PUBLIC_BASE_URL refuses every receipt, and that must be visible — but at most one line
 * per interval, with the number left out since, so a flood cannot fill the disk.
 */
export function refusalLog(logger: Logger, intervalMs = 10_000) {
  let last = 0;
  let suppressed = 0;
  return (why: string, url: string, extra: Record<string, unknown> = {}) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    logger.warn(
      {
        reason: why,
        checked_url: url,
        ...extra,
        ...(suppressed ? { refused_since_last_line: suppressed } : {}),
        hint: 'Twilio signs the exact URL it calls: PUBLIC_BASE_URL plus the path must be that URL (scheme, host, port as Twilio sees them, behind any proxy)',
      },
      'Twilio callback refused',
    );
    last = now;
    suppressed = 0;
  };
}

/** Which secret and algorithm check this callback: SharedKey (HMAC-SHA256), its subaccount's token, or the one token. */
function signingSecret(
  config: IngestDeps['config'],
  settings: string | undefined,
  accountSid: string | undefined,
): { secret: string; algorithm: string; what: string } | { refused: string } {
  if (settings) {
    if (!config.twilioWebhookSharedKey)
      return {
        refused:
          'signed with a SharedKey (X-Twilio-Webhooks-Signature-Settings) but TWILIO_WEBHOOK_SHARED_KEY is not set',
      };
    return { secret: config.twilioWebhookSharedKey, algorithm: getSignatureAlgorithm(settings), what: 'SharedKey' };
  }
  const own = accountSid ? config.twilioAuthTokens[accountSid] : undefined;
  if (own) return { secret: own, algorithm: HMAC_SHA1, what: `the auth token of ${accountSid}` };
  if (config.twilioAuthToken)
    return { secret: config.twilioAuthToken, algorithm: HMAC_SHA1, what: 'TWILIO_AUTH_TOKEN' };
  return {
    refused: `no auth token for ${accountSid ? `AccountSid ${accountSid}` : 'this callback'}: set TWILIO_AUTH_TOKEN or TWILIO_AUTH_TOKENS`,
  };
}

async function handle(
  deps: IngestDeps,
  log: Logger,
  headers: { signature: string | undefined; settings: string | undefined },
  path: string,
  params: Record<string, string>,
  refused: ReturnType<typeof refusalLog>,
): Promise<Reply> {
  const url = deps.config.publicBaseUrl + path;
  const key = signingSecret(deps.config, headers.settings, params.AccountSid);
  if ('refused' in key) {
    refused(key.refused, url);
    return { status: 403, body: { error: `Twilio callbacks refused: ${key.refused}` } };
  }
  if (!headers.signature) {
    refused('missing X-Twilio-Signature', url);
    return { status: 403, body: { error: 'missing X-Twilio-Signature' } };
  }
  if (!validateRequest(key.secret, headers.signature, url, params, key.algorithm)) {
    refused(`X-Twilio-Signature does not match (checked with ${key.what})`, url);
    return { status: 403, body: { error: 'X-Twilio-Signature does not match this request' } };
  }
  const parsed = twilioCallbackSchema.safeParse(params);
  if (!parsed.success)
    return { status: 400, body: { error: 'invalid request: nothing was written', details: fieldErrors(parsed.error) } };
  const p = parsed.data;
  const errorCode = p.ErrorCode ? Number(p.ErrorCode) : null;
  const mapped = mapProviderStatus(p.MessageStatus, errorCode);
  if (mapped === undefined)
    log.warn({ status: p.MessageStatus, sid: p.MessageSid }, 'unknown provider status: kept raw, status unchanged');
  // back-pressure: with the database stalled, callbacks wait in memory; past the bound Twilio is
  // told to come back (it retries) instead of thousands of requests being held open
  if (deps.callbacks.inFlight >= deps.config.callbacksMaxInFlight) {
    return { status: 503, body: { error: 'busy: too many callbacks waiting to be written; retry' }, retryAfter: 5 };
  }
  await deps.callbacks.submit({
    provider: 'twilio',
    providerMessageId: p.MessageSid,
    providerStatus: p.MessageStatus,
    mappedStatus: mapped ?? null,
    errorCode,
    numSegments: p.NumSegments ? Number(p.NumSegments) : null,
    payload: JSON.stringify(params),
    receivedAt: deps.clock.now(),
  });
  return { status: 204 };
}
