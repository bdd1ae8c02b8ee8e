/** Number formats, one for the CLI and Slack alike. */
export const fmtPct = (x: number | null, digits = 1) => (x === null ? '—' : `${(x * 100).toFixed(digits)}%`);
export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const plural = (n: number, word: string) => `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;
export const money = (x: number) => `$${x.toFixed(2)}`;
/** A label inside a sentence: "Replied STOP" → "replied STOP", "Cannot receive MMS" → "cannot receive MMS" (only a first capital is lowered; "MMS …" stays). */
export const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);
