import { describe, expect, it } from 'vitest';
import { ERROR_CODES, REASON_CODES, REASONED_STATUSES, reasonMatch, reasonOf } from '../../src/domain/reasons';
import { STATUSES } from '../../src/domain/status';
import { messageProblems } from '../../src/messages/block-limits';
import { reasonNumbersMessage } from '../../src/stats/drill.blocks';
import { decodeStack, encodeStack } from '../../src/stats/stats.blocks';

describe('a reason as a database filter', () => {
  it('matches exactly the messages reasonOf gives that reason (every code, no code, an unknown code; every status)', () => {
    const codes: Array<number | null> = [null, ...Object.keys(ERROR_CODES).map(Number), 12345];
    for (const reason of REASON_CODES) {
      const m = reasonMatch(reason);
      for (const status of STATUSES)
        for (const code of codes) {
          const inFilter =
            REASONED_STATUSES.has(status) &&
            (code === null
              ? m.nullStatuses.includes(status)
              : m.codes.includes(code) || (m.unknownCodes && !(code in ERROR_CODES)));
          expect(inFilter, `${reason} ${status} ${code}`).toBe(reasonOf(status, code) === reason);
        }
    }
  });
});

describe('the way back', () => {
  it('keeps the newest steps within the room, oldest dropped first', () => {
    const stack = ['30d', '30d campaign:cmp_42', '30d campaign:cmp_42 carrier:T-Mobile'];
    expect(decodeStack(encodeStack(stack))).toEqual(stack);
    expect(decodeStack(encodeStack(stack, 50))).toEqual(stack.slice(2));
    expect(decodeStack(encodeStack(['1', '2', '3', '4', '5', '6', '7']))).toEqual(['3', '4', '5', '6', '7']);
  });
});

describe('the numbers behind a reason (Block Kit)', () => {
  it('lists a page of masked numbers with paging and Back, within Slack’s limits (snapshot)', () => {
    const msg = reasonNumbersMessage(
      {
        reason: 'carrier_filtered',
        label: 'Carrier-blocked (filtered as spam)',
        total: 45,
        page: 2,
        pages: 3,
        rows: Array.from({ length: 20 }, (_, i) => ({
          phone: `+1720555${String(1000 + i)}`,
          campaign: i % 2 ? 'Black Friday MMS' : 'Green <Nov> 27',
          status: 'undelivered' as const,
          errorCode: 30007,
          sentAt: new Date(Date.UTC(2026, 10, 27, 18, i)),
        })),
      },
      '30d carrier:T-Mobile',
      'America/Denver',
      ['30d', '30d carrier:T-Mobile'],
    );
    expect(messageProblems(msg)).toEqual([]);
    expect(JSON.stringify(msg)).not.toMatch(/720555\d{4}/);
    expect(msg).toMatchSnapshot();
  });
});
