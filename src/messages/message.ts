import type { ImageBlock, KnownBlock } from '@slack/types';

/** A message as every feature builds it: plain-text fallback and Block Kit. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Where the chart image comes from, if there is one. */
export type ChartImage =
  | { imageUrl: string; altText: string; title: string }
  | { fileId: string; altText: string; title: string }
  | null;

/** A chart as an image block: a public URL (QuickChart) or a file uploaded to Slack. */
export function imageBlock(chart: NonNullable<ChartImage>): ImageBlock {
  const title = { type: 'plain_text' as const, text: chart.title };
  return 'imageUrl' in chart
    ? { type: 'image', image_url: chart.imageUrl, alt_text: chart.altText, title }
    : { type: 'image', slack_file: { id: chart.fileId }, alt_text: chart.altText, title };
}

/** A one-section reply: confirmations, refusals, short lists. */
export function notice(text: string): SlackMessage {
  const body = text.length > 3000 ? `${text.slice(0, 2990)}…` : text;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: body } }] };
}

/** A refusal or a misunderstanding: the fallback text in plain words, the block with a warning sign. */
export function warning(text: string): SlackMessage {
  return { text, blocks: notice(`:warning: ${text}`).blocks };
}
