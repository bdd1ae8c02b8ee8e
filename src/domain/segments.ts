/**
 * SMS segment counting (DESIGN §2). GSM-7 messages hold 160 septets in one segment or 153
 * per part when concatenated; extension characters take two septets (an escape and the
 * character) and are never split across parts. One character outside GSM-7 switches the
 * message to UCS-2: 70 UTF-16 code units in one segment, 67 per part, and a surrogate pair
 * is never split.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';

const BASIC = new Set(Array.from(GSM7_BASIC));
const EXTENSION = new Set(Array.from(GSM7_EXTENSION));

export type Encoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: Encoding;
  segments: number;
  /** septets for GSM-7, UTF-16 code units for UCS-2 */
  units: number;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/** Packs characters of the given widths into parts of `perPart` units, never splitting one. */
function packParts(widths: number[], single: number, perPart: number): number {
  const total = widths.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > perPart) {
      parts += 1;
      used = 0;
    }
    used += w;
  }
  return parts;
}

export function countSegments(text: string): SegmentCount {
  const chars = Array.from(text); // code points
  if (isGsm7(text)) {
    const widths = chars.map((ch) => (EXTENSION.has(ch) ? 2 : 1));
    return { encoding: 'GSM-7', segments: packParts(widths, 160, 153), units: widths.reduce((a, b) => a + b, 0) };
  }
  const widths = chars.map((ch) => ch.length); // 2 for astral characters (surrogate pairs)
  return { encoding: 'UCS-2', segments: packParts(widths, 70, 67), units: widths.reduce((a, b) => a + b, 0) };
}

/**
 * The segments a message is billed for: the provider's own count wins, then the sender's,
 * then one computed from the body (SMS) or the configured per-MMS figure.
 */
export function resolveSegments(input: {
  type: 'sms' | 'mms';
  segments?: number | null | undefined;
  body?: string | null | undefined;
  mmsSegments: number;
}): number {
  if (input.segments !== undefined && input.segments !== null) return input.segments;
  if (input.type === 'mms') return input.mmsSegments;
  return countSegments(input.body ?? '').segments;
}
