/**
 * How consumers' feedback on one asset adds up: the trust summary of the asset page and the bodies
 * the feedback API answers with. Pure: the routes read the records, this says what they mean.
 */
import type { FeedbackBody, FeedbackRecord, TrustSummaryBody } from '@weir/core';

/**
 * The trust summary of one asset's feedback. A named author's newest rating replaces their earlier
 * ones, so a consumer who re-rates after a fix counts once; unnamed ratings cannot be told apart and
 * count each. Reports count as unresolved until resolved.
 *
 * @example
 * ```ts
 * trustSummary(await store.feedback({ asset: 'orders' })); // { average: 3.5, ratings: 2, ... }
 * ```
 */
export function trustSummary(records: readonly FeedbackRecord[]): TrustSummaryBody {
  const distribution: TrustSummaryBody['distribution'] = [0, 0, 0, 0, 0];
  const rated = new Set<string>();
  let sum = 0;
  let ratings = 0;
  // Records come newest first: the first rating of an author is their newest.
  for (const record of records) {
    if (record.rating === null) continue;
    if (record.author !== null) {
      if (rated.has(record.author)) continue;
      rated.add(record.author);
    }
    distribution[record.rating - 1]! += 1;
    sum += record.rating;
    ratings += 1;
  }
  const reports = records.filter((record) => record.kind === 'report');
  return {
    average: ratings === 0 ? null : Math.round((sum / ratings) * 10) / 10,
    ratings,
    distribution,
    comments: records.filter((record) => record.kind === 'comment').length,
    reports: reports.length,
    unresolvedReports: reports.filter((record) => record.status !== 'resolved').length,
  };
}

/**
 * One feedback record as the API shows it.
 *
 * @example
 * ```ts
 * const items = (await store.feedback({ asset: 'orders' })).map(feedbackBody);
 * ```
 */
export function feedbackBody(record: FeedbackRecord): FeedbackBody {
  return {
    id: record.feedbackId,
    asset: record.asset,
    kind: record.kind,
    rating: record.rating,
    text: record.text,
    author: record.author,
    at: record.createdAt,
    status: record.status,
    statusNote: record.statusNote,
    statusBy: record.statusBy,
    statusAt: record.statusAt,
  };
}
