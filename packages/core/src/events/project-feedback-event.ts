/**
 * What a feedback event changes in the `feedback` projection: a submission is a new row (a report
 * starts `open`), a status change updates the report's row. Pure, like `projectEvent`, which calls it.
 */
import type { FeedbackEvent, FeedbackKind, FeedbackStatus } from './feedback-events.js';
import { feedbackProblem } from './feedback-problem.js';

/** A new feedback row. */
export interface InsertFeedbackWrite {
  kind: 'insert_feedback';
  feedbackId: string;
  asset: string;
  feedbackKind: FeedbackKind;
  rating: number | null;
  text: string;
  author: string | null;
  /** `open` for a report, null for a rating or a comment. */
  status: FeedbackStatus | null;
  createdAt: string;
}

/** Moves a report to `status`; a rating, a comment or an unknown id changes nothing. */
export interface SetFeedbackStatusWrite {
  kind: 'set_feedback_status';
  feedbackId: string;
  status: FeedbackStatus;
  note: string | null;
  by: string | null;
  changedAt: string;
}

/** Either feedback write. */
export type FeedbackWrite = InsertFeedbackWrite | SetFeedbackStatusWrite;

/**
 * The writes of one feedback event. `at` is the event's time, already normalised. Throws a
 * `TypeError` naming the field for a malformed event, so the store refuses it before writing.
 *
 * @example
 * ```ts
 * projectFeedbackEvent({ type: 'feedback_status_changed', at, feedbackId: 'f1', asset: 'orders', status: 'resolved', by: 'ann' }, at);
 * // [{ kind: 'set_feedback_status', feedbackId: 'f1', status: 'resolved', note: null, by: 'ann', changedAt: at }]
 * ```
 */
export function projectFeedbackEvent(event: FeedbackEvent, at: string): FeedbackWrite[] {
  const problem = feedbackProblem(event);
  if (problem !== undefined) throw new TypeError(`${event.type}: ${problem}`);
  if (event.type === 'feedback_submitted') {
    return [
      {
        kind: 'insert_feedback',
        feedbackId: event.feedbackId,
        asset: event.asset,
        feedbackKind: event.kind,
        rating: event.rating ?? null,
        text: event.text,
        author: event.author,
        status: event.kind === 'report' ? 'open' : null,
        createdAt: at,
      },
    ];
  }
  return [{ kind: 'set_feedback_status', feedbackId: event.feedbackId, status: event.status, note: event.note ?? null, by: event.by, changedAt: at }];
}
