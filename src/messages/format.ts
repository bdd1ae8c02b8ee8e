/** Number formats, one for the CLI and Slack alike. */
export const fmtPct = (x: number | null, digits = 1) => (x === null ? '—' : `${(x * 100).toFixed(digits)}%`);
export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const plural = (n: number, word: string) => `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;
export const money = (x: number) => `$${x.toFixed(2)}`;
