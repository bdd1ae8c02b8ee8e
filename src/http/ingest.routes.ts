import express, { type Request, type Response, Router } from 'express';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { GroupCommitter } from '../ingest/group-commit';
import { ingestMessages, type CallbackInput, type CallbackSummary } from '../ingest/ingest.service';
import { fieldErrors, idSchema, messageBatchSchema, subscriptionBatchSchema } from '../ingest/schemas';
import { issueLinkCode } from '../workspaces/workspaces.service';
import { parseCursor, recordSubscriptionEvents, unsubscribeFeed } from '../ingest/subscriptions.service';
import { bearerAuth } from './auth';
import type { Metrics } from './metrics';

export interface IngestDeps {
  config: Config;
  /** reads (the unsubscribe feed) */
  db: Knex;
  /** the write path's own pool (ingest, subscription events, link codes) */
  writeDb: Knex;
  clock: Clock;
  callbacks: GroupCommitter<CallbackInput, CallbackSummary>;
  metrics?: Metrics;
}

export function badRequest(res: Response, errors: Array<{ path: string; message: string }>) {
  const records = [
    ...new Set(
      errors
        .map((e) => /^\w+\[(\d+)\]/.exec(e.path)?.[1])
        .filter((x) => x !== undefined)
        .map(Number),
    ),
  ];
  res
    .status(400)
    .json({ error: 'invalid request: nothing was written', ...(records.length ? { records } : {}), details: errors });
}

export function apiRouter(deps: IngestDeps): Router {
  const r = Router();
  r.use(bearerAuth(deps.config.ingestApiToken));
  r.use(express.json({ limit: '10mb', strict: true }));

  const requireJson = (req: Request, res: Response, next: () => void) => {
    if (req.is('application/json')) return next();
    res.status(415).json({ error: 'send the body as JSON (Content-Type: application/json)' });
  };

  r.post('/messages', requireJson, async (req: Request, res: Response) => {
    const parsed = messageBatchSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, fieldErrors(parsed.error));
    const result = await ingestMessages(deps.writeDb, parsed.data.messages, {
      now: deps.clock.now(),
      mmsSegments: deps.config.mmsSegments,
    });
    if (!result.ok) return badRequest(res, result.errors);
    deps.metrics?.ingestRecords.inc({ route: 'messages' }, parsed.data.messages.length);
    res.status(200).json(result.summary);
  });

  r.post('/subscription-events', requireJson, async (req: Request, res: Response) => {
    const parsed = subscriptionBatchSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, fieldErrors(parsed.error));
    res.status(200).json(await recordSubscriptionEvents(deps.writeDb, parsed.data.events, deps.clock.now()));
  });

  // the platform issues the link: a workspace admin redeems it with `/campaign-stats connect CODE`
  r.post('/accounts/:accountId/slack-link-codes', async (req: Request, res: Response) => {
    const id = idSchema.safeParse(req.params.accountId);
    if (!id.success) return badRequest(res, [{ path: 'account_id', message: id.error.issues[0]!.message }]);
    const { code, expiresAt } = await issueLinkCode(deps.writeDb, id.data, deps.clock.now());
    res.status(201).json({ account_id: id.data, code, expires_at: expiresAt.toISOString() });
  });

  r.get('/unsubscribes', async (req: Request, res: Response) => {
    const since = parseCursor(req.query.since);
    if (typeof since !== 'number') return badRequest(res, [{ path: 'since', message: since.message }]);
    const limitRaw = req.query.limit;
    const limit = limitRaw === undefined ? 500 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return badRequest(res, [{ path: 'limit', message: 'must be a whole number from 1 to 1000' }]);
    res.json(await unsubscribeFeed(deps.db, since, limit));
  });
  return r;
}
