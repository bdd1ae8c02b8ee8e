import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';

/** What the scheduled side needs from Slack: post, thread, edit, upload a chart. */
export interface Notifier {
  post(msg: { channel: string; text: string; blocks?: KnownBlock[]; threadTs?: string }): Promise<string>;
  update(msg: { channel: string; ts: string; text: string; blocks?: KnownBlock[] }): Promise<void>;
  uploadPng(png: Buffer, filename: string, altText: string, title: string): Promise<string>;
}

export function webClientNotifier(client: WebClient): Notifier {
  return {
    async post({ channel, text, blocks, threadTs }) {
      const res = await client.chat.postMessage({
        channel,
        text,
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      return res.ts as string;
    },
    async update({ channel, ts, text, blocks }) {
      await client.chat.update({ channel, ts, text, ...(blocks ? { blocks } : {}) });
    },
    async uploadPng(png, filename, altText, title) {
      const res = (await client.filesUploadV2({ file: png, filename, alt_text: altText, title })) as unknown as {
        files: Array<{ files?: Array<{ id: string }> }>;
      };
      const id = res.files[0]?.files?.[0]?.id;
      if (!id) throw new Error('files.uploadV2 returned no file id');
      return id;
    },
  };
}
