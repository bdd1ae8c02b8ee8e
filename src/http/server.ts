import crypto from 'node:crypto';
import http from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { pendingMigrations } from '../db/migrate';
import type { Logger } from '../logger';

/** Request id (honouring X-Request-Id), a child logger per request, one log line per response. */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const id = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : crypto.randomUUID();
    res.set('X-Request-Id', id);
    const log = logger.child({ request_id: id });
    res.locals.log = log;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // a line per request at info (health checks and the local page's polling at debug)
      const route = req.originalUrl.split('?')[0]!; // the whole path, wherever a router is mounted
      const quiet = /^\/(healthz|readyz|local\/(state|events|static|files))\b/.test(route);
      const level = res.statusCode >= 500 ? 'error' : quiet ? 'debug' : 'info';
      log[level]({ method: req.method, path: route, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

export function healthRoutes(app: Express, db: Knex): void {
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await db.raw('select 1');
      const pending = await pendingMigrations(db);
      if (pending.length) {
        res.status(503).json({ ok: false, error: 'migrations pending', pending });
        return;
      }
      res.json({ ok: true });
    } catch {
      // no host, port or driver message: /readyz is unauthenticated
      res.status(503).json({ ok: false, error: 'database unreachable' });
    }
  });
}

/** Last handler: body-parser errors become 4xx with a reason; anything else is a 500. */
export function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: `the body is not valid JSON: ${e.message}` });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: 'the body is too large' });
      return;
    }
    if (e.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message ?? 'bad request' });
      return;
    }
    ((res.locals.log as Logger | undefined) ?? logger).error({ err }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error: nothing was written' });
  };
}

/** Listens; `close` stops taking connections and resolves once in-flight requests finished. */
export type RawHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export function listen(
  app: Express,
  port: number,
  host?: string,
  rawRoutes: ReadonlyMap<string, RawHandler> = new Map(),
): Promise<{ server: http.Server; port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const server = http.createServer((req, res) => {
      if (stopping) res.setHeader('Connection', 'close'); // let keep-alive clients go
      // a trailing slash or a query string reaches the same route (the signature covers them as sent)
      const raw =
        req.method === 'POST' ? rawRoutes.get((req.url ?? '').split('?')[0]!.replace(/(.)\/+$/, '$1')) : undefined;
      if (raw) raw(req, res);
      else app(req, res);
    });
    server.keepAliveTimeout = 65_000;
    // a request that does not arrive whole within 30 s (a slow or stalled client) is dropped
    server.requestTimeout = 30_000;
    server.headersTimeout = 20_000;
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        server,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            stopping = true;
            // idle keep-alive sockets are closed now and as requests in flight finish
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            // long-lived streams (the local page's event stream) are cut after a grace period
            const cut = setTimeout(() => server.closeAllConnections(), 3000);
            cut.unref();
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(cut);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
