/**
 * `defineSensor`: a custom sensor written in TypeScript (`sensors/<name>.ts`), for occasions the
 * sensors of weir.yaml do not cover (an API says a new export is ready, a row appeared in a
 * control table). The definition is inert data plus an `evaluate` function; `weir serve` calls
 * `evaluate` every `interval` inside a worker thread (the user-code boundary) with the cursor it
 * returned last time, and queues the runs it asks for.
 */
import type { SourceAbortSignal } from './source-definition.js';

/** JSON a sensor keeps between evaluations (stored in the state store, so it survives restarts). */
export type SensorCursor = null | boolean | number | string | SensorCursor[] | { [key: string]: SensorCursor };

/** What `evaluate` receives. */
export interface SensorContext {
  /** What the last evaluation returned as `cursor` (and was recorded); null on the first evaluation. */
  readonly cursor: SensorCursor;
  /** When this sensor last asked for a run (ISO 8601 UTC), or undefined when it never did. */
  readonly lastRunAt?: string;
  /** Writes a line to `weir serve`'s log. */
  log(message: string): void;
  /** Aborted when the evaluation is stopped (its timeout, or the server stopping); pass it to `fetch`. */
  readonly signal: SourceAbortSignal;
  /** The server's environment variables, for credentials (never put secrets in the file). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One run a sensor asks for. */
export interface SensorRunRequest {
  /** Assets to run, in `weir run`'s selection syntax; defaults to the sensor's `select`. */
  select?: string | string[];
  /** Assets to leave out; defaults to the sensor's `exclude` when `select` is not given here. */
  exclude?: string | string[];
  /** Build this partition of the selected partitioned assets (as `weir run --partition`). */
  partition?: string;
  /**
   * Names the occasion: a second request with the same key is never run again (across
   * evaluations, restarts and servers). Without it, the occasion is the cursor the evaluation
   * started from (see docs/orchestration.md).
   */
  dedupeKey?: string;
  /** Why, for people: shown in the server's log and stored with the decision. */
  reason?: string;
}

/** What `evaluate` returns. */
export interface SensorResult {
  /** The runs to queue; `true` is one run of the sensor's selection, `false` or absent none. */
  runRequests?: SensorRunRequest[] | boolean;
  /** The cursor to keep (JSON); absent keeps the current one. Stored only after the runs are queued. */
  cursor?: SensorCursor;
  /** Why no run was asked for, for people (stored when the cursor moved). */
  skipReason?: string;
}

/** Options of a TypeScript sensor. */
export interface SensorOptions {
  /** The sensor's name; defaults to the file name (or the export name when a file has several sensors). */
  name?: string;
  /** Assets a run request without its own `select` runs. */
  select?: string | string[];
  /** Assets left out of those. */
  exclude?: string | string[];
  /** How often to evaluate: `30s`, `5m`, `1h`, or seconds as a number. Default 30 seconds. */
  interval?: string | number;
  /** Seconds an evaluation may take before it is stopped and recorded as failed. Default 30. */
  timeoutSeconds?: number;
  /** Start paused (`weir schedules resume <name>` resumes it). */
  paused?: boolean;
  /** Decides whether to run: may be async; a throw is recorded as a failed evaluation. */
  evaluate(context: SensorContext): SensorResult | undefined | Promise<SensorResult | undefined>;
}

/** The marker that tells the loader an export is a sensor definition. */
export const SENSOR_DEFINITION_MARKER = '__weirSensor';

/** A sensor definition as returned by {@link defineSensor}. */
export type SensorDefinition = SensorOptions & { readonly [SENSOR_DEFINITION_MARKER]: true };

/**
 * Declares a custom sensor. Export the result from a file under `sensors/`.
 *
 * @example
 * ```ts
 * import { defineSensor } from 'weir';
 *
 * export const export_ready = defineSensor({
 *   select: 'raw_orders+',
 *   interval: '1m',
 *   async evaluate(ctx) {
 *     const answer = await fetch('https://erp.example/exports/latest', { signal: ctx.signal });
 *     const { id } = (await answer.json()) as { id: string };
 *     if (id === ctx.cursor) return { skipReason: 'no new export' };
 *     return { runRequests: [{ dedupeKey: id, reason: `export ${id}` }], cursor: id };
 *   },
 * });
 * ```
 */
export function defineSensor(options: SensorOptions): SensorDefinition {
  return { ...options, [SENSOR_DEFINITION_MARKER]: true };
}

/** True when `value` was made by {@link defineSensor}. */
export function isSensorDefinition(value: unknown): value is SensorDefinition {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SENSOR_DEFINITION_MARKER] === true;
}
