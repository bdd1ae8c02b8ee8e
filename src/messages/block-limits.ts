/**
 * Slack's published Block Kit limits for messages, checked the way Slack checks them.
 * Used by the Slack Web API stand-in (so tests fail where Slack would refuse) and by tests of
 * every message builder. Returns the problems found; empty means Slack would accept it.
 */

/** Slack's limits, named once: the checker below and every message builder use these. */
export const SLACK_LIMITS = {
  blocks: 50,
  /** a Home tab or modal view holds up to 100 */
  viewBlocks: 100,
  blockId: 255,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  options: 100,
  optionText: 75,
  optionValue: 150,
} as const;

/** Rows of a list (numbers, campaigns) in one thread message: one section each, under the block limit. */
export const ROWS_PER_MESSAGE = 40;

type Json = Record<string, unknown>;

const textOf = (o: unknown): string =>
  o && typeof o === 'object' && typeof (o as Json).text === 'string' ? ((o as Json).text as string) : '';

export function blockKitProblems(blocks: unknown, where = 'blocks', maxBlocks: number = SLACK_LIMITS.blocks): string[] {
  const problems: string[] = [];
  const p = (path: string, msg: string) => problems.push(`${path}: ${msg}`);
  if (!Array.isArray(blocks)) return [`${where}: must be an array`];
  if (blocks.length > maxBlocks) p(where, `more than ${maxBlocks} blocks (${blocks.length})`);
  const ids = new Set<string>();
  blocks.forEach((raw, i) => {
    const b = raw as Json;
    const at = `${where}[${i}]`;
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > SLACK_LIMITS.blockId)
        p(`${at}.block_id`, `longer than ${SLACK_LIMITS.blockId} characters`);
      if (ids.has(b.block_id)) p(`${at}.block_id`, `duplicate block_id ${b.block_id}`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        if (textOf(b.text).length > SLACK_LIMITS.headerText)
          p(`${at}.text`, `header text longer than ${SLACK_LIMITS.headerText} characters (${textOf(b.text).length})`);
        if ((b.text as Json | undefined)?.type !== 'plain_text') p(`${at}.text`, 'header text must be plain_text');
        break;
      case 'section': {
        const t = textOf(b.text);
        if (t.length > SLACK_LIMITS.sectionText)
          p(`${at}.text`, `section text longer than ${SLACK_LIMITS.sectionText} characters (${t.length})`);
        const fields = b.fields as unknown[] | undefined;
        if (fields) {
          if (fields.length > SLACK_LIMITS.fields)
            p(`${at}.fields`, `more than ${SLACK_LIMITS.fields} fields (${fields.length})`);
          fields.forEach((f, j) => {
            if (textOf(f).length > SLACK_LIMITS.fieldText)
              p(`${at}.fields[${j}]`, `field text longer than ${SLACK_LIMITS.fieldText} characters`);
          });
        }
        if (!b.text && !fields) p(at, 'a section needs text or fields');
        if (b.text !== undefined && t.length === 0) p(`${at}.text`, 'must not be empty');
        break;
      }
      case 'context': {
        const els = (b.elements as unknown[]) ?? [];
        if (els.length === 0 || els.length > 10) p(`${at}.elements`, `must hold 1 to 10 elements (${els.length})`);
        break;
      }
      case 'image': {
        const url = b.image_url as string | undefined;
        const file = b.slack_file as Json | undefined;
        if (!url && !file) p(at, 'an image needs image_url or slack_file');
        if (url && url.length > 3000) p(`${at}.image_url`, `longer than 3000 characters (${url.length})`);
        if (typeof b.alt_text !== 'string' || b.alt_text.length === 0) p(`${at}.alt_text`, 'is required');
        else if (b.alt_text.length > 2000) p(`${at}.alt_text`, 'longer than 2000 characters');
        if (b.title && textOf(b.title).length > 2000) p(`${at}.title`, 'longer than 2000 characters');
        break;
      }
      case 'actions': {
        const els = (b.elements as Json[]) ?? [];
        if (els.length === 0 || els.length > 25) p(`${at}.elements`, `must hold 1 to 25 elements (${els.length})`);
        els.forEach((e, j) => {
          const ea = `${at}.elements[${j}]`;
          if (typeof e.action_id === 'string' && e.action_id.length > 255)
            p(`${ea}.action_id`, 'longer than 255 characters');
          if (e.type === 'button') {
            if (textOf(e.text).length > 75) p(`${ea}.text`, 'button text longer than 75 characters');
            if (typeof e.value === 'string' && e.value.length > 2000) p(`${ea}.value`, 'longer than 2000 characters');
          }
          if (e.type === 'static_select') {
            const opts = (e.options as Json[]) ?? [];
            if (opts.length === 0 || opts.length > 100)
              p(`${ea}.options`, `must hold 1 to 100 options (${opts.length})`);
            opts.forEach((o, k) => {
              if (textOf(o.text).length > 75) p(`${ea}.options[${k}].text`, 'longer than 75 characters');
              if (typeof o.value === 'string' && o.value.length > 150)
                p(`${ea}.options[${k}].value`, 'longer than 150 characters');
            });
          }
        });
        break;
      }
      case 'divider':
        break;
      default:
        p(`${at}.type`, `unknown block type ${String(b.type)}`);
    }
  });
  return problems;
}

/** A message as chat.postMessage / chat.update / a response URL takes it. */
export function messageProblems(msg: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof msg.text !== 'string' || msg.text.trim() === '')
    problems.push('text: a plain-text fallback is required (notifications and screen readers use it)');
  else if (msg.text.length > 40_000) problems.push('text: longer than 40,000 characters');
  if (msg.blocks !== undefined) problems.push(...blockKitProblems(msg.blocks));
  return problems;
}

/** A Home tab view as views.publish takes it: type home, at most 100 blocks, each block as in a message. */
export function viewProblems(view: unknown): string[] {
  const v = view as Json | null;
  if (!v || typeof v !== 'object') return ['view: must be an object'];
  const problems: string[] = [];
  if (v.type !== 'home') problems.push(`view.type: must be home (got ${String(v.type)})`);
  problems.push(...blockKitProblems(v.blocks, 'view.blocks', SLACK_LIMITS.viewBlocks));
  return problems;
}
