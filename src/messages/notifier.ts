import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';

/** What the scheduled side needs from Slack: post, thread, edit, upload a chart. */
export interface Notifier {
  post(msg: { channel: string; text: string; blocks?: KnownBlock[]; threadTs?: string }): Promise<string>;
  update(msg: { channel: string; ts: string; text: string; blocks?: KnownBlock[] }): Promise<void>;
  uploadPng(png: Buffer, filename: string, altText: string, title: string): Promise<string>;
  /** files.uploadV2: files shared in a channel's thread (a report's CSV) */
  uploadFiles(msg: {
    channel: string;
    threadTs: string;
    comment: string;
    files: Array<{ filename: string; content: Buffer }>;
  }): Promise<void>;
  /** views.publish: a user's Home tab */
  publishHome(userId: string, view: { type: 'home'; blocks: KnownBlock[] }): Promise<void>;
}

export function webClientNotifier(client: WebClient, onError?: (method: string) => void): Notifier {
  const counted =
    <A extends unknown[], T>(method: string, call: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      try {
        return await call(...args);
      } catch (err) {
        onError?.(method);
        throw err;
      }
    };
  const n: Notifier = {
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
    async uploadFiles({ channel, threadTs, comment, files }) {
      await client.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        initial_comment: comment,
        file_uploads: files.map((f) => ({ file: f.content, filename: f.filename, title: f.filename })),
      });
    },
    async publishHome(userId, view) {
      await client.views.publish({ user_id: userId, view });
    },
  };
  return {
    post: counted('chat.postMessage', n.post),
    update: counted('chat.update', n.update),
    uploadPng: counted('files.uploadV2', n.uploadPng),
    uploadFiles: counted('files.uploadV2', n.uploadFiles),
    publishHome: counted('views.publish', n.publishHome),
  };
}

/**
 * Options of every Slack Web API client: SLACK_API_URL, and bounded retries and timeouts — the
 * library's default retries a failing call for many minutes, which kept a stopping process
 * alive with Slack unreachable.
 */
export function slackClientOptions(apiUrl: string | undefined) {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 },
    timeout: 10_000,
  };
}
