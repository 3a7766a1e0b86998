/**
 * The JSON bodies of the feedback API (`/api/assets/:name/feedback`, `/api/feedback`): consumers
 * rate trust in an asset, comment, or report a problem; reports are tracked until resolved. Types
 * only, shared by the server and the web app.
 */
import type { FeedbackKind, FeedbackStatus } from '../events/feedback-events.js';

/** One piece of feedback as the API shows it. */
export interface FeedbackBody {
  id: string;
  asset: string;
  kind: FeedbackKind;
  /** Trust from 1 (not at all) to 5 (fully), or null. */
  rating: number | null;
  text: string;
  /** The token name of whoever wrote it, the name they gave in local mode, or null. */
  author: string | null;
  at: string;
  /** A report's status; null for ratings and comments. */
  status: FeedbackStatus | null;
  statusNote: string | null;
  statusBy: string | null;
  statusAt: string | null;
}

/**
 * How far consumers trust an asset. A named author's newest rating replaces their earlier ones (a
 * consumer who changes their mind after a fix counts once); unnamed ratings count each.
 */
export interface TrustSummaryBody {
  /** The mean of the counted ratings, rounded to one decimal, or null without ratings. */
  average: number | null;
  /** How many ratings count. */
  ratings: number;
  /** Counted ratings of 1, 2, 3, 4 and 5 stars (index 0 is one star). */
  distribution: [number, number, number, number, number];
  comments: number;
  reports: number;
  /** Reports not resolved yet (open or acknowledged). */
  unresolvedReports: number;
}

/** `GET /api/assets/:name/feedback`. */
export interface AssetFeedbackBody {
  asset: string;
  trust: TrustSummaryBody;
  /** Newest first. */
  items: FeedbackBody[];
  /** True when the caller may acknowledge and resolve reports (an editor or admin, or local mode). */
  canChangeStatus: boolean;
}

/** The body of `POST /api/assets/:name/feedback`. */
export interface FeedbackSubmissionBody {
  kind: FeedbackKind;
  /** Required for a rating (1 to 5); optional with a comment or report. */
  rating?: number;
  /** Required for a comment or report; optional with a rating. At most 2000 characters. */
  text?: string;
  /** Only in local mode (no tokens): a name to sign with. With a token, its name is the author. */
  author?: string;
}

/** The body of `POST /api/feedback/:id/status`. */
export interface FeedbackStatusChangeBody {
  status: FeedbackStatus;
  /** At most 1000 characters, shown to the reporter. */
  note?: string;
}

/** `GET /api/feedback`: reports across assets, newest first, with whether the caller may change them. */
export interface FeedbackListBody {
  items: FeedbackBody[];
  /** The owner (weir.yaml or the asset's front matter) of each listed asset, null when none is set. */
  owners: Record<string, string | null>;
  canChangeStatus: boolean;
}
