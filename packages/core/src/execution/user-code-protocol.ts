/**
 * Messages between the executor and the worker thread that runs a TypeScript asset. The worker
 * never touches the warehouse: it asks, the executor answers. That keeps one owner of the engine
 * and lets the executor stop user code at any moment by terminating the worker.
 */
import type { AssetRow } from '../definitions/asset-definition.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';

/** What the worker is started with. */
export interface WorkerStart {
  modulePath: string;
  exportName: string;
  asset: string;
  runId: string;
  /** The partition being built, for a partitioned asset (`ctx.partition`). */
  partition?: PartitionWindow;
}

/** Requests from the worker. Each request with an `id` gets exactly one {@link WorkerReply}. */
export type WorkerRequest =
  | { type: 'sql'; id: number; query: string; params: unknown[] }
  | { type: 'read'; id: number; input: string; batchSize: number; cursor: number | null }
  | { type: 'append'; id: number; rows: AssetRow[] }
  | { type: 'log'; message: string }
  | { type: 'done'; rows: AssetRow[] | null }
  | { type: 'failed'; error: { name: string; message: string; stack: string | undefined } };

/** Answers to worker requests. */
export type WorkerReply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; message: string };

/** One page of an input being read: `cursor` is null once the input is exhausted. */
export interface ReadPage {
  rows: AssetRow[];
  cursor: number | null;
}
