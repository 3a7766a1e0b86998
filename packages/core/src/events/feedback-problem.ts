/**
 * What is wrong with a feedback event, said once for the two places that must refuse it: the API
 * (400 with this sentence) and the projection (the store refuses the event). Pure.
 */
import { feedbackKinds, feedbackLimits, feedbackStatuses, type FeedbackEvent } from './feedback-events.js';

/**
 * The first problem of a feedback event, as a sentence naming the field, or undefined when it is
 * well formed. Lengths count characters as people see them (code points), not UTF-16 units.
 *
 * @example
 * ```ts
 * feedbackProblem({ type: 'feedback_submitted', at, feedbackId: 'f1', asset: 'orders', kind: 'rating', rating: 9, text: '', author: null });
 * // '"rating" must be a whole number from 1 to 5'
 * ```
 */
export function feedbackProblem(event: FeedbackEvent): string | undefined {
  if (!nonEmpty(event.feedbackId)) return '"feedbackId" must be a non-empty string';
  if (!nonEmpty(event.asset)) return '"asset" must be a non-empty string';
  if (event.type === 'feedback_submitted') {
    if (!feedbackKinds.includes(event.kind)) return `"kind" must be one of ${feedbackKinds.join(', ')}, not ${JSON.stringify(event.kind)}`;
    const { rating } = event;
    if (rating !== undefined && (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > feedbackLimits.rating)) {
      return `"rating" must be a whole number from 1 to ${feedbackLimits.rating}`;
    }
    if (event.kind === 'rating' && rating === undefined) return 'a rating needs "rating" (1 to 5)';
    if (typeof event.text !== 'string') return '"text" must be a string';
    if (event.kind !== 'rating' && event.text.trim() === '') return `a ${event.kind} needs some "text"`;
    if (length(event.text) > feedbackLimits.text) return `"text" is ${length(event.text)} characters; at most ${feedbackLimits.text} are kept`;
    if (event.author !== null && (typeof event.author !== 'string' || length(event.author) > feedbackLimits.author)) {
      return `"author" must be a name of at most ${feedbackLimits.author} characters`;
    }
    return undefined;
  }
  if (!feedbackStatuses.includes(event.status)) return `"status" must be one of ${feedbackStatuses.join(', ')}, not ${JSON.stringify(event.status)}`;
  if (event.note !== undefined && (typeof event.note !== 'string' || length(event.note) > feedbackLimits.note)) {
    return `"note" must be text of at most ${feedbackLimits.note} characters`;
  }
  if (event.by !== null && typeof event.by !== 'string') return '"by" must be a name or null';
  return undefined;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function length(text: string): number {
  return [...text].length;
}
