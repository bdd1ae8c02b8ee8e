import pino from 'pino';

export type Logger = pino.Logger;

// E.164 and bare 10–15 digit numbers, as SQL with bound values or error messages carry them
const PHONE = /\+?\b\d{10,15}\b/g;
const mask = (s: string) => s.replace(PHONE, (m) => `•••${m.slice(-4)}`);

/** Whole phone numbers never reach a log line: every string in it keeps the last four digits. */
export function redactPhones(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: mask(value.message) };
    if (value.stack) out.stack = mask(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = redactPhones(v, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redactPhones(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactPhones(v, depth + 1)]));
}

/** Structured JSON logs on stdout, one object per line, phone numbers masked. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'campaign-stats' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactPhones(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? mask(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
