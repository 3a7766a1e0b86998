/** What one sensor evaluation decided: the cursor to store, and the run to ask for, if any. */
import type { RunRequest } from './run-request.js';

/**
 * The outcome of evaluating one sensor. `cursor` is undefined when nothing changed (nothing to
 * record); otherwise the caller records it (in a `sensor_evaluated` event) after queueing
 * `request`, so a crash in between asks again with the same dedupe key rather than losing it.
 */
export interface SensorDecision {
  cursor?: unknown;
  request?: RunRequest;
}
