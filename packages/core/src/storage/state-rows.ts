/**
 * Turns rows of either database into the records of `state-store.ts`: numbers as numbers (the pg
 * driver returns bigints as strings), booleans as booleans (SQLite stores 0/1), JSON as objects
 * (SQLite stores text), times as UTC ISO strings (pg returns `Date`).
 */
import type { Selectable } from 'kysely';
import type { RecordedError, RunStatus, SkipReason, StepStatus, StoredEvent } from '../events/weir-event.js';
import type {
  CheckResultRecord,
  LatestMetricRecord,
  MetricPointRecord,
  PointerRecord,
  RunRecord,
  StepRecord,
  VersionRecord,
  VersionStatus,
} from './state-store.js';
import type {
  CheckResultsTable,
  EventsTable,
  MetricPointsTable,
  PointersTable,
  RunsTable,
  StepsTable,
  VersionsTable,
} from './state-tables.js';

/** A number from an integer column. */
export function readNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A number or null from a nullable integer column. */
export function readNullableNumber(value: number | string | bigint | null): number | null {
  return value === null ? null : readNumber(value);
}

/** A boolean from a 0/1 (SQLite) or boolean (PostgreSQL) column. */
export function readBoolean(value: boolean | number): boolean {
  return value === true || value === 1;
}

/** A UTC ISO string from a text (SQLite) or timestamptz (PostgreSQL) column. */
export function readTime(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** A UTC ISO string or null. */
export function readNullableTime(value: string | Date | null): string | null {
  return value === null ? null : readTime(value);
}

/** A parsed JSON document from a text (SQLite) or jsonb (PostgreSQL) column. */
export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A stored event: the payload as it was appended, plus its position in the log. */
export function toStoredEvent(row: Pick<Selectable<EventsTable>, 'id' | 'payload'>): StoredEvent {
  return { ...readJson<Omit<StoredEvent, 'id'>>(row.payload), id: readNumber(row.id) } as StoredEvent;
}

/** A run row as a {@link RunRecord}. */
export function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    runId: row.run_id,
    status: row.status as RunStatus,
    environment: row.environment,
    command: row.command,
    startedAt: readTime(row.started_at),
    endedAt: readNullableTime(row.ended_at),
    pid: readNumber(row.pid),
    host: row.host,
    retryOf: row.retry_of,
    selection: readJson<string[]>(row.selection),
    summary: readJson<Record<string, number>>(row.summary),
    detail: row.detail,
  };
}

/** A step row as a {@link StepRecord}. */
export function toStepRecord(row: Selectable<StepsTable>): StepRecord {
  return {
    runId: row.run_id,
    asset: row.asset,
    status: row.status as StepStatus,
    version: row.version,
    attempts: readNumber(row.attempts),
    startedAt: readNullableTime(row.started_at),
    endedAt: readNullableTime(row.ended_at),
    rows: readNullableNumber(row.rows),
    durationMs: readNullableNumber(row.duration_ms),
    skipReason: row.skip_reason as SkipReason | null,
    detail: row.detail,
    error: row.error === null ? null : readJson<RecordedError>(row.error),
  };
}

/** A version row as a {@link VersionRecord}. */
export function toVersionRecord(row: Selectable<VersionsTable>): VersionRecord {
  return {
    asset: row.asset,
    version: row.version,
    physicalSchema: row.physical_schema,
    physicalName: row.physical_name,
    materialization: row.materialization,
    status: row.status as VersionStatus,
    rows: readNullableNumber(row.rows),
    createdAt: readTime(row.created_at),
    createdByRun: row.created_by_run,
    basedOn: row.based_on,
  };
}

/** A pointer row as a {@link PointerRecord}. */
export function toPointerRecord(row: Selectable<PointersTable>): PointerRecord {
  return {
    environment: row.environment,
    asset: row.asset,
    version: row.version,
    publishedAt: readTime(row.published_at),
    pinned: readBoolean(row.pinned),
  };
}

/** A check result row as a {@link CheckResultRecord}. */
export function toCheckResultRecord(row: Selectable<CheckResultsTable>): CheckResultRecord {
  return {
    runId: row.run_id,
    asset: row.asset,
    version: row.version,
    check: row.check_name,
    checkType: row.check_type,
    severity: row.severity as 'error' | 'warn',
    passed: readBoolean(row.passed),
    failingRows: readNullableNumber(row.failing_rows),
    detail: row.detail,
    evaluatedAt: readTime(row.evaluated_at),
  };
}

/** A metric point row as a {@link MetricPointRecord}. */
export function toMetricPointRecord(row: Selectable<MetricPointsTable>): MetricPointRecord {
  return {
    at: readTime(row.measured_at),
    value: row.value,
    runId: row.run_id,
    version: row.version,
    anomalous: readBoolean(row.anomalous),
    eventId: readNumber(row.event_id),
    ...(row.partition === null ? {} : { partition: row.partition }),
  };
}

/** A metric point row as a {@link LatestMetricRecord}: '' in `column_name` means an asset metric. */
export function toLatestMetricRecord(row: Selectable<MetricPointsTable>): LatestMetricRecord {
  const record: LatestMetricRecord = {
    metric: row.metric,
    value: row.value,
    at: readTime(row.measured_at),
    version: row.version,
    anomalous: readBoolean(row.anomalous),
  };
  if (row.column_name !== '') record.column = row.column_name;
  if (row.partition !== null) record.partition = row.partition;
  return record;
}
