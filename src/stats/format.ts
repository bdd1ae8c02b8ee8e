import { STATUS_LABELS, STATUSES } from '../domain/status';
import { REASONS } from '../domain/reasons';
import type { StatsResult } from './stats.service';

import { fmtInt as int, fmtPct as percent } from '../messages/format';

/** The CLI's plain-text rendering of a stats answer. */
export function formatStatsTable(r: StatsResult): string {
  const lines: string[] = [];
  const f = r.filters;
  const filters = [
    f.type ?? 'sms+mms',
    f.carrier ? `carrier ${f.carrier}` : 'all carriers',
    f.campaign ? `campaign ${f.campaign}` : null,
    f.account ? `account ${f.account}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(`Period   ${r.period.start} → ${r.period.end} (${r.period.timezone}, ${r.period.label})`);
  lines.push(`Filters  ${filters}`);
  lines.push('');
  const rows = STATUSES.map((s) => [
    STATUS_LABELS[s],
    int(r.statuses[s].segments),
    percent(r.totals.segments ? r.statuses[s].segments / r.totals.segments : null),
    int(r.statuses[s].messages),
  ]);
  rows.push(['Total Segments', int(r.totals.segments), r.totals.segments ? '100.0%' : '—', int(r.totals.messages)]);
  const head = ['Status', 'Segments', 'Share', 'Messages'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(fmt(head), widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((row, i) => {
    if (i === rows.length - 1) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    lines.push(fmt(row));
  });
  lines.push('');
  lines.push(
    `Delivery ${percent(r.rates.delivery)} · Undelivered ${percent(r.rates.undelivered)} · Unreachable ${percent(r.rates.unreachable)} · Failed ${percent(r.rates.failed)} (of settled segments)`,
  );
  if (r.carriers.length) {
    lines.push(
      '',
      'Top carriers: ' +
        r.carriers
          .slice(0, 5)
          .map((c) => `${c.carrier || 'Unknown'} ${int(c.totals.segments)} seg, ${percent(c.rates.delivery)} delivered`)
          .join('; '),
    );
  }
  if (r.campaigns.length) {
    lines.push(
      'Top campaigns: ' +
        r.campaigns
          .slice(0, 5)
          .map((c) => `${c.name ?? c.id} ${int(c.totals.segments)} seg, ${percent(c.rates.delivery)} delivered`)
          .join('; '),
    );
  }
  if (r.provisional_note) lines.push('', r.provisional_note);
  return lines.join('\n');
}

/** `stats --why`: every reason behind the failures, by whose fault, with the advice. */
export function formatReasons(r: StatsResult): string {
  const failures = r.reasons.reduce((n, x) => n + x.messages, 0);
  const lines = [`Period   ${r.period.start} → ${r.period.end} (${r.period.timezone}, ${r.period.label})`, ''];
  if (failures === 0) return [...lines, 'Nothing failed in this period with these filters.'].join('\n');
  lines.push(`${int(failures)} messages not delivered or not sent, of ${int(r.totals.messages)}`);
  for (const who of ['recipient', 'sender', 'carrier'] as const) {
    const mine = r.reasons.filter((x) => x.attribution === who);
    if (!mine.length) continue;
    lines.push(
      '',
      `${who.toUpperCase()} · ${percent(mine.reduce((n, x) => n + x.messages, 0) / failures)} of failures`,
    );
    for (const x of mine) {
      lines.push(`  ${x.label} (${STATUS_LABELS[x.status]}): ${int(x.messages)} messages, ${int(x.segments)} segments`);
      lines.push(`    ${REASONS[x.reason].advice}`);
    }
  }
  return lines.join('\n');
}
