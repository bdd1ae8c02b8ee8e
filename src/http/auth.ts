import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * Failed authentication is throttled per key — a client address with the credential it
 * presented: past `max` failures in `windowMs` that pair gets 429 until the window ends.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  constructor(
    private readonly max = 20,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(address: string): number | null {
    const f = this.failures.get(address);
    if (!f) return null;
    const left = f.since + this.windowMs - this.now();
    if (left <= 0) {
      this.failures.delete(address);
      return null;
    }
    return f.count >= this.max ? Math.ceil(left / 1000) : null;
  }

  fail(address: string): void {
    const t = this.now();
    const f = this.failures.get(address);
    if (!f || t - f.since >= this.windowMs) this.failures.set(address, { count: 1, since: t });
    else f.count++;
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!); // bounded memory
  }
}

/**
 * Bearer-token guard for /api/v1/*: with no token configured every request is refused. The
 * valid token always passes — it is compared first — so nobody's failures lock it out (behind
 * a load balancer every client shares an address). Failures are throttled per client address
 * (the real one with TRUST_PROXY) and presented credential: a client repeating a bad token is
 * slowed, the others are not. The tokens are ≥ 16 characters: guessing is not the threat.
 */
export function bearerAuth(token: string | undefined, variable = 'INGEST_API_TOKEN', throttle = new FailureThrottle()) {
  return (req: Request, res: Response, next: NextFunction) => {
    const presented = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim() ?? null;
    if (token && presented !== null && safeEqual(presented, token)) return next();
    const credential =
      presented === null ? '-' : crypto.createHash('sha256').update(presented).digest('hex').slice(0, 16);
    const address = `${req.ip ?? req.socket.remoteAddress ?? 'unknown'}|${credential}`;
    const wait = throttle.blocked(address);
    if (wait !== null) {
      res
        .status(429)
        .set('Retry-After', String(wait))
        .json({ error: 'too many failed authentications from this address; wait and retry' });
      return;
    }
    if (!token) {
      res.status(403).json({ error: 'the ingest API is disabled: INGEST_API_TOKEN is not set on the server' });
      return;
    }
    if (presented === null) {
      throttle.fail(address);
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: `missing bearer token: send Authorization: Bearer <${variable}>` });
      return;
    }
    throttle.fail(address);
    res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid bearer token' });
  };
}
