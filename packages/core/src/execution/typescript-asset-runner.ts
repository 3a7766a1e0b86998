/**
 * Runs a TypeScript asset behind the user-code boundary: in a worker thread, answering its SQL,
 * read and append requests against the engine. A throw in user code becomes a `USER_CODE_FAILED`
 * error pointing at the user's file and line; an abort (timeout, Ctrl-C) terminates the worker.
 * What user code prints goes to the run's log, never to Weir's own stdout (`weir run --json`).
 */
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AssetRow } from '../definitions/asset-definition.js';
import type { ColumnInfo, EngineAdapter, EngineSession, RelationRef, Row } from '../engines/engine-adapter.js';
import { WeirError, isWeirError, messageOf } from '../errors/weir-error.js';
import { locateUserFrame } from '../project/bundle-stack-location.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';
import type { TypeScriptAsset } from '../project/project-model.js';
import { physicalRelation } from '../plan/physical-names.js';
import type { ReadPage, WorkerReply, WorkerRequest, WorkerStart } from './user-code-protocol.js';

/** What the runner needs besides the asset. */
export interface TypeScriptRunTarget {
  engine: EngineAdapter;
  physical: RelationRef;
  inputVersions: Record<string, string>;
  projectRoot: string;
  runId: string;
  signal: AbortSignal;
  /** Receives `ctx.log` messages and, line by line, whatever user code writes to stdout and stderr. */
  log(message: string): void;
  /** Called with the number of rows written so far, after each batch. */
  onRows?(rows: number): void;
  /** The partition to build (`ctx.partition`), for a partitioned asset. */
  partition?: PartitionWindow;
  /** The table's columns when the asset declares none (a partition takes the published table's). */
  columns?: ColumnInfo[];
}

/**
 * The compiled worker entry. From `dist/` it sits beside this module; when this module runs from
 * `src/` (tests), the built copy in `dist/` is used, which `npm test` builds first.
 */
function workerEntry(): URL {
  const sibling = new URL('./user-code-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/execution/user-code-worker.js', import.meta.url);
}

/**
 * Builds `asset` into `target.physical` and returns the number of rows written.
 *
 * @example
 * ```ts
 * const rows = await runTypeScriptAsset(asset, { engine, physical, inputVersions, projectRoot, runId, signal, log: console.log });
 * ```
 */
export async function runTypeScriptAsset(asset: TypeScriptAsset, target: TypeScriptRunTarget): Promise<number> {
  target.signal.throwIfAborted();
  const writer = new RowWriter(asset, target);
  const session = await target.engine.session();
  const context: Answering = { session, target, asset, writer, cursors: new Map(), nextCursor: 1, madeViews: [] };
  let worker: Worker | undefined;
  let output: Promise<unknown> = Promise.resolve();
  try {
    const start: WorkerStart = {
      modulePath: asset.modulePath,
      exportName: asset.exportName,
      asset: asset.name,
      runId: target.runId,
      ...(target.partition === undefined ? {} : { partition: target.partition }),
    };
    // stdout/stderr: true keeps user output off Weir's stdout; it is forwarded to the log instead.
    worker = new Worker(workerEntry(), { workerData: start, stdout: true, stderr: true });
    output = Promise.all([forwardLines(worker.stdout, target.log), forwardLines(worker.stderr, target.log)]);
    await superviseWorker(worker, asset, target, writer, (request) => answerRequest(request, context));
    await writer.finish();
    return writer.rowCount;
  } finally {
    await worker?.terminate();
    // Every line printed reaches the log, and no queued batch writes the table after the build
    // has ended (a retry may be writing it next). Both end promptly: the worker has stopped, and
    // writes take the abort signal.
    await Promise.allSettled([output, writer.idle()]);
    await dropInputViews(session, target, context);
    await session.close();
  }
}

/**
 * Settles when the asset has returned and its rows are written; rejects when it throws, when the
 * worker dies or exits (even with code 0, e.g. `process.exit(0)`) before returning, or on abort.
 */
