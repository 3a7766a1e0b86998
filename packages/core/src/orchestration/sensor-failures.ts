/**
 * The newest failed evaluation of each sensor (`sensor_failed` events: a throw, a timeout, a
 * badly shaped result), read from the log newest first, for `weir schedules ls` and the web app's
 * schedules page. Failures are not projected: they are read from the newest `limit` of them.
 */
import type { StateStore } from '../storage/state-store.js';

/** One failed evaluation: when, what it said, and where in the sensor's file. */
export interface SensorFailure {
  at: string;
  message: string;
  file?: string;
  line?: number;
}

/** How many `sensor_failed` events are read: a sensor whose last failure is older shows none. */
export const SENSOR_FAILURES_READ = 1000;

/**
 * The newest failure of each sensor that failed among the newest `limit` failures, by sensor name.
 *
 * @example
 * ```ts
 * const failures = await newestSensorFailures(store);
 * failures.get('export_ready')?.message; // 'sensor "export_ready" threw Error: ...'
 * ```
 */
export async function newestSensorFailures(store: Pick<StateStore, 'events'>, limit = SENSOR_FAILURES_READ): Promise<Map<string, SensorFailure>> {
  const failures = new Map<string, SensorFailure>();
  for (const event of await store.events({ type: 'sensor_failed', newestFirst: true, limit })) {
    if (event.type !== 'sensor_failed' || failures.has(event.sensor)) continue;
    failures.set(event.sensor, {
      at: event.at,
      message: event.message,
      ...(event.file === undefined ? {} : { file: event.file }),
      ...(event.line === undefined ? {} : { line: event.line }),
    });
  }
  return failures;
}

/**
 * True while a sensor is failing: its newest failure is newer than the last change of its
 * recorded state (a successful evaluation that moved its cursor, a pause or a resume).
 *
 * @example
 * ```ts
 * stillFailing(failures.get(sensor.name), sensor.updatedAt);
 * ```
 */
export function stillFailing(failure: SensorFailure | undefined, stateUpdatedAt: string | null | undefined): boolean {
  return failure !== undefined && (stateUpdatedAt === null || stateUpdatedAt === undefined || failure.at >= stateUpdatedAt);
}
