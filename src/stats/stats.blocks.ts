import type { ActionsBlock, ContextBlock, KnownBlock, PlainTextOption, SectionBlock } from '@slack/types';
import { imageBlock, type ChartImage, type SlackMessage } from '../messages/message';
import { campaignLine, changeText } from '../messages/lines';
import { deliveryChange } from '../domain/rates';
import { DateTime } from 'luxon';
import { FAILURE_STATUSES, STATUS_LABELS, STATUSES, type Status } from '../domain/status';
import { REASONS, type Attribution } from '../domain/reasons';
import type { StatsView } from './stats-view.service';
import type { ReasonCount } from './stats.service';
import { escapeMrkdwn, fmtInt, fmtPct, plural } from '../messages/mrkdwn';
import { SLACK_LIMITS } from '../messages/block-limits';
import { queryToWords } from '../domain/query-words';
import { changeWords, explainMessage } from './explain.blocks';

/** Each figure's denominator, said where the figures are shown. */
export const SHARES_NOTE =
  'Shares by status are of all segments; the delivery rate is of settled segments (everything but Queued and Ignored).';

export const ACTION = {
  period: 'stats_period',
  type: 'stats_type',
  carrier: 'stats_carrier',
  share: 'stats_share',
  export: 'stats_export',
  drillCampaign: 'stats_drill_campaign',
  drillCarrier: 'stats_drill_carrier',
  drillReason: 'stats_drill_reason',
  back: 'stats_back',
  page: 'stats_reason_page',
} as const;

/**
 * The drill-down block carries the way back: the words of every answer before this one and
 * this one's own, oldest first (what Back returns to), within a block_id's 255 characters —
 * the oldest steps are dropped past it.
 */
export const DRILL_BLOCK_PREFIX = 'drill:';
const STACK_SEPARATOR = '␞';
/** How many steps back are kept at most. */
export const BACK_STEPS = 5;

export function encodeStack(stack: readonly string[], room: number = SLACK_LIMITS.blockId): string {
  let kept = stack.slice(-BACK_STEPS);
  while (kept.length > 1 && kept.join(STACK_SEPARATOR).length > room) kept = kept.slice(1);
  return kept.join(STACK_SEPARATOR).slice(0, room);
}

export const decodeStack = (s: string): string[] => (s === '' ? [] : s.split(STACK_SEPARATOR));

/** The stack a drill-down block carries (the answers before, then this one's words). */
export function stackFromDrillBlock(blockId: string): string[] | null {
  if (!blockId.startsWith(DRILL_BLOCK_PREFIX)) return null;
  const rest = blockId.slice(DRILL_BLOCK_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? null : decodeStack(rest.slice(colon + 1));
}

/** The controls block carries the answer's words, so an interaction can rebuild it. */
export const CONTROLS_BLOCK_PREFIX = 'stats:';

const PERIOD_CHOICES: Array<[string, string]> = [
  ['today', 'Today'],
  ['yesterday', 'Yesterday'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
  ['this-month', 'This month'],
  ['last-month', 'Last month'],
];

export function periodTitle(label: string): string {
  const known = PERIOD_CHOICES.find(([w]) => w === label);
  if (known) return known[1];
  let m = /^(\d+)([dhw])$/.exec(label);
  if (m) return `Last ${m[1]} ${{ d: 'days', h: 'hours', w: 'weeks' }[m[2] as 'd' | 'h' | 'w']}`;
  if (label === 'this-week') return 'This week';
  if (label === 'last-week') return 'Last week';
  m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m) return DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]) }).toFormat('LLLL yyyy');
  return label;
}

/** "Nov 22 – Nov 28, 2026" (end shown inclusive), or with times for periods not on days. */
export function periodRange(startIso: string, endIso: string, zone: string): string {
  const s = DateTime.fromISO(startIso, { zone });
  const e = DateTime.fromISO(endIso, { zone });
  const onDays = s.equals(s.startOf('day')) && e.equals(e.startOf('day'));
  if (onDays) {
    const last = e.minus({ days: 1 });
    return last.hasSame(s, 'day')
      ? s.toFormat('ccc LLL d, yyyy')
      : `${s.toFormat('LLL d')} – ${last.toFormat('LLL d, yyyy')}`;
  }
  return `${s.toFormat('LLL d HH:mm')} – ${e.toFormat('LLL d HH:mm')}`;
}

