/**
 * Messages between the executor and the worker thread that runs a TypeScript source's `read`. The
 * worker never touches the warehouse: it sends records as JSON text, and the executor fits and
 * stages them (see `typescript-source-runner.ts`). Each batch is acknowledged once staged, and the
 * worker sends the next only after that, so at most two batches are in memory, whatever the speed
 * of the source.
 */

/** What the worker is started with. */
export interface SourceWorkerStart {
  modulePath: string;
  exportName: string;
  asset: string;
  runId: string;
  /** What `ctx.highWaterMark` says. */
  highWaterMark: string | null;
  /** Records yielded one at a time are sent in batches of at most this many. */
  batchSize: number;
}

/** A value yielded that cannot be a record, with its text and the reason. */
export interface NotARecord {
  payload: string;
  error: string;
}

/** Messages from the worker. */
export type SourceWorkerMessage =
  /** One batch: each record's JSON text, and the values that are not records. Answered by an `ack` with the same id. */
  | { type: 'records'; id: number; records: string[]; notRecords: NotARecord[] }
  | { type: 'log'; message: string }
  /** `read` has ended and every batch was acknowledged. */
  | { type: 'done' }
  | { type: 'failed'; error: { name: string; message: string; stack: string | undefined } };

/** Messages to the worker. */
export type SourceWorkerReply =
  /** The batch is staged. */
  | { type: 'ack'; id: number }
  /** The load is being stopped: `ctx.signal` aborts (the worker is terminated right after). */
  | { type: 'abort'; reason: string };
