import { notice, type SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtInt, plural } from '../messages/mrkdwn';
import type { ExportOutcome } from './export.service';

/** What an export did: sent (where, how many rows), or too large (and how to narrow it). */
export function exportMessage(
  o: Exclude<ExportOutcome, { type: 'files' }> | { type: 'sent'; title: string; rows: number; reasonRows: number },
): SlackMessage {
  switch (o.type) {
    case 'too-large':
      return notice(
        `:warning: The export of \`${escapeMrkdwn(o.title)}\` would be more than ${fmtInt(o.max)} rows (it passed that after ${fmtInt(o.days)} of ${fmtInt(o.daysTotal)} days). Narrow it — a shorter period, \`sms\` or \`mms\`, a carrier, a campaign or an account — or run \`campaign-stats export WORDS --out FILE\` on the server, which has no limit.`,
      );
    case 'sent':
      return notice(
        `:page_facing_up: Sent you the export of \`${escapeMrkdwn(o.title)}\` in a direct message: ${plural(o.rows, 'row')} (day × campaign × carrier × type × status) and ${plural(o.reasonRows, 'row')} of reasons.`,
      );
  }
}
