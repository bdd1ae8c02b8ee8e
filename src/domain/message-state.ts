import { mergeStatus, type Status } from './status';

/** Where a message's segment count came from; the provider's own count wins (DESIGN §2). */
export type SegmentsSource = 'provider' | 'sender' | 'body' | 'default';

export interface MessageState {
  status: Status;
  errorCode: number | null;
  segments: number;
  segmentsSource: SegmentsSource;
}

/** What one provider callback says about a message. `status` null: kept, moves nothing. */
export interface Report {
  status: Status | null;
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
  let { status, errorCode, segments, segmentsSource } = state;
  for (const r of reports) {
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
  return { status, errorCode, segments, segmentsSource };
}

export function sameState(a: MessageState, b: MessageState): boolean {
  return (
    a.status === b.status &&
    a.errorCode === b.errorCode &&
    a.segments === b.segments &&
    a.segmentsSource === b.segmentsSource
  );
}
