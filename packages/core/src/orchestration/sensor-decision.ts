/** What one sensor evaluation decided: the cursor to store, and the runs to ask for, if any. */
import type { SourceLocation } from '../errors/weir-error.js';
import type { RunRequest } from './run-request.js';

/**
 * The outcome of evaluating one sensor. `cursor` is undefined when nothing changed (nothing to
 * record); otherwise the caller records it (in a `sensor_evaluated` event) after queueing
 * `request` (or `requests`), so a crash in between asks again with the same dedupe keys rather
 * than losing them. `failed` is an evaluation that did not decide (a custom sensor threw or timed
 * out): the cursor stays and the failure is recorded (`sensor_failed`).
 */
export interface SensorDecision {
  cursor?: unknown;
  request?: RunRequest;
  /** Several runs at once (custom sensors); queued in this order. */
  requests?: RunRequest[];
  /** Why no run was asked for, stored as the reason when the cursor moved. */
  note?: string;
  failed?: { message: string; location?: SourceLocation };
}
