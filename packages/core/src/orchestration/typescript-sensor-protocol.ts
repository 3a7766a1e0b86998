/**
 * Messages between `weir serve` and the worker thread that runs one evaluation of a custom sensor
 * (`typescript-sensor-worker.ts`). The result travels as JSON text, so what is stored as the
 * cursor is exactly what the sensor will receive next time.
 */

/** What the worker is started with. */
export interface SensorWorkerStart {
  modulePath: string;
  exportName: string;
  /** The sensor's own cursor (JSON), null on its first evaluation. */
  cursor: unknown;
  lastRunAt?: string;
}

/** An error thrown in user code, as it crosses the thread boundary. */
export interface SensorWorkerError {
  name: string;
  message: string;
  stack: string | undefined;
}

/** Messages from the worker. */
export type SensorWorkerMessage =
  | { type: 'log'; message: string }
  /** `evaluate` returned: its result as JSON text (`undefined` when it returned nothing). */
  | { type: 'done'; result: string | undefined }
  | { type: 'failed'; error: SensorWorkerError };

/** Messages to the worker: the evaluation is being stopped (`ctx.signal` aborts; the worker is terminated right after). */
export interface SensorWorkerAbort {
  type: 'abort';
  reason: string;
}
