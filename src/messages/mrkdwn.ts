/** Escapes user-supplied text for Slack mrkdwn (campaign and account names, carriers). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Phone numbers are never shown whole in Slack: last four digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `•••${digits.slice(-4)}`;
}

export { fmtInt, fmtPct, lowerFirst, money, plural } from './format';
