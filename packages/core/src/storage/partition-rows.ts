/** Rows of the `partitions` and `backfills` tables as the records of `state-store.ts`. */
import type { Selectable } from 'kysely';
import type { BackfillStatus, PartitionStatus } from '../events/project-partition-event.js';
import type { BackfillRequestedEvent } from '../events/weir-event.js';
import type { BackfillRecord, PartitionRecord } from './state-store.js';
import { readJson, readNullableNumber, readNullableTime, readNumber, readTime } from './state-rows.js';
import type { BackfillsTable, PartitionsTable } from './state-tables.js';

/** A `partitions` row as a record. */
export function toPartitionRecord(row: Selectable<PartitionsTable>): PartitionRecord {
  return {
    asset: row.asset,
    version: row.version,
    partition: row.partition,
    status: row.status as PartitionStatus,
    runId: row.run_id,
    backfillId: row.backfill_id,
    rows: readNullableNumber(row.rows),
    detail: row.detail,
    updatedAt: readTime(row.updated_at),
  };
}

/** A `backfills` row as a record. */
export function toBackfillRecord(row: Selectable<BackfillsTable>): BackfillRecord {
  const spec = readJson<Pick<BackfillRequestedEvent, 'selection' | 'from' | 'to' | 'concurrency' | 'tasks'>>(row.spec);
  return {
    backfillId: row.backfill_id,
    environment: row.environment,
    status: row.status as BackfillStatus,
    requestedAt: readTime(row.requested_at),
    updatedAt: readTime(row.updated_at),
    endedAt: readNullableTime(row.ended_at),
    pid: readNumber(row.pid),
    host: row.host,
    selection: spec.selection,
    from: spec.from,
    to: spec.to,
    concurrency: spec.concurrency,
    tasks: spec.tasks,
    summary: row.summary === null ? null : readJson<Record<string, number>>(row.summary),
  };
}
