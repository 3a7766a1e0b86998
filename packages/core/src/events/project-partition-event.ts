/**
 * What partition and backfill events change in the projections: one row per asset, version and
 * partition (`partitions`), and one row per backfill (`backfills`). Pure, like `projectEvent`,
 * which hands these events here.
 */
import type {
  BackfillCancelRequestedEvent,
  BackfillFinishedEvent,
  BackfillRequestedEvent,
  BackfillResumedEvent,
  PartitionFailedEvent,
  PartitionPublishedEvent,
  PartitionStartedEvent,
} from './weir-event.js';

/** Where a partition of one version stands. */
export type PartitionStatus = 'running' | 'published' | 'failed' | 'blocked' | 'cancelled';

/**
 * Creates or updates the row of (asset, version, partition). `rows` is kept when absent: a failed
 * rebuild leaves the published rows (and their count) as they were.
 */
export interface UpsertPartitionWrite {
  kind: 'upsert_partition';
  asset: string;
  version: string;
  partition: string;
  status: PartitionStatus;
  runId: string;
  backfillId: string | null;
  rows?: number;
  detail: string | null;
  updatedAt: string;
}

/** Where a backfill stands. `cancelled` is set by the request, so a process sees it between tasks. */
export type BackfillStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A new backfill row, written once by `backfill_requested`. */
export interface InsertBackfillWrite {
  kind: 'insert_backfill';
  backfill: {
    backfillId: string;
    environment: string;
    requestedAt: string;
    pid: number;
    host: string;
    /** The request as recorded: selection, range, concurrency and tasks. */
    spec: Pick<BackfillRequestedEvent, 'selection' | 'from' | 'to' | 'concurrency' | 'tasks'>;
  };
}

/**
 * Moves a backfill along: a resume makes it `running` again under a new process; a finish records
 * the summary. A cancelled backfill stays cancelled whatever its process reports last.
 */
export interface SetBackfillStatusWrite {
  kind: 'set_backfill_status';
  backfillId: string;
  status: BackfillStatus;
  updatedAt: string;
  endedAt: string | null;
  process?: { pid: number; host: string };
  summary?: Record<string, number>;
}

/** A write of the partition and backfill projections. */
export type PartitionProjectionWrite = UpsertPartitionWrite | InsertBackfillWrite | SetBackfillStatusWrite;

/** The partition and backfill events. */
export type PartitionEvent =
  | PartitionStartedEvent
  | PartitionPublishedEvent
  | PartitionFailedEvent
  | BackfillRequestedEvent
  | BackfillResumedEvent
  | BackfillCancelRequestedEvent
  | BackfillFinishedEvent;

/**
 * The projection writes of one partition or backfill event; `at` is its normalised time.
 *
 * @example
 * ```ts
 * projectPartitionEvent({ type: 'partition_published', at, runId: 'r1', asset: 'daily', version: 'v1', partition: '2026-03-01', rows: 42 }, at);
 * ```
 */
export function projectPartitionEvent(event: PartitionEvent, at: string): PartitionProjectionWrite[] {
  switch (event.type) {
    case 'partition_started':
      return [partition(event, 'running', null, at)];
    case 'partition_published':
      return [{ ...partition(event, 'published', null, at), rows: event.rows }];
    case 'partition_failed':
      return [partition(event, event.status, event.detail, at)];
    case 'backfill_requested':
      return [
        {
          kind: 'insert_backfill',
          backfill: {
            backfillId: event.backfillId,
            environment: event.environment,
            requestedAt: at,
            pid: event.pid,
            host: event.host,
            spec: { selection: [...event.selection], from: event.from, to: event.to, concurrency: event.concurrency, tasks: event.tasks.map((task) => ({ ...task, partitions: [...task.partitions] })) },
          },
        },
      ];
    case 'backfill_resumed':
      return [{ kind: 'set_backfill_status', backfillId: event.backfillId, status: 'running', updatedAt: at, endedAt: null, process: { pid: event.pid, host: event.host } }];
    case 'backfill_cancel_requested':
      return [{ kind: 'set_backfill_status', backfillId: event.backfillId, status: 'cancelled', updatedAt: at, endedAt: at }];
    case 'backfill_finished':
      return [{ kind: 'set_backfill_status', backfillId: event.backfillId, status: event.status, updatedAt: at, endedAt: at, summary: { ...event.summary } }];
  }
}

function partition(event: PartitionStartedEvent | PartitionPublishedEvent | PartitionFailedEvent, status: PartitionStatus, detail: string | null, at: string): UpsertPartitionWrite {
  if (typeof event.partition !== 'string' || event.partition === '') throw new TypeError(`${event.type} of ${JSON.stringify(event.asset)} has no partition key`);
  return { kind: 'upsert_partition', asset: event.asset, version: event.version, partition: event.partition, status, runId: event.runId, backfillId: event.backfillId ?? null, detail, updatedAt: at };
}