function filtersText(view: StatsView): string {
  const q = view.query;
  return [
    q.type ? q.type.toUpperCase() : 'SMS + MMS',
    q.carrier !== null ? `carrier ${escapeMrkdwn(q.carrier || 'Unknown')}` : 'all carriers',
    q.campaign ? `campaign ${escapeMrkdwn(q.campaign.name ?? q.campaign.id)}` : null,
    q.account ? `account ${escapeMrkdwn(q.account.name ?? q.account.id)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "the previous 30 days" for a rolling period, else "the period before". */
function againstWords(view: StatsView): string {
  return /^\d+[dhw]$/.test(view.query.period.label)
    ? `the previous ${periodTitle(view.query.period.label)
        .toLowerCase()
        .replace(/^last /, '')}`
    : 'the period before';
}

/** `/campaign-stats explain [words]`: the answer's change against the period before, in full. */
export function explainAnswer(view: StatsView): SlackMessage {
  return explainMessage(view.change ?? null, {
    title: periodTitle(view.query.period.label),
    against: againstWords(view),
    words: queryToWords(view.query, view.defaultZone, { names: true }),
  });
}

function deliveryLine(view: StatsView): string {
  const now = view.stats.rates.delivery;
  const before = view.previousDeliveryRate;
  let change = '';
  const moved = deliveryChange(now, before);
  if (moved) {
    change = ` ${changeText(moved, againstWords(view))}`;
  } else if (now !== null) change = ' (nothing to compare with in the previous period)';
  return `Delivery rate *${fmtPct(now)}*${change}`;
}

/** "\nWhat changed: *T-Mobile* ▼ 3.1 (mostly carrier filtering), …", when a cause is worth naming. */
function whatChanged(view: StatsView): string {
  const words = changeWords(view.change ?? null);
  return words ? `\nWhat changed: ${words} · \`explain\` for the whole table` : '';
}

function topLines(view: StatsView): string[] {
  const s = view.stats;
  const lines: string[] = [];
  if (!view.query.campaign && s.campaigns.length) {
    lines.push(
      '*Top campaigns*',
      ...s.campaigns
        .slice(0, 5)
        .map((c) => campaignLine({ id: c.id, name: c.name, segments: c.totals.segments, delivery: c.rates.delivery })),
    );
  }
  if (view.query.carrier === null && s.carriers.length) {
    lines.push(
      '*Carriers*',
      ...s.carriers
        .slice(0, 5)
        .map(
          (c) =>
            `• ${escapeMrkdwn(c.carrier || 'Unknown')} — ${fmtInt(c.totals.segments)} seg, ${fmtPct(c.rates.delivery)} delivered, ${fmtPct(c.rates.undelivered)} undelivered`,
        ),
    );
  }
  return lines;
}

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text: text.slice(0, SLACK_LIMITS.optionText) },
  value,
});

function controls(view: StatsView, version: number): ActionsBlock {
  const q = view.query;
  const periods = PERIOD_CHOICES.map(([w, t]) => option(t, w));
  const periodInitial = periods.find((o) => o.value === q.period.label);
  const types = [option('SMS + MMS', 'all'), option('SMS', 'sms'), option('MMS', 'mms')];
  const carriers = [
    option('All carriers', '*'),
    ...view.carriers.slice(0, 99).map((c) => option(c, c.slice(0, SLACK_LIMITS.headerText))),
  ];
  const carrierInitial = carriers.find((o) => (q.carrier === null ? o.value === '*' : o.value === q.carrier));
  return {
    type: 'actions',
    block_id: `${CONTROLS_BLOCK_PREFIX}${version.toString(36)}:${view.words}`.slice(0, 255),
    elements: [
      {
        type: 'static_select',
        action_id: ACTION.period,
        placeholder: { type: 'plain_text', text: 'Period' },
        options: periods,
        ...(periodInitial ? { initial_option: periodInitial } : {}),
      },
      {
        type: 'static_select',
        action_id: ACTION.type,
        placeholder: { type: 'plain_text', text: 'Type' },
        options: types,
        initial_option: types.find((o) => o.value === (q.type ?? 'all'))!,
      },
      {
        type: 'static_select',
        action_id: ACTION.carrier,
        placeholder: { type: 'plain_text', text: 'Carrier' },
        options: carriers,
        ...(carrierInitial ? { initial_option: carrierInitial } : {}),
      },
      {
        type: 'button',
        action_id: ACTION.share,
        text: { type: 'plain_text', text: 'Share in channel' },
        value: view.words || '7d',
      },
      {
        type: 'button',
        action_id: ACTION.export,
        text: { type: 'plain_text', text: 'Export CSV' },
        value: view.words || '7d',
      },
    ],
  };
}

