/**
 * Events of consumer feedback on assets: a consumer rates how far they trust an asset, comments on
 * it, or reports a problem; a report is a tracked item its owners acknowledge and resolve. They
 * change one row of the `feedback` projection each (see `projectFeedbackEvent`).
 */

/** What a piece of feedback is: a trust rating (1 to 5), a comment, or a problem report to track. */
export type FeedbackKind = 'rating' | 'comment' | 'report';

/** The kinds, in the order the UI offers them. */
export const feedbackKinds: readonly FeedbackKind[] = ['rating', 'comment', 'report'];

/** Where a report stands. Ratings and comments have no status. */
export type FeedbackStatus = 'open' | 'acknowledged' | 'resolved';

/** The statuses, in the order a report moves through them. */
export const feedbackStatuses: readonly FeedbackStatus[] = ['open', 'acknowledged', 'resolved'];

/**
 * Bounds of what a consumer may write. Feedback is typed by people into a form; the limits keep one
 * careless paste from filling the log and the overview.
 */
export const feedbackLimits = {
  /** Characters of a comment, report or rating remark. */
  text: 2000,
  /** Characters of the note that goes with a status change. */
  note: 1000,
  /** Characters of an author name given in local mode. */
  author: 100,
  /** The best trust rating; the worst is 1. */
  rating: 5,
} as const;

/**
 * A consumer gave feedback on an asset. `author` is the API token's name when the server asks for
 * tokens, the name the consumer typed (or null) in local mode.
 */
export interface FeedbackSubmittedEvent {
  type: 'feedback_submitted';
  at: string;
  feedbackId: string;
  asset: string;
  kind: FeedbackKind;
  /** Trust from 1 (not at all) to 5 (fully): required for a rating, optional with a comment or report. */
  rating?: number;
  /** What they said; may be empty for a bare rating. */
  text: string;
  author: string | null;
}

/** Someone moved a report along: acknowledged it, resolved it, or opened it again. */
export interface FeedbackStatusChangedEvent {
  type: 'feedback_status_changed';
  at: string;
  feedbackId: string;
  /** The report's asset, so the asset's event history shows the change. */
  asset: string;
  status: FeedbackStatus;
  /** Why, for the consumer who reported it (e.g. what was fixed). */
  note?: string;
  /** The token name of whoever changed it, or null in local mode. */
  by: string | null;
}

/** Every feedback event. */
export type FeedbackEvent = FeedbackSubmittedEvent | FeedbackStatusChangedEvent;
