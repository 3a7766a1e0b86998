/** Turning one sensor's decision into the run requests to queue and the events that record it. */
import type { TriggerEvent } from '../events/trigger-events.js';
import type { RunRequest } from './run-request.js';
import type { SensorDecision } from './sensor-decision.js';

/**
 * The requests and events of `decision`, appended to `into`: a `sensor_failed` event for a failed
 * evaluation, a `sensor_evaluated` one when the cursor moved (with the first request's dedupe key
 * and, for several, all of them), nothing otherwise.
 *
 * @example
 * ```ts
 * const evaluation = { requests: [], events: [] };
 * addSensorDecision(evaluation, 'landing', decision, now.toISOString());
 * ```
 */
export function addSensorDecision(into: { requests: RunRequest[]; events: TriggerEvent[] }, sensor: string, decision: SensorDecision, at: string): void {
  if (decision.failed !== undefined) {
    const { message, location } = decision.failed;
    into.events.push({
      type: 'sensor_failed',
      at,
      sensor,
      message,
      ...(location?.file === undefined ? {} : { file: location.file }),
      ...(location?.line === undefined ? {} : { line: location.line }),
    });
    return;
  }
  if (decision.cursor === undefined) return;
  const requests = decision.requests ?? (decision.request ? [decision.request] : []);
  into.requests.push(...requests);
  const [first] = requests;
  into.events.push({
    type: 'sensor_evaluated',
    at,
    sensor,
    cursor: decision.cursor,
    ...(first === undefined ? (decision.note === undefined ? {} : { reason: decision.note }) : { dedupeKey: first.dedupeKey, reason: requests.map((request) => request.reason).join('; ') }),
    ...(requests.length > 1 ? { dedupeKeys: requests.map((request) => request.dedupeKey) } : {}),
  });
}
