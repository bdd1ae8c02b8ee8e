import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { undeliveredDeliveries } from '../../src/db/feed-push.repository';
import { sequenceFeed } from '../../src/db/subscriptions.repository';
import { recordSubscriptionEvents } from '../../src/ingest/subscriptions.service';
import { pushOnce, retryDeliveries, signPush, type PushDeps } from '../../src/unsubscribes/webhook-push';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';

/**
 * Push delivery of the unsubscribe feed (issue 17) against a local receiver that fails, times
 * out and comes back: every event arrives, in feed order, once to a receiver that deduplicates
 * by event id; one pusher at a time; a restarted pusher resumes; a bad signature is detectable.
 */
const SECRET = 'webhook-secret-0123456789';
const NOW = new Date('2026-11-28T15:30:00Z');

type Received = { eventId: string; body: string; timestamp: string; signature: string; answered: number };

/** The receiver: answers each POST as the script says (500, hang, 200), 200 once the script is used up. */
function receiver() {
  const received: Received[] = [];
  let script: Array<'fail' | 'hang' | 'ok'> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const step = script.shift() ?? 'ok';
      const r: Received = {
        eventId: String(req.headers['x-campaign-stats-event-id']),
        body,
        timestamp: String(req.headers['x-campaign-stats-timestamp']),
        signature: String(req.headers['x-campaign-stats-signature']),
        answered: step === 'ok' ? 200 : step === 'fail' ? 500 : 0,
      };
      received.push(r);
      if (step === 'hang') return; // never answers: the pusher's timeout ends it
      res.writeHead(r.answered).end();
    });
  });
  return {
    received,
    script: (s: typeof script) => {
      script = [...s];
    },
    start: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () =>
          r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/unsubscribes`),
        ),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

/** The receiver's check, as the README gives it. */
function verify(secret: string, r: Received): boolean {
  const expected = `v1=${crypto.createHmac('sha256', secret).update(`${r.timestamp}.${r.body}`).digest('hex')}`;
  return (
    expected.length === r.signature.length && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(r.signature))
  );
}

describe.each(ENGINES)('the unsubscribe webhook (%s)', (engine) => {
  let tdb: TestDatabase;
  const rx = receiver();
  let url: string;
  let n = 0;
  const deps = (owner: string, horizonMs = 26 * 3600_000): PushDeps => ({
    db: tdb.db,
    push: { url, secret: SECRET, timeoutMs: 300, horizonMs },
    owner,
    random: () => 0.5, // no jitter: back-off exactly 10 s, 20 s, 40 s …
  });
  const stops = (count: number) =>
    recordSubscriptionEvents(
      tdb.db,
      Array.from({ length: count }, () => {
        n++;
        return {
          account_id: 'acct_1',
          phone: `+1303555${String(6000 + n)}`,
          event: 'unsubscribed' as const,
          reason: 'stop' as const,
          at: new Date(NOW.getTime() + n * 1000).toISOString(),
        };
      }),
      NOW,
    );
  const feedIds = async () => {
    await sequenceFeed(tdb.db);
    return (await tdb.db('subscription_events').select('id').orderBy('position')).map((r: { id: unknown }) =>
      String(r.id),
    );
  };
  /** what a receiver that keeps the first of each event id has, in order */
  const accepted = () => {
    const seen = new Set<string>();
    return rx.received
      .filter((r) => r.answered === 200 && !seen.has(r.eventId) && seen.add(r.eventId))
      .map((r) => r.eventId);
  };

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    url = await rx.start();
  });
  afterAll(async () => {
    await rx.stop();
    await tdb?.drop();
  });
  beforeEach(() => {
    rx.received.length = 0;
  });

  it('delivers every event in feed order through failures and a timeout, each accepted once, signed', async () => {
    await stops(5);
    rx.script(['fail', 'fail', 'hang']);
    let now = NOW;
    const waits: Array<number | null> = [];
    for (let i = 0; i < 10; i++) {
      const r = await pushOnce(deps('pusher-a'), now);
      waits.push(r.waitingOn === null ? null : 1);
      now = new Date(now.getTime() + 60_000); // past every back-off of the first attempts
    }
    expect(accepted()).toEqual(await feedIds());
    // the first event was tried four times (500, 500, no answer, 200), every other once
    expect(rx.received.map((r) => r.answered)).toEqual([500, 500, 0, 200, 200, 200, 200, 200]);
    expect(rx.received.filter((r) => r.answered === 200).length).toBe(5);
    for (const r of rx.received) {
      expect(verify(SECRET, r)).toBe(true);
      expect(verify('not-the-secret-0123456789', r)).toBe(false);
      expect(verify(SECRET, { ...r, body: r.body.replace('stop', 'manual') })).toBe(false);
      expect(JSON.parse(r.body)).toMatchObject({ event_id: r.eventId, account_id: 'acct_1', event: 'unsubscribed' });
    }
    expect(signPush(SECRET, 1764343800, '{}')).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(await undeliveredDeliveries(tdb.db)).toEqual([]);
  });

  it('one pusher at a time; a restarted one resumes after the lease ends, resending nothing delivered', async () => {
    await stops(3);
    rx.script(['fail']);
    expect(await pushOnce(deps('pusher-a'), NOW)).toMatchObject({
      leased: true,
      delivered: 0,
      waitingOn: expect.any(Number),
    });
    // another instance while a's lease runs: nothing
    expect(await pushOnce(deps('pusher-b'), new Date(NOW.getTime() + 30_000))).toMatchObject({ leased: false });
    // a dies; b takes over when the lease has run out and delivers the rest
    const later = new Date(NOW.getTime() + 61_000);
    expect(await pushOnce(deps('pusher-b'), later)).toMatchObject({ leased: true, delivered: 3 });
    expect(await pushOnce(deps('pusher-b'), new Date(later.getTime() + 1000))).toMatchObject({ delivered: 0 });
    expect(accepted()).toEqual((await feedIds()).slice(-3));
    expect(rx.received.map((r) => r.answered)).toEqual([500, 200, 200, 200]);
  });

  it('sets an event aside after its retry horizon (≥ 24 h) so the rest flow; deliveries --retry sends it', async () => {
    await stops(2);
    const [first, second] = (await feedIds()).slice(-2);
    rx.script(Array.from({ length: 40 }, () => 'fail' as const));
    let now = NOW;
    for (let i = 0; i < 30 && rx.received.filter((r) => r.eventId === second && r.answered === 200).length === 0; i++) {
      await pushOnce(deps('pusher-b'), now);
      now = new Date(now.getTime() + 3600_000);
      if (i === 27) rx.script([]); // the receiver is back after a day
    }
    const open = await undeliveredDeliveries(tdb.db);
    expect(open.map((d) => [String(d.eventId), d.state, d.lastError])).toEqual([[first, 'failed', 'HTTP 500']]);
    expect(accepted()).toEqual([second]);
    expect(await retryDeliveries(deps('operator'), open, now)).toEqual([
      { eventId: Number(first), ok: true, error: null },
    ]);
    expect(await undeliveredDeliveries(tdb.db)).toEqual([]);
  });
});
