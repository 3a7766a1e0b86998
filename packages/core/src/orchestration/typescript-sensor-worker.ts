/**
 * The worker-thread entry that runs one evaluation of a custom sensor (`defineSensor`). It
 * imports the sensor's bundle, calls `evaluate` and sends back its result as JSON text; the state
 * store and the queue are never touched here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isSensorDefinition, type SensorContext, type SensorCursor } from '../definitions/sensor-definition.js';
import type { SensorWorkerAbort, SensorWorkerMessage, SensorWorkerStart } from './typescript-sensor-protocol.js';

const start = workerData as SensorWorkerStart;
const port = parentPort;
if (!port) throw new Error('typescript-sensor-worker must run in a worker thread');

const stopped = new AbortController();
port.on('message', (message: SensorWorkerAbort) => stopped.abort(new Error(message.reason)));

/** Resolves once everything user code wrote to stdout and stderr has reached the server (see `execution/user-code-worker.ts`). */
function flushOutput(): Promise<void> {
  const flush = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => undefined);
}

async function evaluateSensor(): Promise<void> {
  const module = (await import(pathToFileURL(start.modulePath).href)) as Record<string, unknown>;
  const definition = module[start.exportName];
  if (!isSensorDefinition(definition)) throw new Error(`export "${start.exportName}" is not a defineSensor(...) definition`);
  const context: SensorContext = {
    cursor: (start.cursor ?? null) as SensorCursor,
    ...(start.lastRunAt === undefined ? {} : { lastRunAt: start.lastRunAt }),
    log: (message) => port!.postMessage({ type: 'log', message: String(message) } satisfies SensorWorkerMessage),
    signal: stopped.signal,
    env: process.env,
  };
  const result = await definition.evaluate(context);
  let text: string | undefined;
  try {
    text = result === undefined ? undefined : JSON.stringify(result);
  } catch (error) {
    throw new TypeError(`evaluate() returned something that is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  await flushOutput();
  port!.postMessage({ type: 'done', result: text } satisfies SensorWorkerMessage);
}

evaluateSensor().catch(async (error: unknown) => {
  const failure = error instanceof Error ? error : new Error(String(error));
  await flushOutput();
  port.postMessage({ type: 'failed', error: { name: failure.name, message: failure.message, stack: failure.stack } } satisfies SensorWorkerMessage);
});
