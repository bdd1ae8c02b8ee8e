import type { Status } from './status';

/**
 * Why a message did not get through (DESIGN §1 "Reasons and attribution"): the provider's
 * error code, else its status, names a reason; each reason has a label, one line of advice, and
 * an attribution — the number's fault (`recipient`), the sender's (`sender`), or the carrier's
 * (`carrier`). The auto-unsubscribe rule counts `recipient` failures only.
 */
export type Attribution = 'recipient' | 'sender' | 'carrier';

export const REASON_CODES = [
  'invalid_number',
  'landline',
  'handset_unreachable',
  'mms_unsupported',
  'unsubscribed',
  'carrier_filtered',
  'sender_unregistered',
  'sending_limit',
  'sender_account',
  'carrier_error',
  'other',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export const REASONS: Readonly<Record<ReasonCode, { label: string; attribution: Attribution; advice: string }>> = {
  invalid_number: {
    label: 'Invalid number',
    attribution: 'recipient',
    advice: 'The number is not a valid or active mobile number: remove it or ask the customer for a new one.',
  },
  landline: {
    label: 'Landline or cannot receive texts',
    attribution: 'recipient',
    advice:
      'The number cannot receive texts (a landline, or a carrier that does not take SMS): ask for a mobile number.',
  },
  handset_unreachable: {
    label: 'Handset unreachable',
    attribution: 'recipient',
    advice: 'The phone was off, out of coverage or roaming; one failure is normal, a run of them means a dead number.',
  },
  mms_unsupported: {
    label: 'Cannot receive MMS',
    attribution: 'recipient',
    advice: 'The handset or its carrier does not take MMS: send this audience SMS with a link instead of media.',
  },
  unsubscribed: {
    label: 'Replied STOP',
    attribution: 'recipient',
    advice: 'The customer unsubscribed: nothing was sent; they get messages again only if they opt back in.',
  },
  carrier_filtered: {
    label: 'Carrier-blocked (filtered as spam)',
    attribution: 'carrier',
    advice:
      'The carrier filtered the content: remove shortened links, ALL CAPS and spammy words, name the business, and keep STOP language.',
  },
  sender_unregistered: {
    label: 'Sender not registered or verified',
    attribution: 'sender',
    advice:
      'The sending number is not registered (A2P 10DLC) or verified (toll-free): finish registration before sending again.',
  },
  sending_limit: {
    label: 'Sending limit reached',
    attribution: 'sender',
    advice:
      'The campaign exceeded a throughput or daily limit: spread the send over time or raise the limit with the provider.',
  },
  sender_account: {
    label: 'Sender account problem',
    attribution: 'sender',
    advice:
      'The sending account refused the message (suspended, unpaid, or not enabled for this destination): check the account.',
  },
  carrier_error: {
    label: 'Carrier error (no reason given)',
    attribution: 'carrier',
    advice:
      'The carrier failed without saying why; usually transient — if it persists on one carrier, raise it with the provider.',
  },
  other: {
    label: 'Other',
    attribution: 'carrier',
    advice: 'An error code we do not classify yet: look it up in the provider’s error reference.',
  },
};

/**
 * Provider error codes we know, with the title of the provider's published error reference
 * entry (Twilio's error pages, one per code), the reason, and — for `undelivered` callbacks —
 * the status the code means. The one table for codes: the status mapping reads it too.
 */
export const ERROR_CODES: Readonly<Record<number, { title: string; reason: ReasonCode; status?: Status }>> = {
  21211: { title: "Invalid 'To' Phone Number", reason: 'invalid_number', status: 'failed' },
  21408: {
    title: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
    reason: 'sender_account',
    status: 'failed',
  },
  21610: { title: 'Attempt to send to unsubscribed recipient', reason: 'unsubscribed', status: 'unreachable' },
  21611: {
    title: "This 'From' number has exceeded the maximum number of queued messages",
    reason: 'sending_limit',
    status: 'failed',
  },
  21612: { title: "The 'To' phone number is not currently reachable via SMS", reason: 'landline', status: 'failed' },
  21614: { title: "'To' number is not a valid mobile number", reason: 'invalid_number', status: 'failed' },
  30001: { title: 'Queue overflow', reason: 'sending_limit' },
  30002: { title: 'Account suspended', reason: 'sender_account', status: 'ignored' },
  30003: { title: 'Unreachable destination handset', reason: 'handset_unreachable', status: 'unreachable' },
  30004: { title: 'Message blocked', reason: 'carrier_filtered' },
  30005: { title: 'Unknown destination handset', reason: 'invalid_number', status: 'unreachable' },
  30006: { title: 'Landline or unreachable carrier', reason: 'landline', status: 'unreachable' },
  30007: { title: 'Message filtered', reason: 'carrier_filtered' },
  30008: { title: 'Unknown error', reason: 'carrier_error' },
  30010: { title: 'Message price exceeds max price', reason: 'sender_account' },
  30011: {
    title: 'MMS not supported by the receiving phone number in this region',
    reason: 'mms_unsupported',
    status: 'unreachable',
  },
  30022: { title: 'US A2P 10DLC - Rate Limits Exceeded', reason: 'sending_limit' },
  30023: { title: 'US A2P 10DLC - Daily Message Cap Reached', reason: 'sending_limit' },
  30027: { title: 'US A2P 10DLC - T-Mobile Daily Message Limit Reached', reason: 'sending_limit' },
  30032: { title: 'Toll-Free Number Has Not Been Verified', reason: 'sender_unregistered' },
  30034: { title: 'US A2P 10DLC - Message from an Unregistered Number', reason: 'sender_unregistered' },
  30035: { title: 'Messaging Service contains no phone numbers', reason: 'sender_account' },
  30036: { title: 'Validity Period Expired', reason: 'sending_limit' },
  30410: { title: 'Provider Timeout Error', reason: 'carrier_error' },
  30450: { title: 'Message delivery blocked', reason: 'sender_account' },
  63038: { title: 'Account exceeded the daily messages limit', reason: 'sending_limit' },
};

/** The statuses that have a reason: a message that was not delivered, or not sent. */
export const REASONED_STATUSES: ReadonlySet<Status> = new Set(['failed', 'ignored', 'unreachable', 'undelivered']);

/** Why a message in `status` with `errorCode` did not get through; null for queued and delivered messages. */
export function reasonOf(status: Status, errorCode: number | null): ReasonCode | null {
  if (!REASONED_STATUSES.has(status)) return null;
  const known = errorCode === null ? undefined : ERROR_CODES[errorCode];
  if (known) return known.reason;
  if (errorCode !== null) return 'other';
  switch (status) {
    case 'failed':
      return 'invalid_number'; // the sender's own "failed": it could not be sent to that number
    case 'ignored':
      return 'sender_account'; // not sent: the account's messaging subscription is inactive or unpaid
    case 'unreachable':
      return 'unsubscribed'; // the sender's own "unreachable": the number had unsubscribed
    default:
      return 'carrier_error'; // undelivered with no code
  }
}

export const attributionOf = (status: Status, errorCode: number | null): Attribution | null => {
  const r = reasonOf(status, errorCode);
  return r === null ? null : REASONS[r].attribution;
};

/**
 * The messages a reason stands for, as a filter the database can apply: their error codes, the
 * statuses that mean it with no code, and (for `other`) any code the table does not know. The
 * same rule as `reasonOf`, turned around (a test checks every code and status against it).
 */
export function reasonMatch(reason: ReasonCode): { codes: number[]; nullStatuses: Status[]; unknownCodes: boolean } {
  return {
    codes: Object.entries(ERROR_CODES)
      .filter(([, e]) => e.reason === reason)
      .map(([c]) => Number(c)),
    nullStatuses: [...REASONED_STATUSES].filter((st) => reasonOf(st, null) === reason),
    unknownCodes: reason === 'other',
  };
}

export const KNOWN_ERROR_CODES: readonly number[] = Object.keys(ERROR_CODES).map(Number);
