/**
 * The queue's tables as Kysely sees them. Times are milliseconds since the epoch in an integer
 * column on both databases (comparisons and lease arithmetic stay plain integer SQL); payloads and
 * results are JSON text. PostgreSQL hands `bigint` back as strings, so reads go through `Number`.
 */
import type { ColumnType, Generated } from 'kysely';

/** An integer read as a number (SQLite) or a string (PostgreSQL bigint). */
export type QueueInteger = ColumnType<number | string, number, number>;
/** A nullable integer. */
export type NullableQueueInteger = ColumnType<number | string | null, number | null, number | null>;

/** One row per job. */
export interface QueueJobsTable {
  id: Generated<number | string>;
  kind: string;
  payload: string;
  priority: number;
  pool: string | null;
  dedupe_key: string | null;
  state: string;
  attempts: number;
  max_attempts: number;
  /** Claims ever made: the fencing number of the latest claim. Never reset. */
  claims: number;
  timeout_ms: NullableQueueInteger;
  run_after: QueueInteger;
  created_at: QueueInteger;
  ready_at: QueueInteger;
  worker_id: string | null;
  started_at: NullableQueueInteger;
  lease_expires_at: NullableQueueInteger;
  finished_at: NullableQueueInteger;
  cancel_requested: number;
  result: string | null;
  last_error: string | null;
}

/** Concurrency limits: `global`, or `pool:<name>`. */
export interface QueueLimitsTable {
  limit_key: string;
  max_running: number;
}

/** Small settings shared by all processes (the expected project version). */
export interface QueueSettingsTable {
  key: string;
  value: string;
}

/** Registered worker processes. */
export interface QueueWorkersTable {
  id: string;
  host: string;
  pid: number;
  project_version: string;
  registered_at: QueueInteger;
  heartbeat_at: QueueInteger;
  stopped_at: NullableQueueInteger;
}

/** The migrations applied to the queue's tables (separate from the state store's `schema_version`). */
export interface QueueSchemaVersionTable {
  version: number;
  applied_at: string;
}

/** Every table of the queue. */
export interface QueueTables {
  queue_jobs: QueueJobsTable;
  queue_limits: QueueLimitsTable;
  queue_settings: QueueSettingsTable;
  queue_workers: QueueWorkersTable;
  queue_schema_version: QueueSchemaVersionTable;
}
