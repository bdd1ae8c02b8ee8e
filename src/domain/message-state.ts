import { mergeStatus, type Status } from './status';

/**
 * Not one of the seven statuses: a scheduled message the sender cancelled before it was sent
 * (provider status `canceled`). Stored as the message's status so that it is in no count —
 * every count grain and raw read keeps the seven statuses only — and never moves again.
 */
export const CANCELED = 'canceled' as const;

/** What a message row holds: one of the seven statuses, or cancelled (in no count). */
export type StoredStatus = Status | typeof CANCELED;

export const isCounted = (s: StoredStatus): s is Status => s !== CANCELED;

/** Where a message's segment count came from; the provider's own count wins (DESIGN §2). */
export type SegmentsSource = 'provider' | 'sender' | 'body' | 'default';

export interface MessageState {
  status: StoredStatus;
  errorCode: number | null;
  segments: number;
  segmentsSource: SegmentsSource;
}

/** What one provider callback says about a message. `status` null: kept, moves nothing. */
export interface Report {
  status: Status | null;
  /** a scheduled send cancelled by the sender (`canceled`): never sent, never billed */
  canceled?: boolean;
  errorCode: number | null;
  numSegments: number | null;
}

/**
 * The state of a message after some reports. The result is the same for any order, any
 * grouping and any repetition of the reports: status by precedence (status.ts), the error
 * code of the winning status (the highest when several report it), and the largest segment
 * count the provider reported, which replaces any count that did not come from the provider.
 */
export function applyReports(state: MessageState, reports: readonly Report[]): MessageState {
  let { errorCode, segments, segmentsSource } = state;
  // cancelled ranks as queued: it holds only while nothing says the message went further,
  // so the result stays the same in any order
  let canceled = state.status === CANCELED;
  let status: Status = isCounted(state.status) ? state.status : 'queued';
  for (const r of reports) {
    if (r.canceled) canceled = true;
    if (r.status !== null) {
      const next = mergeStatus(status, r.status);
      if (next !== status) {
        status = next;
        errorCode = r.errorCode;
      } else if (r.status === status && r.errorCode !== null && (errorCode === null || r.errorCode > errorCode)) {
        errorCode = r.errorCode;
      }
    }
    if (r.numSegments !== null && r.numSegments > 0) {
      if (segmentsSource !== 'provider') {
        segments = r.numSegments;
        segmentsSource = 'provider';
      } else segments = Math.max(segments, r.numSegments);
    }
  }
  return { status: canceled && status === 'queued' ? CANCELED : status, errorCode, segments, segmentsSource };
}

export function sameState(a: MessageState, b: MessageState): boolean {
  return (
    a.status === b.status &&
    a.errorCode === b.errorCode &&
    a.segments === b.segments &&
    a.segmentsSource === b.segmentsSource
  );
}