/**
 * The answer to `/campaign-stats`: totals, the seven statuses in DESIGN order with segments,
 * share and messages, the delivery rate against the previous period, filters and zone in
 * words, the provisional note, what is behind the numbers, a chart, and the controls.
 * `shared` renders the copy posted for everyone (no controls, who shared it).
 */
export function statsMessage(
  view: StatsView,
  chart: ChartImage,
  opts: { shared?: { by: string }; version?: number; back?: readonly string[] } = {},
): SlackMessage {
  const s = view.stats;
  const title = periodTitle(view.query.period.label);
  const range = periodRange(s.period.start, s.period.end, s.period.timezone);
  const total = s.totals.segments;
  const blocks: KnownBlock[] = [];
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: `Campaign stats · ${title}`.slice(0, SLACK_LIMITS.headerText) },
  });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${range} · ${s.period.timezone} · ${filtersText(view)}` }],
  });

  if (s.totals.messages === 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'No messages were sent in this period with these filters.' },
    });
  } else {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Total Segments: ${fmtInt(total)}* · ${plural(s.totals.messages, 'message')}\n${deliveryLine(view)}${whatChanged(view)}`,
      },
    });
    const fields: SectionBlock['fields'] = STATUSES.map((st) => ({
      type: 'mrkdwn' as const,
      text: `*${STATUS_LABELS[st]}*\n${fmtInt(s.statuses[st].segments)} seg · ${fmtPct(total ? s.statuses[st].segments / total : null)} · ${plural(s.statuses[st].messages, 'msg')}`,
    }));
    blocks.push({ type: 'section', fields });
    const why = reasonLines(s.reasons);
    if (why.length)
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: why.join('\n').slice(0, SLACK_LIMITS.sectionText) },
      });
    const top = topLines(view);
    if (top.length)
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: top.join('\n').slice(0, SLACK_LIMITS.sectionText) },
      });
    if (chart) blocks.push(imageBlock(chart));
  }
  const notes: ContextBlock['elements'] = [];
  if (s.provisional_note) notes.push({ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${s.provisional_note}` });
  notes.push({ type: 'mrkdwn', text: SHARES_NOTE });
  if (opts.shared)
    notes.push({
      type: 'mrkdwn',
      text: `Shared by <@${opts.shared.by}> · \`/campaign-stats ${escapeMrkdwn(queryToWords(view.query, view.defaultZone, { names: true }))}\``,
    });
  blocks.push({ type: 'context', elements: notes });
  if (!opts.shared) {
    blocks.push(controls(view, opts.version ?? 0));
    const drill = drillDown(view, opts.back ?? [], opts.version ?? 0);
    if (drill) blocks.push(drill);
  }

  const text =
    s.totals.messages === 0
      ? `Campaign stats · ${title} (${range}, ${s.period.timezone}): no messages.`
      : `Campaign stats · ${title} (${range}, ${s.period.timezone}): ${fmtInt(total)} segments, delivery rate ${fmtPct(s.rates.delivery)}. ` +
        STATUSES.map((st) => `${STATUS_LABELS[st]} ${fmtInt(s.statuses[st].segments)}`).join(', ') +
        '.';
  return { text, blocks };
}

/**
 * Drill-down under an answer (issue 18): a campaign, a carrier and a reason menu that redraw the
 * same message narrowed (a reason lists its numbers), and Back to the answer before, when there is one.
 */
function drillDown(view: StatsView, back: readonly string[], version: number): ActionsBlock | null {
  const s = view.stats;
  const elements: ActionsBlock['elements'] = [];
  if (!view.query.campaign && s.campaigns.length > 1)
    elements.push({
      type: 'static_select',
      action_id: ACTION.drillCampaign,
      placeholder: { type: 'plain_text', text: 'Campaign ▸' },
      options: s.campaigns.slice(0, 10).map((c) => option(c.name ?? c.id, c.id.slice(0, SLACK_LIMITS.optionValue))),
    });
  // the carriers as the answer lists them, most segments first (not the unknown one: no word names it)
  const carriers = s.carriers.filter((c) => c.carrier !== '').slice(0, 10);
  if (view.query.carrier === null && s.carriers.length > 1 && carriers.length)
    elements.push({
      type: 'static_select',
      action_id: ACTION.drillCarrier,
      placeholder: { type: 'plain_text', text: 'Carrier ▸' },
      options: carriers.map((c) => option(c.carrier, c.carrier.slice(0, SLACK_LIMITS.optionValue))),
    });
  const reasons = [...new Map(s.reasons.map((r) => [r.reason, r])).values()].slice(0, 10);
  if (reasons.length)
    elements.push({
      type: 'static_select',
      action_id: ACTION.drillReason,
      placeholder: { type: 'plain_text', text: 'Numbers by reason ▸' },
      options: reasons.map((r) => option(r.label, r.reason)),
    });
  if (back.length)
    elements.push({
      type: 'button',
      action_id: ACTION.back,
      text: { type: 'plain_text', text: '◂ Back' },
      value: encodeStack(back, 2000),
    });
  if (!elements.length) return null;
  const head = `${DRILL_BLOCK_PREFIX}${version.toString(36)}:`;
  return { type: 'actions', block_id: `${head}${encodeStack([...back, view.words], 255 - head.length)}`, elements };
}

