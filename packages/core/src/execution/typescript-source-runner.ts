/**
 * Loads a TypeScript source (`defineSource`) behind the user-code boundary: its `read` runs in a
 * worker thread, and the records it yields come back in batches to be fitted and staged by the
 * same loader as HTTP records (`records/stage-records.ts`: schema policy, dead letters, versions).
 * A throw in user code becomes a `USER_CODE_FAILED` error at the user's file and line; an abort
 * (timeout, cancel) terminates the worker; either way nothing is published.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadRecordTable, recordId, type RecordLoadResult, type RecordStaging } from '../connectors/records/stage-records.js';
import type { IncomingRecord } from '../connectors/records/shape-records.js';
import type { EngineAdapter, RelationRef } from '../engines/engine-adapter.js';
import { WeirError, messageOf } from '../errors/weir-error.js';
import { locateUserFrame } from '../project/bundle-stack-location.js';
import type { TypeScriptSourceAsset } from '../project/project-model.js';
import type { SourceWorkerMessage, SourceWorkerReply, SourceWorkerStart } from './source-worker-protocol.js';

/** Records yielded one at a time travel to the loader in batches of this many. */
const SINGLE_RECORD_BATCH = 5000;

/** What the runner needs besides the source. */
export interface TypeScriptSourceTarget {
  engine: EngineAdapter;
  physical: RelationRef;
  /** The version an incremental load extends, or null. */
  basedOn: RelationRef | null;
  projectRoot: string;
  runId: string;
  signal: AbortSignal;
  /** Receives `ctx.log` messages and, line by line, whatever `read` writes to stdout and stderr. */
  log(message: string): void;
  /** Records read so far, after each batch. */
  onProgress?(records: number): void;
  /** What `ctx.env` holds; `process.env` when absent. */
  env?: Record<string, string | undefined>;
}

/**
 * The compiled worker entry. From `dist/` it sits beside this module; when this module runs from
 * `src/` (tests), the built copy in `dist/` is used, which `npm test` builds first.
 */
function workerEntry(): URL {
  const sibling = new URL('./source-read-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/execution/source-read-worker.js', import.meta.url);
}

/**
 * Loads `asset` into `target.physical` and says what the load did.
 *
 * @example
 * ```ts
 * const loaded = await runTypeScriptSource(asset, { engine, physical, basedOn: null, projectRoot, runId, signal, log: console.log });
 * console.log(`${loaded.records} record(s), ${loaded.deadLettered} set aside`);
 * ```
 */
export async function runTypeScriptSource(asset: TypeScriptSourceAsset, target: TypeScriptSourceTarget): Promise<RecordLoadResult> {
  target.signal.throwIfAborted();
  const spec = {
    asset: asset.name,
    schemaPolicy: asset.schemaPolicy,
    primaryKey: asset.primaryKey,
    ...(asset.incremental === undefined ? {} : { cursor: asset.incremental.cursor }),
    noRecords: () =>
      new WeirError('SOURCE_READ_FAILED', `${asset.name}: read() yielded no records, so there are no columns to make a table of`, {
        location: { file: asset.file, line: asset.line },
        hint: 'the first load needs at least one record; check what read() fetches (ctx.log helps)',
      }),
  };
  return loadRecordTable(spec, { engine: target.engine, physical: target.physical, basedOn: target.basedOn, runId: target.runId, signal: target.signal }, (staging) =>
    readInWorker(asset, target, staging),
  );
}

