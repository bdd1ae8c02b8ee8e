import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { mapProviderStatus } from '../domain/status';
import { fieldErrors, twilioCallbackSchema } from '../ingest/schemas';
import type { Logger } from '../logger';
import type { IngestDeps } from './ingest.routes';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
const MAX_BODY = 64 * 1024;

type Reply = { status: number; body?: unknown };

/**
 * Twilio status callbacks, the hottest route (thousands a second at campaign peaks). It is a
 * plain Node handler served ahead of Express: measured in bench/, Express's router and
 * body-parser cost more CPU per callback than everything else the route does. Behaviour is
 * the same as every other route: request id, one log line, JSON errors.
 */
export function twilioStatusHandler(deps: IngestDeps, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : crypto.randomUUID();
    const send = (reply: Reply) => {
      if (res.headersSent) return;
      res.setHeader('X-Request-Id', id);
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
      handle(
        deps,
        logger.child({ request_id: id }),
        typeof signature === 'string' ? signature : undefined,
        req.url ?? TWILIO_STATUS_PATH,
        params,
      ).then(send, (err: unknown) => {
        logger.error({ request_id: id, err }, 'callback failed');
        send({ status: 500, body: { error: 'internal error: the callback was not stored; retry' } });
      });
    });
  };
}

async function handle(
  deps: IngestDeps,
  log: Logger,
  signature: string | undefined,
  path: string,
  params: Record<string, string>,
): Promise<Reply> {
  const token = deps.config.twilioAuthToken;
  if (!token)
    return {
      status: 403,
      body: { error: 'Twilio callbacks are disabled: TWILIO_AUTH_TOKEN is not set on the server' },
    };
  if (!signature) return { status: 403, body: { error: 'missing X-Twilio-Signature' } };
  if (!validateRequest(token, signature, deps.config.publicBaseUrl + path, params)) {
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
