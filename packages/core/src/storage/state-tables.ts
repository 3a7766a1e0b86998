/**
 * The tables of the state database as Kysely sees them. Column types are written for both stores:
 * SQLite hands back integers as numbers, JSON and times as text and booleans as 0/1; PostgreSQL
 * hands back bigints as strings, JSON as objects and times as `Date`. `state-rows.ts` turns either
 * into the records of `state-store.ts`.
 */
import type { ColumnType } from 'kysely';

/** An integer column: read as a number (SQLite) or a string (PostgreSQL bigint), written as a number. */
export type IntegerColumn = ColumnType<number | string | bigint, number, number>;
/** A nullable integer column. */
export type NullableIntegerColumn = ColumnType<number | string | bigint | null, number | null, number | null>;
/** A UTC ISO timestamp: text on SQLite, `timestamptz` on PostgreSQL. */
export type TimeColumn = ColumnType<string | Date, string, string>;
/** A nullable timestamp. */
export type NullableTimeColumn = ColumnType<string | Date | null, string | null, string | null>;
/** A JSON document: written as JSON text, read as text (SQLite) or parsed (PostgreSQL `jsonb`). */
export type JsonColumn = ColumnType<unknown, string, string>;
/** A nullable JSON document. */
export type NullableJsonColumn = ColumnType<unknown, string | null, string | null>;
/** A boolean: 0/1 on SQLite, `boolean` on PostgreSQL. */
export type BooleanColumn = ColumnType<boolean | number, boolean | number, boolean | number>;

/** The append-only log. `id` is the position in the log, gap-free and in commit order. */
export interface EventsTable {
  id: IntegerColumn;
  type: string;
  run_id: string | null;
  asset: string | null;
  at: TimeColumn;
  payload: JsonColumn;
}

/** One row per run. `event_id` is the `run_started` event, to order runs that started together. */
export interface RunsTable {
  run_id: string;
  status: string;
  environment: string;
  command: string;
  started_at: TimeColumn;
  ended_at: NullableTimeColumn;
  pid: IntegerColumn;
  host: string;
  retry_of: string | null;
  selection: JsonColumn;
  summary: JsonColumn;
  detail: string | null;
  event_id: IntegerColumn;
}

/** One row per (run, asset). `event_id` is the first event of the step, which orders steps. */
export interface StepsTable {
  run_id: string;
  asset: string;
  status: string;
  version: string | null;
  attempts: IntegerColumn;
  started_at: NullableTimeColumn;
  ended_at: NullableTimeColumn;
  rows: NullableIntegerColumn;
  duration_ms: NullableIntegerColumn;
  skip_reason: string | null;
  detail: string | null;
  error: NullableJsonColumn;
  event_id: IntegerColumn;
}

/** One row per (asset, version). `event_id` is the materialization that recorded it. */
export interface VersionsTable {
  asset: string;
  version: string;
  physical_schema: string;
  physical_name: string;
  materialization: string;
  status: string;
  rows: NullableIntegerColumn;
  created_at: TimeColumn;
  created_by_run: string;
  based_on: string | null;
  event_id: IntegerColumn;
}

/** One row per (environment, asset): the live version. */
export interface PointersTable {
  environment: string;
  asset: string;
  version: string;
  published_at: TimeColumn;
  pinned: BooleanColumn;
}

/** One row per `check_evaluated` event, keyed by that event. */
export interface CheckResultsTable {
  event_id: IntegerColumn;
  run_id: string;
  asset: string;
  version: string;
  check_name: string;
  check_type: string;
  severity: string;
  passed: BooleanColumn;
  failing_rows: NullableIntegerColumn;
  detail: string;
  evaluated_at: TimeColumn;
}

/**
 * One row per metric per `metrics_measured` event. `column_name` is '' for asset metrics (not null,
 * so a series is found by equality and one index serves asset and column metrics alike).
 */
export interface MetricPointsTable {
  event_id: IntegerColumn;
  run_id: string | null;
  asset: string;
  version: string;
  partition: string | null;
  metric: string;
  column_name: string;
  /** A double: PostgreSQL `double precision` and SQLite `real` both read back as numbers. */
  value: number | null;
  anomalous: BooleanColumn;
  measured_at: TimeColumn;
}

/** One row per `spc_rebaselined` event; `column_name` is '' for asset metrics. */
export interface SpcRebaselinesTable {
  event_id: IntegerColumn;
  asset: string;
  metric: string;
  column_name: string;
  rebaselined_at: TimeColumn;
}

/** One row per partition of a version of a partitioned asset (`partition_*` events). */
export interface PartitionsTable {
  asset: string;
  version: string;
  partition: string;
  status: string;
  run_id: string;
  backfill_id: string | null;
  rows: NullableIntegerColumn;
  detail: string | null;
  updated_at: TimeColumn;
  event_id: IntegerColumn;
}

/** One row per backfill (`backfill_*` events); `spec` is the request (selection, range, tasks). */
export interface BackfillsTable {
  backfill_id: string;
  environment: string;
  status: string;
  requested_at: TimeColumn;
  updated_at: TimeColumn;
  ended_at: NullableTimeColumn;
  pid: IntegerColumn;
  host: string;
  spec: JsonColumn;
  summary: NullableJsonColumn;
  event_id: IntegerColumn;
}

/**
 * One row per schedule or sensor (`trigger` is `schedule` or `sensor`): its pause flag (null until
 * someone pauses or resumes it), the instant its ticks count from, its last tick and its cursor.
 */
export interface TriggerStatesTable {
  trigger: string;
  name: string;
  paused: ColumnType<boolean | number | null, boolean | number | null, boolean | number | null>;
  since: NullableTimeColumn;
  last_tick: NullableTimeColumn;
  cursor: NullableJsonColumn;
  updated_at: TimeColumn;
  event_id: IntegerColumn;
}

/**
 * One row per API token ever made (`api_token_created`), keyed by the token's SHA-256; a revoked
 * token keeps its row with `revoked_at` set. The token itself is never stored.
 */
export interface ApiTokensTable {
  token_hash: string;
  name: string;
  role: string;
  created_at: TimeColumn;
  created_by: string;
  revoked_at: NullableTimeColumn;
  revoked_by: string | null;
  event_id: IntegerColumn;
}

/**
 * One row per piece of consumer feedback (`feedback_submitted`); a report's status columns are
 * updated by `feedback_status_changed`. `status` is null for ratings and comments.
 */
export interface FeedbackTable {
  feedback_id: string;
  asset: string;
  kind: string;
  rating: NullableIntegerColumn;
  text: string;
  author: string | null;
  status: string | null;
  status_note: string | null;
  status_by: string | null;
  status_at: NullableTimeColumn;
  created_at: TimeColumn;
  event_id: IntegerColumn;
}

/** Migrations applied, one row each. */
export interface SchemaVersionTable {
  version: IntegerColumn;
  applied_at: string;
}

/** The whole state database. */
export interface StateTables {
  events: EventsTable;
  runs: RunsTable;
  steps: StepsTable;
  versions: VersionsTable;
  pointers: PointersTable;
  check_results: CheckResultsTable;
  metric_points: MetricPointsTable;
  spc_rebaselines: SpcRebaselinesTable;
  schema_version: SchemaVersionTable;
  trigger_states: TriggerStatesTable;
  partitions: PartitionsTable;
  backfills: BackfillsTable;
  api_tokens: ApiTokensTable;
  feedback: FeedbackTable;
}
