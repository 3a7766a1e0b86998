/**
 * Writes and reads the `feedback` projection: one row per piece of consumer feedback, a report's
 * status columns updated in place.
 */
import type { Kysely, Selectable } from 'kysely';
import type { FeedbackKind, FeedbackStatus } from '../events/feedback-events.js';
import type { FeedbackWrite } from '../events/project-feedback-event.js';
import { readNullableNumber, readNullableTime, readNumber, readTime } from './state-rows.js';
import type { FeedbackQuery, FeedbackRecord } from './state-store.js';
import type { FeedbackTable, StateTables } from './state-tables.js';

/**
 * Applies one feedback write. Feedback is typed by people, so one statement each is enough. A
 * status change touches only a report: a rating or comment has no status to move.
 *
 * @example
 * ```ts
 * await applyFeedbackWrite(trx, { kind: 'set_feedback_status', feedbackId: 'f1', status: 'resolved', note: null, by: 'ann', changedAt }, 42);
 * ```
 */
export async function applyFeedbackWrite(db: Kysely<StateTables>, write: FeedbackWrite, eventId: number): Promise<void> {
  if (write.kind === 'insert_feedback') {
    await db
      .insertInto('feedback')
      .values({
        feedback_id: write.feedbackId,
        asset: write.asset,
        kind: write.feedbackKind,
        rating: write.rating,
        text: write.text,
        author: write.author,
        status: write.status,
        status_note: null,
        status_by: null,
        status_at: null,
        created_at: write.createdAt,
        event_id: eventId,
      })
      .execute();
    return;
  }
  await db
    .updateTable('feedback')
    .set({ status: write.status, status_note: write.note, status_by: write.by, status_at: write.changedAt })
    .where('feedback_id', '=', write.feedbackId)
    .where('kind', '=', 'report')
    .execute();
}

/**
 * Feedback matching `query`, newest first (log order, so both databases agree).
 *
 * @example
 * ```ts
 * const openReports = await readFeedback(db, { status: 'open', limit: 50 });
 * ```
 */
export async function readFeedback(db: Kysely<StateTables>, query: FeedbackQuery): Promise<FeedbackRecord[]> {
  let select = db.selectFrom('feedback').selectAll().orderBy('event_id', 'desc');
  if (query.asset !== undefined) select = select.where('asset', '=', query.asset);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
  if (query.feedbackId !== undefined) select = select.where('feedback_id', '=', query.feedbackId);
  if (query.limit !== undefined) select = select.limit(query.limit);
  return (await select.execute()).map(toFeedbackRecord);
}

function toFeedbackRecord(row: Selectable<FeedbackTable>): FeedbackRecord {
  return {
    feedbackId: row.feedback_id,
    asset: row.asset,
    kind: row.kind as FeedbackKind,
    rating: readNullableNumber(row.rating),
    text: row.text,
    author: row.author,
    createdAt: readTime(row.created_at),
    status: row.status as FeedbackStatus | null,
    statusNote: row.status_note,
    statusBy: row.status_by,
    statusAt: readNullableTime(row.status_at),
    eventId: readNumber(row.event_id),
  };
}
