import { describe, expect, it } from 'vitest';
import { countSegments, resolveSegments } from '../../../src/domain/segments';

describe('segment counting (DESIGN §2)', () => {
  it.each([
    ['GSM-7 empty', '', 'GSM-7', 1],
    ['GSM-7 160', 'a'.repeat(160), 'GSM-7', 1],
    ['GSM-7 161', 'a'.repeat(161), 'GSM-7', 2],
    ['GSM-7 306', 'a'.repeat(306), 'GSM-7', 2],
    ['GSM-7 307', 'a'.repeat(307), 'GSM-7', 3],
    ['GSM-7 459', 'a'.repeat(459), 'GSM-7', 3],
    ['GSM-7 460', 'a'.repeat(460), 'GSM-7', 4],
    ['UCS-2 70', 'é'.repeat(0) + 'ł'.repeat(70), 'UCS-2', 1],
    ['UCS-2 71', 'ł'.repeat(71), 'UCS-2', 2],
    ['UCS-2 134', 'ł'.repeat(134), 'UCS-2', 2],
    ['UCS-2 135', 'ł'.repeat(135), 'UCS-2', 3],
  ] as const)('%s', (_name, text, encoding, segments) => {
    expect(countSegments(text)).toMatchObject({ encoding, segments });
  });

  it('counts each extension character as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments(`a${'€'.repeat(80)}`)).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    for (const ch of '^{}\\[~]|€') expect(countSegments(ch).units).toBe(2);
  });

  it('never splits an escape sequence across parts', () => {
    // 152 plain septets then an extension character: 154 septets would fit two parts of 153
    // only by splitting the escape pair, so the € moves to part two.
    const text = `${'a'.repeat(152)}€${'a'.repeat(10)}`;
    expect(countSegments(text)).toEqual({ encoding: 'GSM-7', segments: 2, units: 164 });
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(151)}`).segments).toBe(2);
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
  });

  it('switches the whole message to UCS-2 for one character outside GSM-7', () => {
    expect(countSegments(`${'a'.repeat(69)}😀`)).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
    expect(countSegments(`${'a'.repeat(68)}😀`)).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments('Happy hour 4–6pm')).toMatchObject({ encoding: 'UCS-2' }); // the en dash
  });

  it('never splits a surrogate pair across UCS-2 parts', () => {
    expect(countSegments(`${'a'.repeat(66)}😀${'a'.repeat(10)}`).segments).toBe(2);
    expect(countSegments(`${'a'.repeat(66)}😀${'a'.repeat(66)}`).segments).toBe(3);
  });

  it('prefers a reported count, then computes, then uses the MMS default', () => {
    expect(resolveSegments({ type: 'sms', segments: 4, body: 'hi', mmsSegments: 1 })).toBe(4);
    expect(resolveSegments({ type: 'sms', body: 'a'.repeat(161), mmsSegments: 1 })).toBe(2);
    expect(resolveSegments({ type: 'mms', body: 'a'.repeat(500), mmsSegments: 3 })).toBe(3);
  });
});
