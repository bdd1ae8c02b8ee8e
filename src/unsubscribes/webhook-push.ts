import crypto from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import { advancePush, getDelivery, saveDelivery, takePushLease, type Delivery } from '../db/feed-push.repository';
import { listSubscriptionEvents, sequenceFeed, type SubscriptionEvent } from '../db/subscriptions.repository';
import { feedItem } from '../ingest/subscriptions.service';
import type { Logger } from '../logger';

/**
 * Push delivery of the unsubscribe feed (issue 17), for platforms that prefer it to polling:
 * every subscription event, in feed (commit) order, POSTed as JSON to UNSUBSCRIBE_WEBHOOK_URL,
 * signed with UNSUBSCRIBE_WEBHOOK_SECRET. At least once: an event is retried with exponential
 * back-off and jitter until the receiver answers 2xx, for at least 24 hours; until then the
 * events after it wait (so each number's events arrive in order). One instance pushes at a
 * time (a lease in the database); the position and every attempt are in the database, so a
 * restart resumes where it was and never resends what was delivered.
 */
export interface PushSettings {
  url: string;
  secret: string;
  /** one attempt's time limit */
  timeoutMs: number;
  /** how long an event is retried before it is set aside as failed (`campaign-stats deliveries`) */
  horizonMs: number;
}

export const PUSH_DEFAULTS = { timeoutMs: 10_000, horizonMs: 26 * 3600_000, leaseMs: 60_000 } as const;
export const SIGNATURE_HEADER = 'X-Campaign-Stats-Signature';

/** `v1=` HMAC-SHA256 of "timestamp.body" under the secret, hex (the receiver recomputes it). */
export function signPush(secret: string, timestamp: number, body: string): string {
  return `v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** 10 s, 20 s, 40 s … at most an hour, each × a jitter of 0.5–1.5 (so a fleet does not retry in step). */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 3600_000) * (0.5 + random());
}

export const pushBody = (e: SubscriptionEvent) => JSON.stringify(feedItem(e));

async function send(push: PushSettings, e: SubscriptionEvent): Promise<string | null> {
  const body = pushBody(e);
  const timestamp = Math.floor(Date.now() / 1000); // signatures are about wall time, as Slack's and Twilio's
  try {
    const res = await fetch(push.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Campaign-Stats-Event-Id': String(e.id),
        'X-Campaign-Stats-Timestamp': String(timestamp),
        [SIGNATURE_HEADER]: signPush(push.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(push.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    const e2 = err as Error;
    return e2.name === 'TimeoutError' ? `no answer within ${push.timeoutMs} ms` : `${e2.name}: ${e2.message}`;
  }
}

export interface PushDeps {
  db: Knex;
  push: PushSettings;
  /** this instance, for the lease */
  owner: string;
  log?: Logger;
  random?: () => number;
}

export const pushOwner = () => `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;

/**
 * One pass: take the lease, then deliver events in feed order until one fails (it waits for its
 * next attempt) or none is left. Returns what happened, for logs and tests.
 */
export async function pushOnce(
  deps: PushDeps,
  now: Date,
): Promise<{ leased: boolean; delivered: number; failed: number; waitingOn: number | null }> {
  const out = { leased: false, delivered: 0, failed: 0, waitingOn: null as number | null };
  let position = await takePushLease(deps.db, deps.owner, now, PUSH_DEFAULTS.leaseMs);
  if (position === null) return out;
  out.leased = true;
  await sequenceFeed(deps.db);
  for (;;) {
    const events = await listSubscriptionEvents(deps.db, position, 100);
    if (events.length === 0) return out;
    for (const e of events) {
      const d: Delivery = (await getDelivery(deps.db, e.id)) ?? {
        eventId: e.id,
        position: e.position!,
        state: 'pending',
        attempts: 0,
        firstAttemptAt: null,
        nextAttemptAt: null,
        deliveredAt: null,
        lastError: null,
      };
      if (d.state === 'pending') {
        if (d.nextAttemptAt && d.nextAttemptAt > now) {
          out.waitingOn = e.id;
          return out;
        }
        const error = await send(deps.push, e);
        d.attempts++;
        d.firstAttemptAt ??= now;
        if (error === null) {
          Object.assign(d, { state: 'delivered', deliveredAt: now, nextAttemptAt: null, lastError: null });
          out.delivered++;
        } else if (now.getTime() - d.firstAttemptAt.getTime() >= deps.push.horizonMs) {
          Object.assign(d, { state: 'failed', nextAttemptAt: null, lastError: error });
          out.failed++;
          deps.log?.error({ event_id: e.id, attempts: d.attempts, error }, 'unsubscribe webhook: event given up');
        } else {
          Object.assign(d, {
            nextAttemptAt: new Date(now.getTime() + backoffMs(d.attempts, deps.random)),
            lastError: error,
          });
          await saveDelivery(deps.db, d);
          deps.log?.warn({ event_id: e.id, attempts: d.attempts, error }, 'unsubscribe webhook: will retry');
          out.waitingOn = e.id;
          return out;
        }
        await saveDelivery(deps.db, d);
      }
      // delivered (now, or before a crash that kept the position back) or set aside: move on
      if (!(await advancePush(deps.db, deps.owner, e.position!))) return out; // the lease was lost
      position = e.position!;
    }
  }
}

/** `campaign-stats deliveries --retry`: each failed event sent again once now (a pending one: at once). */
export async function retryDeliveries(
  deps: PushDeps,
  failed: Delivery[],
  now: Date,
): Promise<Array<{ eventId: number; ok: boolean; error: string | null }>> {
  const out: Array<{ eventId: number; ok: boolean; error: string | null }> = [];
  for (const d of failed) {
    if (d.state === 'pending') {
      await saveDelivery(deps.db, { ...d, nextAttemptAt: now });
      continue;
    }
    const [e] = await listSubscriptionEvents(deps.db, d.position - 1, 1);
    if (!e || e.id !== d.eventId) continue;
    const error = await send(deps.push, e);
    await saveDelivery(deps.db, {
      ...d,
      attempts: d.attempts + 1,
      ...(error === null ? { state: 'delivered', deliveredAt: now, lastError: null } : { lastError: error }),
    });
    out.push({ eventId: d.eventId, ok: error === null, error });
  }
  return out;
}

/**
 * Pushes every couple of seconds while the process runs (with the scheduler: web with
 * RUN_SCHEDULER, or the worker); the lease keeps it to one instance. Returns how to stop.
 */
export function startPusher(
  db: Knex,
  settings: { url: string; secret: string },
  clock: { now(): Date },
  log: Logger,
  everyMs = 2000,
): () => Promise<void> {
  const deps: PushDeps = { db, push: { ...settings, ...PUSH_DEFAULTS }, owner: pushOwner(), log };
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = pushOnce(deps, clock.now())
      .catch((err: unknown) => log.error({ err }, 'unsubscribe webhook: push failed'))
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
