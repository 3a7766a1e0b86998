/**
 * Runs one evaluation of a custom sensor behind the user-code boundary: `evaluate` runs in a
 * worker thread, which is terminated when it takes longer than the sensor's timeout or the
 * caller aborts (the server stopping). Whatever happens, the answer is an outcome, never a throw:
 * a sensor that fails must not stop the trigger loop or the other sensors.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { messageOf, type SourceLocation } from '../errors/weir-error.js';
import { locateUserFrame } from '../project/bundle-stack-location.js';
import type { TypeScriptSensorSpec } from '../project/trigger-specs.js';
import type { SensorWorkerAbort, SensorWorkerError, SensorWorkerMessage, SensorWorkerStart } from './typescript-sensor-protocol.js';

/** What one evaluation gave: the result `evaluate` returned (JSON, not yet checked), or why it failed. */
export type SensorRunOutcome = { ok: true; result: unknown } | { ok: false; message: string; location?: SourceLocation };

/** What an evaluation needs besides the sensor. */
export interface SensorRunInput {
  projectRoot: string;
  /** The sensor's own cursor, null on its first evaluation. */
  cursor: unknown;
  lastRunAt?: string;
  /** Receives `ctx.log` messages and the lines `evaluate` prints. */
  log(message: string): void;
  /** Stops the evaluation (the server is stopping). */
  signal?: AbortSignal;
  /** What `ctx.env` holds; `process.env` when absent. */
  env?: Record<string, string | undefined>;
}

/**
 * The compiled worker entry. From `dist/` it sits beside this module; when this module runs from
 * `src/` (tests), the built copy in `dist/` is used.
 */
function workerEntry(): URL {
  const sibling = new URL('./typescript-sensor-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/orchestration/typescript-sensor-worker.js', import.meta.url);
}

/**
 * Evaluates `sensor` once in a worker thread.
 *
 * @example
 * ```ts
 * const outcome = await runSensorEvaluation(sensor, { projectRoot, cursor: null, log: console.log });
 * if (!outcome.ok) console.log(`failed: ${outcome.message}`);
 * ```
 */
export async function runSensorEvaluation(sensor: TypeScriptSensorSpec, input: SensorRunInput): Promise<SensorRunOutcome> {
  const start: SensorWorkerStart = {
    modulePath: sensor.modulePath,
    exportName: sensor.exportName,
    cursor: input.cursor ?? null,
    ...(input.lastRunAt === undefined ? {} : { lastRunAt: input.lastRunAt }),
  };
  const worker = new Worker(workerEntry(), { workerData: start, stdout: true, stderr: true, ...(input.env === undefined ? {} : { env: input.env }) });
  const output = Promise.all([forwardLines(worker.stdout, input.log), forwardLines(worker.stderr, input.log)]);
  try {
    return await supervise(worker, sensor, input);
  } finally {
    await worker.terminate();
    await output.catch(() => undefined);
  }
}

function supervise(worker: Worker, sensor: TypeScriptSensorSpec, input: SensorRunInput): Promise<SensorRunOutcome> {
  return new Promise<SensorRunOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: SensorRunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', abort);
      resolve(outcome);
    };
    const stop = (reason: string): void => {
      worker.postMessage({ type: 'abort', reason } satisfies SensorWorkerAbort);
      settle({ ok: false, message: reason, location: sensor.location });
    };
    const timer = setTimeout(
      () => stop(`sensor "${sensor.name}" did not finish within ${sensor.timeoutSeconds}s (timeoutSeconds) and was stopped`),
      sensor.timeoutSeconds * 1000,
    );
    const abort = (): void => stop(`sensor "${sensor.name}" was stopped: ${messageOf(input.signal?.reason)}`);
    if (input.signal?.aborted) abort();
    else input.signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: SensorWorkerMessage) => {
      if (message.type === 'log') input.log(message.message);
      else if (message.type === 'done') settle({ ok: true, result: message.result === undefined ? undefined : (JSON.parse(message.result) as unknown) });
      else settle(failure(sensor, input.projectRoot, message.error));
    });
    worker.on('error', (error) => settle(failure(sensor, input.projectRoot, { name: error.name, message: error.message, stack: error.stack })));
    worker.on('exit', (code) => settle({ ok: false, message: `sensor "${sensor.name}": its worker exited (code ${code}) before evaluate() returned`, location: sensor.location }));
  });
}

/** A user's throw, placed at the first frame inside the user's own files. */
function failure(sensor: TypeScriptSensorSpec, projectRoot: string, error: SensorWorkerError): SensorRunOutcome {
  const location = locateUserFrame(projectRoot, sensor.modulePath, error.stack) ?? sensor.location;
  return { ok: false, message: `sensor "${sensor.name}" threw ${error.name}: ${error.message}`, location };
}

/** Passes each line of `stream` to `log`; settles when the stream ends (the worker has stopped). */
async function forwardLines(stream: Readable, log: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => log(line));
  await once(lines, 'close');
}
