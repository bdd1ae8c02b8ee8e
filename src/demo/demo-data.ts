import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { mapProviderStatus, RECIPIENT_UNSUBSCRIBED } from '../domain/status';
import { setAccountMessagingActive } from '../db/directory.repository';
import { applyCallbacks, ingestMessages, type CallbackInput } from '../ingest/ingest.service';
import type { MessageRecord } from '../ingest/schemas';
import { recordSubscriptionEvents } from '../ingest/subscriptions.service';

/**
 * ~90 days of realistic, deterministic activity, written through the same ingestion code as
 * real traffic: message batches, then Twilio-style callbacks (duplicated, reordered, some
 * before their message), STOPs, numbers that fail every campaign, MMS that mostly never
 * confirms, a carrier-filtering incident, and an account whose subscription lapsed.
 */

export interface DemoOptions {
  seed: number;
  days: number;
  /** the demo's "now": activity runs up to it */
  now: Date;
  mmsSegments: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DemoSummary {
  accounts: number;
  campaigns: number;
  messages: number;
  callbacks: number;
  stops: number;
  incidentDay: string;
  /** when an alert evaluation sees the incident: an hour after the flash sale started */
  incidentAt: string;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same demo, everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CARRIERS: Array<{
  name: string;
  share: number;
  sms: { delivered: number; undelivered: number; unreachable: number };
}> = [
  { name: 'Verizon', share: 0.35, sms: { delivered: 0.955, undelivered: 0.015, unreachable: 0.005 } },
  { name: 'AT&T', share: 0.3, sms: { delivered: 0.8, undelivered: 0.025, unreachable: 0.005 } },
  { name: 'T-Mobile', share: 0.25, sms: { delivered: 0.93, undelivered: 0.02, unreachable: 0.005 } },
  { name: 'US Cellular', share: 0.05, sms: { delivered: 0.4, undelivered: 0.03, unreachable: 0.01 } },
  { name: 'Cricket', share: 0.05, sms: { delivered: 0.85, undelivered: 0.03, unreachable: 0.01 } },
];
// MMS: most carriers never send a final receipt
const MMS = { delivered: 0.15, undelivered: 0.03, unreachable: 0.02 };

const ACCOUNTS = [
  {
    id: 'acct_greenleaf',
    name: 'Green Leaf Denver',
    subscribers: 900,
    weekdays: [2, 5],
    hourUtc: 17,
    mmsEvery: 3,
    lapsedDaysAgo: null,
  },
  {
    id: 'acct_milehigh',
    name: 'Mile High Goods',
    subscribers: 600,
    weekdays: [1, 4],
    hourUtc: 18,
    mmsEvery: 2,
    lapsedDaysAgo: null,
  },
  {
    id: 'acct_sunset',
    name: 'Sunset Dispensary',
    subscribers: 400,
    weekdays: [3],
    hourUtc: 16,
    mmsEvery: 4,
    lapsedDaysAgo: 20,
  },
] as const;

const BODIES = [
  'Green Friday deals: 20% off all flower today only. Reply STOP to opt out.',
  'Weekend special! Buy one pre-roll, get one for a penny. Show this text at checkout. Reply STOP to opt out.',
  'New arrivals are in: live resin carts, gummies and more. Visit us this week for an exclusive members-only discount on everything in store. Limited quantities — first come, first served! Reply STOP to opt out.',
  'Happy hour 4–6pm: 15% off edibles 🍬 Reply STOP to opt out.',
  'Loyalty update: you have points waiting. Redeem them in store before the end of the month. Reply STOP to opt out.',
];

const hex = (s: string) => crypto.createHash('md5').update(s).digest('hex');

export async function loadDemoData(db: Knex, opts: DemoOptions): Promise<DemoSummary> {
  const rand = mulberry32(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const end = opts.now;
  // The calendar is laid out from a Monday, so every week of the demo is the same whatever the
  // day it is loaded: the campaigns before the incident, the random draws they take and so the
  // incident itself (a Tuesday 12–24 days back) come out identical on any day and at any hour.
  // Only the last days differ, by how far into the current week `now` is.
  const today = DateTime.fromJSDate(end, { zone: 'UTC' }).startOf('day');
  const startDay = today.minus({ days: opts.days - 1 }).startOf('week');
  const latest = opts.days - 13; // the incident is at least 12 days old: its baseline and receipts are complete
  const incidentDay = startDay.plus({ days: latest - ((((latest - 1) % 7) + 7) % 7) }); // the Tuesday on or before
  const days = Math.round(today.diff(startDay, 'days').days) + 1;
  let campaigns = 0;
  let messages = 0;
  let callbacks = 0;
  let stops = 0;

  // subscribers per account: number, carrier, and whether the number is dead
  const lists = ACCOUNTS.map((a, ai) =>
    Array.from({ length: a.subscribers }, (_, i) => {
      const r = rand();
      const carrier =
        CARRIERS.find((_, k) => r < CARRIERS.slice(0, k + 1).reduce((sum, c) => sum + c.share, 0)) ?? CARRIERS[0]!;
      return {
        phone: `+1303${String(5550000 + ai * 100000 + i * 7).padStart(7, '0')}`,
        carrier: carrier.name,
        dead: i % 97 === 13, // a handful of numbers that fail campaign after campaign
        invalid: i % 331 === 200,
        stoppedAt: null as Date | null,
      };
    }),
  );

  type Plan = { account: (typeof ACCOUNTS)[number]; listIndex: number; at: DateTime; n: number };
  const plans: Plan[] = [];
  for (let d = 0; d < days; d++) {
    const day = startDay.plus({ days: d });
    ACCOUNTS.forEach((account, listIndex) => {
      if (!(account.weekdays as readonly number[]).includes(day.weekday)) return;
      const at = day.set({ hour: account.hourUtc });
      if (at.toMillis() >= end.getTime()) return;
      plans.push({ account, listIndex, at, n: plans.filter((p) => p.account.id === account.id).length + 1 });
    });
  }
  // An extra campaign on the incident day so the carrier-filtering spike has volume.
  plans.push({ account: ACCOUNTS[0], listIndex: 0, at: incidentDay.set({ hour: 20 }), n: 999 });
  plans.sort((a, b) => a.at.toMillis() - b.at.toMillis());

  const total = plans.length;
  for (const [pi, plan] of plans.entries()) {
    const { account } = plan;
    const flash = plan.n === 999;
    const type: 'sms' | 'mms' = !flash && plan.n % account.mmsEvery === 0 ? 'mms' : 'sms';
    const campaignId = `cmp_${account.id.slice(5)}_${String(plan.n).padStart(3, '0')}`;
    const campaignName = `${account.name.split(' ')[0]} ${plan.at.toFormat('LLL d')}${flash ? ' flash sale' : ''} ${type.toUpperCase()}`;
    const lapsed =
      account.lapsedDaysAgo !== null && plan.at.toMillis() > end.getTime() - account.lapsedDaysAgo * 86400_000;
    const isIncident = flash; // T-Mobile starts filtering during the flash sale
    const ageHours = (end.getTime() - plan.at.toMillis()) / 3600_000;
    const body = pick(BODIES);
    const records: MessageRecord[] = [];
    const cbs: CallbackInput[] = [];
    const early: CallbackInput[] = [];
    const stopEvents: Array<{ account_id: string; phone: string; event: 'unsubscribed'; reason: 'stop'; at: string }> =
      [];
    const list = lists[plan.listIndex]!;

    list.forEach((sub, i) => {
      const sentAt = new Date(plan.at.toMillis() + i * 1500);
      if (sentAt.getTime() >= end.getTime()) return;
      const sid = `${type === 'mms' ? 'MM' : 'SM'}${hex(`${opts.seed}:${campaignId}:${i}`)}`;
      const rec: MessageRecord = {
        provider_message_id: sid,
        account_id: account.id,
        account_name: account.name,
        campaign_id: campaignId,
        campaign_name: campaignName,
        to: sub.phone,
        carrier: sub.carrier,
        type,
        body: type === 'sms' ? body : null,
        status: 'queued',
        error_code: null,
        sent_at: sentAt.toISOString(),
      };
      if (lapsed) rec.status = 'ignored';
      else if (sub.stoppedAt && sub.stoppedAt < sentAt) {
        rec.status = 'unreachable';
        rec.error_code = RECIPIENT_UNSUBSCRIBED;
      } else if (sub.invalid) {
        rec.status = 'failed';
        rec.error_code = 21211;
      }
      records.push(rec);
      if (rec.status !== 'queued') return;

      const receivedAt = new Date(sentAt.getTime() + 5000);
      const cb = (status: string, code: number | null): CallbackInput => ({
        provider: 'twilio',
        providerMessageId: sid,
        providerStatus: status,
        mappedStatus: mapProviderStatus(status, code) ?? null,
        errorCode: code,
        numSegments: null,
        payload: JSON.stringify({
          MessageSid: sid,
          MessageStatus: status,
          ...(code ? { ErrorCode: String(code) } : {}),
        }),
        receivedAt,
      });
      // the latest hour's messages are still waiting; younger ones may lack their final receipt
      if (ageHours < 1 && rand() < 0.5) return;
      const sent = cb('sent', null);
      let final: CallbackInput | null;
      const p = type === 'mms' ? MMS : CARRIERS.find((c) => c.name === sub.carrier)!.sms;
      const r = rand();
      if (sub.dead) final = cb('undelivered', pick([30003, 30005]));
      else if (isIncident && sub.carrier === 'T-Mobile' && type === 'sms' && r < 0.45) final = cb('undelivered', 30007);
      else if (r < p.undelivered) final = cb('undelivered', pick([30007, 30008, 30004]));
      else if (r < p.undelivered + p.unreachable)
        final = cb('undelivered', type === 'mms' ? 30011 : pick([30003, 30006]));
      else if (r < p.undelivered + p.unreachable + p.delivered) final = cb('delivered', null);
      else final = null; // never confirmed: stays Delivery (Unconfirmed)
      if (final && ageHours < 48 && rand() < 0.3) final = null; // receipts still arriving
      const seq = [sent, ...(final ? [final] : [])];
      if (rand() < 0.05) seq.reverse(); // out of order
      if (final && rand() < 0.05) seq.push(final); // twice
      if (rand() < 0.01)
        early.push(...seq); // before the message record
      else cbs.push(...seq);
      if (!sub.dead && rand() < 0.002) {
        sub.stoppedAt = new Date(sentAt.getTime() + 3600_000);
        stopEvents.push({
          account_id: account.id,
          phone: sub.phone,
          event: 'unsubscribed',
          reason: 'stop',
          at: sub.stoppedAt.toISOString(),
        });
      }
    });

    const now = plan.at.toJSDate();
    if (early.length) await applyCallbacks(db, early, now);
    for (let i = 0; i < records.length; i += 1000) {
      const result = await ingestMessages(db, records.slice(i, i + 1000), { now, mmsSegments: opts.mmsSegments });
      if (!result.ok) throw new Error(`demo data rejected: ${JSON.stringify(result.errors.slice(0, 3))}`);
    }
    for (let i = 0; i < cbs.length; i += 1000) await applyCallbacks(db, cbs.slice(i, i + 1000), now);
    if (stopEvents.length) await recordSubscriptionEvents(db, stopEvents, now);
    campaigns++;
    messages += records.length;
    callbacks += cbs.length + early.length;
    stops += stopEvents.length;
    opts.onProgress?.(pi + 1, total);
  }
  for (const a of ACCOUNTS) if (a.lapsedDaysAgo !== null) await setAccountMessagingActive(db, a.id, false);
  return {
    accounts: ACCOUNTS.length,
    campaigns,
    messages,
    callbacks,
    stops,
    incidentDay: incidentDay.toISODate()!,
    incidentAt: incidentDay.set({ hour: 21 }).toISO()!,
  };
}

export async function hasAnyMessages(db: Knex): Promise<boolean> {
  return Boolean(await db('messages').first('id'));
}