/** Runs `read` in a worker and stages what it sends; settles once every batch is staged and `read` has ended. */
async function readInWorker(asset: TypeScriptSourceAsset, target: TypeScriptSourceTarget, staging: RecordStaging): Promise<void> {
  const start: SourceWorkerStart = {
    modulePath: asset.modulePath,
    exportName: asset.exportName,
    asset: asset.name,
    runId: target.runId,
    highWaterMark: staging.highWaterMark,
    batchSize: SINGLE_RECORD_BATCH,
  };
  // stdout/stderr: true keeps user output off Weir's stdout; it is forwarded to the log instead.
  const worker = new Worker(workerEntry(), { workerData: start, stdout: true, stderr: true, ...(target.env === undefined ? {} : { env: target.env }) });
  const output = Promise.all([forwardLines(worker.stdout, target.log), forwardLines(worker.stderr, target.log)]);
  try {
    await superviseWorker(worker, asset, target, staging);
  } finally {
    await worker.terminate();
    // Every line printed reaches the log; it ends promptly, as the worker has stopped.
    await output.catch(() => undefined);
  }
}

/**
 * Settles when `read` has ended and its batches are staged; rejects when it throws, when staging
 * a batch fails (a frozen schema), when the worker dies or exits before `read` ends, or on abort.
 * It never settles while a batch is being staged: the caller drops the staging table next.
 */
function superviseWorker(worker: Worker, asset: TypeScriptSourceAsset, target: TypeScriptSourceTarget, staging: RecordStaging): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let ended = false;
    // Batches are staged one after another, in arrival order (the worker also waits for each ack).
    let tail: Promise<void> = Promise.resolve();
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      target.signal.removeEventListener('abort', stop);
      void tail.then(outcome);
    };
    const stop = (): void => {
      worker.postMessage({ type: 'abort', reason: messageOf(target.signal.reason) } satisfies SourceWorkerReply);
      void worker.terminate();
      settle(() => reject(target.signal.reason));
    };
    target.signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: SourceWorkerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'log':
          target.log(message.message);
          return;
        case 'records':
          tail = tail.then(async () => {
            if (settled) return;
            try {
              await staging.stage(incomingRecords(message.records, message.notRecords));
              target.onProgress?.(staging.records);
              worker.postMessage({ type: 'ack', id: message.id } satisfies SourceWorkerReply);
            } catch (error) {
              void worker.terminate();
              settle(() => reject(error));
            }
          });
          return;
        case 'done':
          ended = true;
          settle(resolve);
          return;
        case 'failed':
          ended = true;
          settle(() => reject(userCodeError(asset, target.projectRoot, message.error)));
          return;
      }
    });
    worker.on('error', (error) => settle(() => reject(userCodeError(asset, target.projectRoot, { name: error.name, message: error.message, stack: error.stack }))));
    worker.on('exit', (code) => {
      if (ended) return;
      settle(() =>
        reject(
          new WeirError('USER_CODE_FAILED', `${asset.name}: the source's worker exited (code ${code}) before read() ended`, {
            location: { file: asset.file, line: asset.line },
            hint: 'read() ends by returning; do not call process.exit() in source code',
          }),
        ),
      );
    });
  });
}

/** A batch as the loader takes it: records parsed in one go, values that are not records kept as dead letters. */
function incomingRecords(records: readonly string[], notRecords: ReadonlyArray<{ payload: string; error: string }>): IncomingRecord[] {
  const parsed = records.length === 0 ? [] : (JSON.parse(`[${records.join(',')}]`) as Record<string, unknown>[]);
  const incoming: IncomingRecord[] = notRecords.map((value) => ({ id: recordId(value.payload), payload: value.payload, record: undefined, parseError: value.error }));
  records.forEach((payload, index) => incoming.push({ id: recordId(payload), payload, record: parsed[index] }));
  return incoming;
}

/** Passes each line of `stream` to `log`; settles when the stream ends (the worker has stopped). */
async function forwardLines(stream: Readable, log: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => log(line));
  await once(lines, 'close');
}

/** A user's throw as a Weir error that points at the first frame inside the user's own files. */
function userCodeError(asset: TypeScriptSourceAsset, projectRoot: string, error: { name: string; message: string; stack: string | undefined }): WeirError {
  const location = locateUserFrame(projectRoot, asset.modulePath, error.stack) ?? { file: asset.file, line: asset.line };
  return new WeirError('USER_CODE_FAILED', `${asset.name} threw ${error.name}: ${error.message}`, { location });
}
