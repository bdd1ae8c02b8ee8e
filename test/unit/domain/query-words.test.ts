import { describe, expect, it } from 'vitest';
import { parseQueryWords, tokenize, type KnownNames } from '../../../src/domain/query-words';

const known: KnownNames = {
  carriers: ['AT&T', 'T-Mobile', 'US Cellular', 'Verizon'],
  campaigns: [
    { id: 'cmp_42', name: 'Black Friday' },
    { id: 'cmp_43', name: 'Cyber Monday' },
  ],
  accounts: [{ id: 'acct_1', name: 'Green Leaf Denver' }],
};
const now = new Date('2026-11-28T15:30:00Z');
const parse = (text: string, zone = 'UTC') => parseQueryWords(text, known, zone, now);

describe('query words', () => {
  it('tokenizes quoted values, including Slack’s curly quotes', () => {
    expect(tokenize('30d campaign:"Black Friday" mms')).toEqual(['30d', 'campaign:Black Friday', 'mms']);
    expect(tokenize('campaign:“Black Friday”')).toEqual(['campaign:Black Friday']);
  });

  it('defaults to the last 7 days and everything', () => {
    const r = parse('');
    expect(r).toMatchObject({
      ok: true,
      query: { type: null, carrier: null, campaign: null, account: null, period: { label: '7d' } },
    });
  });

  it('reads words in any order', () => {
    const r = parse('carrier:verizon mms 30d campaign:"black friday" account:acct_1');
    expect(r).toMatchObject({
      ok: true,
      query: {
        type: 'mms',
        carrier: 'Verizon',
        campaign: { id: 'cmp_42' },
        account: { id: 'acct_1' },
        period: { label: '30d' },
      },
    });
  });

  it('knows carriers by name alone, however they are spelled', () => {
    expect(parse('att')).toMatchObject({ ok: true, query: { carrier: 'AT&T' } });
    expect(parse('T-MOBILE')).toMatchObject({ ok: true, query: { carrier: 'T-Mobile' } });
    expect(parse('cmp_43')).toMatchObject({ ok: true, query: { campaign: { id: 'cmp_43', name: 'Cyber Monday' } } });
  });

  it('names every word it does not understand', () => {
    expect(parse('30d mms banana carrier:verizn')).toEqual({
      ok: false,
      errors: [
        { word: 'banana', message: 'I don\'t understand "banana".' },
        { word: 'carrier:verizn', message: 'no carrier called "verizn" has sent us anything. Did you mean "Verizon"?' },
      ],
    });
  });

  it('offers the closest campaign names', () => {
    expect(parse('campaign:"Black Fryday"')).toEqual({
      ok: false,
      errors: [
        { word: 'campaign:Black Fryday', message: 'no campaign called "Black Fryday". Did you mean "Black Friday"?' },
      ],
    });
  });

  it('refuses two periods, impossible periods, unknown keys and zones', () => {
    expect(parse('7d 30d')).toEqual({
      ok: false,
      errors: [{ word: '30d', message: '"30d": only one period can be given' }],
    });
    expect(parse('2026-02-30')).toEqual({
      ok: false,
      errors: [{ word: '2026-02-30', message: '"2026-02-30" is not a date (use YYYY-MM-DD)' }],
    });
    expect(parse('colour:red')).toMatchObject({
      ok: false,
      errors: [{ word: 'colour:red', message: expect.stringContaining('"colour:" is not a filter I know') }],
    });
    expect(parse('tz:Mars/Olympus')).toEqual({
      ok: false,
      errors: [{ word: 'tz:Mars/Olympus', message: '"Mars/Olympus" is not an IANA time zone (like America/Denver)' }],
    });
  });

  it('resolves periods in the time zone asked for', () => {
    const r = parse('yesterday tz:America/Denver');
    expect(r.ok && [r.query.period.start.toISOString(), r.query.period.timezone]).toEqual([
      '2026-11-27T07:00:00.000Z',
      'America/Denver',
    ]);
  });

  it('answers a name two accounts (or campaigns) share with the candidates, never one of them', () => {
    const twins: KnownNames = {
      carriers: [],
      campaigns: [
        { id: 'cmp_1', name: 'Green Nov 27 SMS' },
        { id: 'cmp_2', name: 'Green Nov 27 SMS' },
      ],
      accounts: [
        { id: 'acct_greenleaf', name: 'Green Leaf Denver' },
        { id: 'acct_1', name: 'Green Leaf Denver' },
      ],
    };
    expect(parseQueryWords('30d account:"Green Leaf Denver"', twins, 'UTC', now)).toEqual({
      ok: false,
      errors: [
        {
          word: 'account:Green Leaf Denver',
          message:
            '"Green Leaf Denver" names 2 accounts: account:acct_greenleaf, account:acct_1. Write the one you mean by its id.',
        },
      ],
    });
    expect(parseQueryWords('campaign:"green nov 27 sms"', twins, 'UTC', now)).toMatchObject({
      ok: false,
      errors: [
        {
          message:
            '"green nov 27 sms" names 2 campaigns: campaign:cmp_1, campaign:cmp_2. Write the one you mean by its id.',
        },
      ],
    });
    expect(parseQueryWords('account:acct_1', twins, 'UTC', now)).toMatchObject({
      ok: true,
      query: { account: { id: 'acct_1' } },
    });
  });

  it('names the campaign a bare name spells, and says to write it with campaign:"…"', () => {
    const demo: KnownNames = { ...known, campaigns: [...known.campaigns, { id: 'cmp_g', name: 'Green Nov 27 SMS' }] };
    expect(parseQueryWords('Green Nov 27 SMS', demo, 'UTC', now)).toEqual({
      ok: false,
      errors: [
        {
          word: 'Green Nov 27 SMS',
          message:
            '"Green Nov 27 SMS" is a campaign: write campaign:"Green Nov 27 SMS" (a name of several words goes in quotes after campaign:).',
        },
      ],
    });
    // words that spell no campaign are still named back one by one
    expect(parseQueryWords('Green Nov 28', demo, 'UTC', now)).toMatchObject({ ok: false });
    expect((parseQueryWords('Green Nov 28', demo, 'UTC', now) as { errors: unknown[] }).errors).toHaveLength(3);
  });
});
