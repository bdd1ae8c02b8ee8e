import express, { type Request, type Response, Router } from 'express';
import type { Knex } from 'knex';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { mapProviderStatus } from '../domain/status';
import type { GroupCommitter } from '../ingest/group-commit';
import { ingestMessages, type CallbackInput, type CallbackSummary } from '../ingest/ingest.service';
import { fieldErrors, messageBatchSchema, subscriptionBatchSchema, twilioCallbackSchema } from '../ingest/schemas';
import { parseCursor, recordSubscriptionEvents, unsubscribeFeed } from '../ingest/subscriptions.service';
import type { Logger } from '../logger';
import { bearerAuth } from './auth';

export interface IngestDeps {
  config: Config;
  db: Knex;
  clock: Clock;
  callbacks: GroupCommitter<CallbackInput, CallbackSummary>;
}

function badRequest(res: Response, errors: Array<{ path: string; message: string }>) {
  const records = [...new Set(errors.map((e) => /^\w+\[(\d+)\]/.exec(e.path)?.[1]).filter((x) => x !== undefined).map(Number))];
  res.status(400).json({ error: 'invalid request: nothing was written', ...(records.length ? { records } : {}), details: errors });
}

export function apiRouter(deps: IngestDeps): Router {
  const r = Router();
  r.use(bearerAuth(deps.config.ingestApiToken));
  r.use(express.json({ limit: '10mb', strict: true }));

  r.post('/messages', async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send the batch as JSON (Content-Type: application/json)' });
      return;
    }
    const parsed = messageBatchSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, fieldErrors(parsed.error));
    const result = await ingestMessages(deps.db, parsed.data.messages, { now: deps.clock.now(), mmsSegments: deps.config.mmsSegments });
    if (!result.ok) return badRequest(res, result.errors);
    res.status(200).json(result.summary);
  });

  r.post('/subscription-events', async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send the events as JSON (Content-Type: application/json)' });
      return;
    }
    const parsed = subscriptionBatchSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, fieldErrors(parsed.error));
    res.status(200).json(await recordSubscriptionEvents(deps.db, parsed.data.events, deps.clock.now()));
  });

  r.get('/unsubscribes', async (req: Request, res: Response) => {
    const since = parseCursor(req.query.since);
    if (typeof since !== 'number') return badRequest(res, [{ path: 'since', message: since.message }]);
    const limitRaw = req.query.limit;
    const limit = limitRaw === undefined ? 500 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return badRequest(res, [{ path: 'limit', message: 'must be a whole number from 1 to 1000' }]);
    res.json(await unsubscribeFeed(deps.db, since, limit));
  });
  return r;
}

/** Twilio status callbacks: signature checked against the public URL Twilio called. */
export function twilioRouter(deps: IngestDeps): Router {
  const r = Router();
  r.post('/status', express.urlencoded({ extended: false, limit: '64kb' }), async (req: Request, res: Response) => {
    const token = deps.config.twilioAuthToken;
    if (!token) {
      res.status(403).json({ error: 'Twilio callbacks are disabled: TWILIO_AUTH_TOKEN is not set on the server' });
      return;
    }
    const signature = req.get('x-twilio-signature');
    const params = (req.body ?? {}) as Record<string, string>;
    const url = deps.config.publicBaseUrl + req.originalUrl;
    if (!signature || !validateRequest(token, signature, url, params)) {
      res.status(403).json({ error: signature ? 'X-Twilio-Signature does not match this request' : 'missing X-Twilio-Signature' });
      return;
    }
    const parsed = twilioCallbackSchema.safeParse(params);
    if (!parsed.success) return badRequest(res, fieldErrors(parsed.error));
    const p = parsed.data;
    const errorCode = p.ErrorCode ? Number(p.ErrorCode) : null;
    const mapped = mapProviderStatus(p.MessageStatus, errorCode);
    if (mapped === undefined) (res.locals.log as Logger).warn({ status: p.MessageStatus, sid: p.MessageSid }, 'unknown provider status: kept raw, status unchanged');
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
    res.status(204).end();
  });
  return r;
}
