import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Bearer-token guard for /api/v1/*: with no token configured every request is refused. */
export function bearerAuth(token: string | undefined, variable = 'INGEST_API_TOKEN') {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!token) {
      res.status(403).json({ error: 'the ingest API is disabled: INGEST_API_TOKEN is not set on the server' });
      return;
    }
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: `missing bearer token: send Authorization: Bearer <${variable}>` });
      return;
    }
    if (!safeEqual(m[1]!.trim(), token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid bearer token' });
      return;
    }
    next();
  };
}