function superviseWorker(
  worker: Worker,
  asset: TypeScriptAsset,
  target: TypeScriptRunTarget,
  writer: RowWriter,
  answer: (request: Extract<WorkerRequest, { id: number }>) => Promise<unknown>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let returned = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      target.signal.removeEventListener('abort', stop);
      outcome();
    };
    const stop = (): void => {
      void worker.terminate();
      settle(() => reject(target.signal.reason));
    };
    target.signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: WorkerRequest) => {
      if (message.type === 'log') return target.log(message.message);
      if (message.type === 'done') {
        returned = true;
        writer.write(message.rows ?? []).then(
          () => settle(resolve),
          (error: unknown) => settle(() => reject(error)),
        );
        return;
      }
      if (message.type === 'failed') {
        returned = true;
        settle(() => reject(userCodeError(asset, target.projectRoot, message.error)));
        return;
      }
      answer(message).then(
        (value) => worker.postMessage({ type: 'reply', id: message.id, ok: true, value } satisfies WorkerReply),
        (error: unknown) => worker.postMessage({ type: 'reply', id: message.id, ok: false, message: messageOf(error) } satisfies WorkerReply),
      );
    });
    worker.on('error', (error) => settle(() => reject(userCodeError(asset, target.projectRoot, { name: error.name, message: error.message, stack: error.stack }))));
    worker.on('exit', (code) => {
      if (returned) return;
      settle(() =>
        reject(
          new WeirError('USER_CODE_FAILED', `${asset.name}: the asset's worker exited (code ${code}) before returning`, {
            location: { file: asset.file },
            hint: 'an asset ends by returning (or resolving); do not call process.exit() in asset code',
          }),
        ),
      );
    });
  });
}

/** What answering the requests of one build needs. */
interface Answering {
  session: EngineSession;
  target: TypeScriptRunTarget;
  asset: TypeScriptAsset;
  writer: RowWriter;
  /** Inputs being read, by the cursor id handed to the worker. */
  cursors: Map<number, AsyncIterator<Row[]>>;
  nextCursor: number;
  /** Making the temporary views that let `ctx.sql` name inputs plainly (see {@link makeInputViews}). */
  inputViews?: Promise<void>;
  /** The views made so far, dropped when the build ends. */
  madeViews: string[];
}

async function answerRequest(request: Extract<WorkerRequest, { id: number }>, context: Answering): Promise<unknown> {
  const { session, target, asset, writer, cursors } = context;
  switch (request.type) {
    case 'sql':
      await (context.inputViews ??= makeInputViews(session, target, context.madeViews));
      return session.query(request.query, request.params);
    case 'append':
      await writer.write(request.rows);
      return null;
    case 'read': {
      let id = request.cursor;
      if (id === null) {
        id = context.nextCursor++;
        cursors.set(id, readInput(session, target, asset, request.input, request.batchSize));
      }
      const next = await cursors.get(id)!.next();
      if (next.done) cursors.delete(id);
      return { rows: next.done ? [] : next.value, cursor: next.done ? null : id } satisfies ReadPage;
    }
  }
}

/** Passes each line of `stream` to `log`; settles when the stream ends (the worker has stopped). */
async function forwardLines(stream: Readable, log: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => log(line));
  await once(lines, 'close');
}

/**
 * `ctx.sql` sees each declared input by its plain name, as the exact version this build reads
 * (the one `ctx.read` streams): a temporary view per input in this session, which both engines
 * look up before any schema. Made on the first query, dropped before the session is released
 * (PostgreSQL sessions are pooled connections, where temporary views would outlive the build).
 */
async function makeInputViews(session: EngineSession, target: TypeScriptRunTarget, made: string[]): Promise<void> {
  for (const [input, version] of Object.entries(target.inputVersions)) {
    await session.execute(`CREATE OR REPLACE TEMPORARY VIEW ${target.engine.quoteIdentifier(input)} AS SELECT * FROM ${target.engine.quoteRelation(physicalRelation(input, version))}`);
    made.push(input);
  }
}

async function dropInputViews(session: EngineSession, target: TypeScriptRunTarget, context: Pick<Answering, 'inputViews' | 'madeViews'>): Promise<void> {
  await context.inputViews?.catch(() => undefined);
  // Unqualified names find the temporary view first; only views this build made are dropped.
  for (const input of context.madeViews) await session.execute(`DROP VIEW IF EXISTS ${target.engine.quoteIdentifier(input)}`).catch(() => undefined);
}

async function* readInput(session: EngineSession, target: TypeScriptRunTarget, asset: TypeScriptAsset, input: string, batchSize: number): AsyncGenerator<Row[]> {
  const version = target.inputVersions[input];
  if (version === undefined) {
    throw new Error(`"${input}" is not among the declared inputs of ${asset.name} (${asset.inputs.join(', ') || 'none'}); add it to inputs`);
  }
  yield* session.streamRows(`SELECT * FROM ${target.engine.quoteRelation(physicalRelation(input, version))}`, batchSize);
}

