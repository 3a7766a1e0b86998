/**
 * The worker-thread entry that runs one TypeScript source's `read`. What it yields is sent to the
 * executor as JSON text in batches (see `source-worker-protocol.ts`); the warehouse is never
 * touched here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import type { SourceContext } from '../definitions/source-definition.js';
import { isSourceDefinition } from '../definitions/source-definition.js';
import type { NotARecord, SourceWorkerMessage, SourceWorkerReply, SourceWorkerStart } from './source-worker-protocol.js';

const start = workerData as SourceWorkerStart;
const port = parentPort;
if (!port) throw new Error('source-read-worker must run in a worker thread');

/** Records yielded one at a time wait at most this long for their batch to fill: the run's progress stays live. */
const MAX_BATCH_WAIT_MS = 1000;

const stopped = new AbortController();
const acknowledged = new Map<number, () => void>();
port.on('message', (reply: SourceWorkerReply) => {
  if (reply.type === 'abort') {
    stopped.abort(new Error(reply.reason));
    return;
  }
  acknowledged.get(reply.id)?.();
  acknowledged.delete(reply.id);
});

let nextId = 1;
let inFlight: Promise<void> = Promise.resolve();

/** Sends `values` as one batch once the batch before it is staged; the encoding overlaps that wait. */
async function send(values: readonly unknown[]): Promise<void> {
  if (values.length === 0) return;
  const records: string[] = [];
  const notRecords: NotARecord[] = [];
  for (const value of values) encode(value, records, notRecords);
  await inFlight;
  const id = nextId++;
  inFlight = new Promise<void>((resolve) => acknowledged.set(id, resolve));
  port!.postMessage({ type: 'records', id, records, notRecords } satisfies SourceWorkerMessage);
}

/** A record's JSON text, or why the value cannot be one (it becomes a dead letter, never silently dropped). */
function encode(value: unknown, records: string[], notRecords: NotARecord[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === undefined ? 'undefined' : `a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`;
    notRecords.push({ payload: textOf(value), error: `${kind}, not an object` });
    return;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    notRecords.push({ payload: textOf(value), error: `not JSON: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  // An object with toJSON (a Date, say) may stand for something that is not an object at all.
  if (text === undefined || !text.startsWith('{')) {
    notRecords.push({ payload: text ?? textOf(value), error: `${text === undefined ? 'nothing' : 'not an object'} in JSON, not a record` });
    return;
  }
  records.push(text);
}

function textOf(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch {
    // Not JSON (a BigInt, a cycle): shown as Node prints it.
  }
  return inspect(value, { depth: 3, breakLength: Infinity });
}

/** What `read` returned, as something to iterate, or a clear error when it is not. */
function iterableOf(output: unknown): AsyncIterable<unknown> | Iterable<unknown> {
  if (typeof output === 'object' && output !== null) {
    if (typeof (output as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return output as AsyncIterable<unknown>;
    if (typeof (output as Iterable<unknown>)[Symbol.iterator] === 'function') return output as Iterable<unknown>;
  }
  throw new TypeError(`read() returned ${output === undefined ? 'nothing' : typeof output === 'object' && typeof (output as { then?: unknown }).then === 'function' ? 'a promise' : typeof output}: write it as a generator, async *read(ctx) { yield records }`);
}

/** Resolves once everything user code wrote to stdout and stderr has reached the executor (see `user-code-worker.ts`). */
function flushOutput(): Promise<void> {
  const flush = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => undefined);
}

async function readSource(): Promise<void> {
  const module = (await import(pathToFileURL(start.modulePath).href)) as Record<string, unknown>;
  const definition = module[start.exportName];
  if (!isSourceDefinition(definition)) throw new Error(`export "${start.exportName}" is not a defineSource(...) definition`);
  const context: SourceContext = {
    highWaterMark: start.highWaterMark,
    log: (message) => port!.postMessage({ type: 'log', message: String(message) } satisfies SourceWorkerMessage),
    signal: stopped.signal,
    env: process.env,
  };
  let singles: unknown[] = [];
  let lastSent = Date.now();
  for await (const item of iterableOf(definition.read(context))) {
    if (Array.isArray(item)) {
      // A yielded array is a batch of its own, as a page is for an HTTP table.
      await send(singles);
      singles = [];
      await send(item);
      lastSent = Date.now();
      continue;
    }
    singles.push(item);
    if (singles.length >= start.batchSize || Date.now() - lastSent >= MAX_BATCH_WAIT_MS) {
      await send(singles);
      singles = [];
      lastSent = Date.now();
    }
  }
  await send(singles);
  await inFlight;
  await flushOutput();
  port!.postMessage({ type: 'done' } satisfies SourceWorkerMessage);
}

readSource().catch(async (error: unknown) => {
  const failure = error instanceof Error ? error : new Error(String(error));
  await flushOutput();
  port.postMessage({ type: 'failed', error: { name: failure.name, message: failure.message, stack: failure.stack } } satisfies SourceWorkerMessage);
});
