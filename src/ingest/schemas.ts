import { z } from 'zod';
import { STATUSES } from '../domain/status';

/** Input contracts of DESIGN §5, shared by the HTTP API and the file import. */

export const idSchema = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' });
/**
 * What a provider message id is, for the ingest API, the file import and the webhook alike:
 * Twilio's SIDs (SM…/MM… and 32 hex digits) and other providers' ids, 1–64 characters of
 * letters, digits and `._:-`, starting with a letter or digit.
 */
export const providerMessageIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, {
  message: 'must be 1 to 64 letters, digits, ".", "_", ":" or "-" (a provider message id such as a Twilio SID)',
});

export const e164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, { message: 'must be an E.164 phone number like +13035550123' });
const timestamp = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO 8601 timestamp with a zone, like 2026-11-27T15:00:00Z',
  })
  // the database keeps years 1000–9999; later ones would fail on write (a 500), so they are named here
  .refine((v) => {
    const y = new Date(v).getUTCFullYear();
    return Number.isNaN(y) || (y >= 2000 && y <= 9999); // not a date at all: the check above says so
  }, 'must be a time between the years 2000 and 9999');

/** Provider error codes fit a 32-bit column; larger ones are not codes. */
const MAX_ERROR_CODE = 2_147_483_647;

export const messageRecordSchema = z.strictObject({
  provider_message_id: providerMessageIdSchema,
  account_id: idSchema,
  account_name: z.string().max(255).nullish(),
  campaign_id: idSchema,
  campaign_name: z.string().max(255).nullish(),
  to: e164,
  carrier: z.string().trim().max(64).nullish(),
  type: z.enum(['sms', 'mms']),
  segments: z.number().int().min(1).max(1000).nullish(),
  body: z.string().max(20_000).nullish(),
  status: z.enum(STATUSES),
  error_code: z
    .number()
    .int()
    .min(0)
    .max(MAX_ERROR_CODE, { message: `must be at most ${MAX_ERROR_CODE}` })
    .nullish(),
  sent_at: timestamp,
});
export type MessageRecord = z.infer<typeof messageRecordSchema>;

export const MAX_MESSAGES_PER_BATCH = 1000;

export const messageBatchSchema = z.strictObject({
  messages: z
    .array(messageRecordSchema)
    .min(1, { message: 'must hold at least one record' })
    .max(MAX_MESSAGES_PER_BATCH, { message: `must hold at most ${MAX_MESSAGES_PER_BATCH} records per batch` }),
});

export const subscriptionEventSchema = z.strictObject({
  account_id: idSchema,
  phone: e164,
  event: z.enum(['unsubscribed', 'subscribed']),
  reason: z.enum(['stop', 'manual', 'auto']),
  at: timestamp,
});
export type SubscriptionEventInput = z.infer<typeof subscriptionEventSchema>;

export const subscriptionBatchSchema = z.strictObject({
  events: z
    .array(subscriptionEventSchema)
    .min(1, { message: 'must hold at least one event' })
    .max(MAX_MESSAGES_PER_BATCH, { message: `must hold at most ${MAX_MESSAGES_PER_BATCH} events per batch` }),
});

export interface FieldError {
  path: string;
  message: string;
}

/** `messages.3.to` → `messages[3].to` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: 'is not a known field' }));
    }
    return [{ path: formatPath(i.path), message: i.message }];
  });
}

/** Twilio status callback parameters we read; everything else is kept raw. */
export const twilioCallbackSchema = z.object({
  MessageSid: providerMessageIdSchema,
  AccountSid: z.string().optional(),
  // every field bounded before it reaches the database: one bad callback must not fail its group
  MessageStatus: z.string().min(1).max(32, { message: 'must be at most 32 characters' }),
  ErrorCode: z
    .string()
    .regex(/^\d{0,9}$/, { message: 'must be a number of at most 9 digits' })
    .optional(),
  NumSegments: z
    .string()
    .regex(/^\d{1,4}$/, { message: 'must be a number from 1 to 9999' })
    .refine((v) => Number(v) >= 1, 'must be a number from 1 to 9999')
    .optional(),
});