/**
 * Writes the rows a TypeScript asset produces, creating the table from the first batch. Writes run
 * one after another in arrival order, whether or not user code awaited them: two overlapping first
 * writes would both create (replace) the table, conflicting or silently losing a batch.
 */
class RowWriter {
  rowCount = 0;
  private columns: ColumnInfo[] | undefined;
  private created = false;
  // Every write waits for the one before; after a failure every later write fails with it, so a
  // refused batch never leaves a gap followed by more rows.
  private tail: Promise<void> = Promise.resolve();
  private readonly asset: TypeScriptAsset;
  private readonly target: TypeScriptRunTarget;

  constructor(asset: TypeScriptAsset, target: TypeScriptRunTarget) {
    this.asset = asset;
    this.target = target;
    if (asset.outputColumns) {
      this.columns = Object.entries(asset.outputColumns).map(([name, type]) => ({ name, type, nullable: true }));
    } else if (target.columns) {
      this.columns = target.columns;
    }
  }

  /** Queues `rows` behind every earlier write; settles once they are written (or refused). */
  write(rows: AssetRow[]): Promise<void> {
    const written = this.tail.then(() => this.writeNow(rows));
    this.tail = written;
    return written;
  }

  /** Settles once no write is running or queued, whatever their outcome. */
  idle(): Promise<void> {
    return this.tail.then(
      () => undefined,
      () => undefined,
    );
  }

  /** An asset that produced no rows still gets its (empty) table, when its columns are known. */
  async finish(): Promise<void> {
    await this.tail;
    if (this.created) return;
    if (!this.columns) {
      throw new WeirError('USER_CODE_FAILED', `${this.asset.name} produced no rows and declares no columns, so its table cannot be created`, {
        location: { file: this.asset.file, line: this.asset.line },
        hint: 'declare columns in defineAsset({ columns })',
      });
    }
    await this.target.engine.bulkInsert(this.target.physical, this.columns, [], { append: false, signal: this.target.signal });
    this.created = true;
  }

  private async writeNow(rows: AssetRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.columns ??= inferColumns(rows);
    const known = new Set(this.columns.map((column) => column.name));
    const unknown = Object.keys(rows[0] ?? {}).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new WeirError('USER_CODE_FAILED', `${this.asset.name} returned column(s) ${unknown.join(', ')} that are not in its columns (${[...known].join(', ')})`, {
        location: { file: this.asset.file, line: this.asset.line },
        hint: 'declare every column in defineAsset({ columns }) or return the same columns in every batch',
      });
    }
    try {
      await this.target.engine.bulkInsert(this.target.physical, this.columns, rows, { append: this.created, signal: this.target.signal });
    } catch (error) {
      // A value that does not fit its column is the asset's to fix: point at its file.
      if (!isWeirError(error) || error.location !== undefined || this.target.signal.aborted) throw error;
      throw new WeirError(error.code, `${this.asset.name}: ${error.message}`, {
        location: { file: this.asset.file, line: this.asset.line },
        hint: error.hint ?? 'declare the column\'s type in defineAsset({ columns }); without it, types come from the first rows written',
        cause: error,
      });
    }
    this.created = true;
    this.rowCount += rows.length;
    this.target.onRows?.(this.rowCount);
  }
}

/** Column types from the first non-null value of each column. */
export function inferColumns(rows: AssetRow[]): ColumnInfo[] {
  const names = Object.keys(rows[0] ?? {});
  return names.map((name) => {
    const values = rows.map((row) => row[name]).filter((value) => value !== null && value !== undefined);
    return { name, type: sqlTypeOf(values), nullable: true };
  });
}

function sqlTypeOf(values: unknown[]): string {
  if (values.length === 0) return 'VARCHAR';
  if (values.every((value) => typeof value === 'bigint')) return 'BIGINT';
  if (values.every((value) => typeof value === 'number')) return values.every((value) => Number.isInteger(value)) ? 'BIGINT' : 'DOUBLE';
  if (values.every((value) => typeof value === 'boolean')) return 'BOOLEAN';
  if (values.every((value) => value instanceof Date)) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** A user's throw as a Weir error that points at the first frame inside the user's own files. */
function userCodeError(asset: TypeScriptAsset, projectRoot: string, error: { name: string; message: string; stack: string | undefined }): WeirError {
  const location = locateUserFrame(projectRoot, asset.modulePath, error.stack) ?? { file: asset.file, line: asset.line };
  return new WeirError('USER_CODE_FAILED', `${asset.name} threw ${error.name}: ${error.message}`, { location });
}
