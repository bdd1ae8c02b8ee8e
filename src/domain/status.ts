import { ERROR_CODES } from './reasons';

/**
 * The seven statuses (DESIGN §1), how provider callbacks map onto them, and how a
 * message's status moves. This file is the one place those rules live.
 */

export const STATUSES = [
  'queued',
  'failed',
  'ignored',
  'unreachable',
  'undelivered',
  'delivered_unconfirmed',
  'delivered_confirmed',
] as const;

export type Status = (typeof STATUSES)[number];

export const STATUS_LABELS: Readonly<Record<Status, string>> = {
  queued: 'Queued',
  failed: 'Failed',
  ignored: 'Ignored',
  unreachable: 'Unreachable',
  undelivered: 'Undelivered',
  delivered_unconfirmed: 'Delivery (Unconfirmed)',
  delivered_confirmed: 'Delivery (Confirmed)',
};

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

/**
 * Precedence of statuses: a message's status is the highest-ranked status ever reported
 * for it, so the result does not depend on the order (or repetition) of callbacks.
 *
 * queued < delivered_unconfirmed < every final status. Among finals a failure beats a
 * delivery (a multi-part message with one failed part was not delivered). Among failures
 * the more specific, more final statement wins: undelivered (carrier tried) <
 * unreachable (the handset/number cannot be reached) < failed (could not be sent at all) <
 * ignored (never handed to the provider: nothing a provider says later can be true).
 */
const PRECEDENCE: Readonly<Record<Status, number>> = {
  queued: 0,
  delivered_unconfirmed: 1,
  delivered_confirmed: 2,
  undelivered: 3,
  unreachable: 4,
  failed: 5,
  ignored: 6,
};

/** The status a message ends in when `reported` is reported while it is in `current`. */
export function mergeStatus(current: Status, reported: Status): Status {
  return PRECEDENCE[reported] > PRECEDENCE[current] ? reported : current;
}

export function foldStatuses(initial: Status, reported: Iterable<Status>): Status {
  let status = initial;
  for (const s of reported) status = mergeStatus(status, s);
  return status;
}

/** The recipient had unsubscribed (replied STOP): the message was refused, never attempted. */
export const RECIPIENT_UNSUBSCRIBED = 21610;

/** Error codes that decide the status whatever status the provider reported with them. */
// (21610: refused, the recipient had unsubscribed; 30002: the sending account was suspended)
const OVERRIDING_ERROR_CODES: ReadonlySet<number> = new Set([RECIPIENT_UNSUBSCRIBED, 30002]);

/** Statuses with an outcome: every status but Queued (none yet) and Ignored (never sent). */
export const SETTLED_STATUSES: readonly Status[] = [
  'failed',
  'unreachable',
  'undelivered',
  'delivered_unconfirmed',
  'delivered_confirmed',
];
/** SETTLED_STATUSES as a set, for membership tests. */
export const SETTLED_STATUS_SET: ReadonlySet<Status> = new Set(SETTLED_STATUSES);
export const FAILURE_STATUSES: ReadonlySet<Status> = new Set(['failed', 'undelivered', 'unreachable']);
export const DELIVERY_STATUSES: ReadonlySet<Status> = new Set(['delivered_confirmed', 'delivered_unconfirmed']);

/** Provider message statuses (Twilio's vocabulary; other providers are mapped onto it). */
export const PROVIDER_STATUSES: Readonly<Record<string, Status | 'by-error-code' | null>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'delivered_unconfirmed',
  delivered: 'delivered_confirmed',
  read: 'delivered_confirmed', // channels with read receipts: read implies delivered
  undelivered: 'by-error-code', // unreachable for the codes above that say so, else undelivered
  failed: 'failed',
  partially_delivered: 'undelivered', // some parts of a multi-part message were not delivered
  canceled: null, // a scheduled send cancelled by the sender: kept raw, moves nothing
};

/**
 * Maps a provider status (+ optional error code) to one of the seven statuses.
 * `null` means the callback is kept but moves no status (e.g. `canceled`).
 * `undefined` means the provider status is not one we know.
 */
export function mapProviderStatus(providerStatus: string, errorCode: number | null): Status | null | undefined {
  if (errorCode !== null && OVERRIDING_ERROR_CODES.has(errorCode)) return ERROR_CODES[errorCode]!.status!;
  const key = providerStatus.toLowerCase();
  // own keys only: "constructor" or "__proto__" must not look up a function of a plain object
  const mapped = Object.hasOwn(PROVIDER_STATUSES, key) ? PROVIDER_STATUSES[key] : undefined;
  if (mapped === undefined || mapped === null) return mapped;
  if (mapped === 'by-error-code') {
    const known = errorCode === null ? undefined : ERROR_CODES[errorCode];
    return known?.status === 'unreachable' ? 'unreachable' : 'undelivered';
  }
  return mapped;
}

/**
 * Whether a message with this status counts as sent to the carrier: used by rates and by
 * the auto-unsubscribe rule. Sender-reported `ignored`/`unreachable` were never attempted,
 * nor was anything refused because the recipient had unsubscribed (21610).
 */
export function wasAttempted(initialStatus: Status, errorCode: number | null): boolean {
  if (initialStatus === 'ignored' || initialStatus === 'unreachable') return false;
  return errorCode !== RECIPIENT_UNSUBSCRIBED;
}

export type StatusCounts = Record<Status, { segments: number; messages: number }>;

export function emptyStatusCounts(): StatusCounts {
  const out = {} as StatusCounts;
  for (const s of STATUSES) out[s] = { segments: 0, messages: 0 };
  return out;
}