/** Reads the words back from the controls block of an interaction. */
export function wordsFromControlsBlock(blockId: string): string | null {
  if (!blockId.startsWith(CONTROLS_BLOCK_PREFIX)) return null;
  const rest = blockId.slice(CONTROLS_BLOCK_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? null : rest.slice(colon + 1);
}

/** The statuses whose reasons the answer shows under the figures: the failures, in the order they are shown. */
const EXPLAINED: readonly Status[] = STATUSES.filter((s) => FAILURE_STATUSES.has(s));

/** "*Why* · Undelivered: Carrier-blocked 150 · Carrier error 12", the top three reasons of each. */
export function reasonLines(reasons: readonly ReasonCount[], top = 3): string[] {
  const lines: string[] = [];
  for (const st of EXPLAINED) {
    const mine = reasons.filter((r) => r.status === st);
    if (!mine.length) continue;
    const shown = mine.slice(0, top).map((r) => `${r.label} ${fmtInt(r.messages)}`);
    const more = mine.length > top ? ` · ${mine.length - top} more` : '';
    lines.push(`• ${STATUS_LABELS[st]}: ${shown.join(' · ')}${more}`);
  }
  return lines.length ? ['*Why* (messages; `/campaign-stats why` for advice)', ...lines] : [];
}

const ATTRIBUTION_TITLES: Readonly<Record<Attribution, string>> = {
  recipient: 'The numbers (recipient)',
  sender: 'The sender (registration, limits, the account)',
  carrier: 'The carriers',
};

/**
 * `/campaign-stats why [words]`: every reason behind the answer's failures, grouped by whose
 * fault it is, with its share of the failures and what to do.
 */
export function whyMessage(view: StatsView): SlackMessage {
  const s = view.stats;
  const title = periodTitle(view.query.period.label);
  const range = periodRange(s.period.start, s.period.end, s.period.timezone);
  const failures = s.reasons.reduce((n, r) => n + r.messages, 0);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: `Why messages failed · ${title}`.slice(0, SLACK_LIMITS.headerText) },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${range} · ${s.period.timezone} · ${filtersText(view)}` }] },
  ];
  if (failures === 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Nothing failed in this period with these filters.' },
    });
    return { text: `Why messages failed · ${title} (${range}): nothing failed.`, blocks };
  }
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*${plural(failures, 'message')}* not delivered or not sent, of ${plural(s.totals.messages, 'message')}.`,
    },
  });
  for (const who of ['recipient', 'sender', 'carrier'] as const) {
    const mine = s.reasons.filter((r) => r.attribution === who);
    if (!mine.length) continue;
    const n = mine.reduce((x, r) => x + r.messages, 0);
    const lines = mine.slice(0, 12).map((r) => {
      const advice = REASONS[r.reason].advice;
      return `• *${escapeMrkdwn(r.label)}* (${STATUS_LABELS[r.status]}) — ${plural(r.messages, 'msg')}, ${fmtInt(r.segments)} seg, ${fmtPct(r.messages / failures)} of failures\n   _${advice}_`;
    });
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [`*${ATTRIBUTION_TITLES[who]}* · ${fmtPct(n / failures)}`, ...lines]
          .join('\n')
          .slice(0, SLACK_LIMITS.sectionText),
      },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Only failures attributed to the recipient count towards auto-unsubscribe; the sender’s and the carriers’ never do.',
      },
    ],
  });
  const text =
    `Why messages failed · ${title} (${range}): ${fmtInt(failures)} messages. ` +
    s.reasons
      .slice(0, 5)
      .map((r) => `${r.label} ${fmtInt(r.messages)}`)
      .join(', ') +
    '.';
  return { text, blocks };
}
