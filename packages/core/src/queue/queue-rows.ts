/**
 * Rows of the queue's tables turned into the records of `job-queue.ts`: integers that PostgreSQL
 * hands back as strings become numbers, epoch milliseconds become `Date`s, JSON text is parsed.
 */
import type { Selectable } from 'kysely';
import type { ClaimedJob, JobRecord, JobState, JsonValue, WorkerRecord } from './job-queue.js';
import type { QueueJobsTable, QueueWorkersTable } from './queue-tables.js';

/** A job row as read. */
export type JobRow = Selectable<QueueJobsTable>;

/** A number from an integer column (PostgreSQL bigints arrive as strings). */
export function toNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function optionalNumber(value: number | string | bigint | null): number | undefined {
  return value === null ? undefined : toNumber(value);
}

function optionalDate(value: number | string | null): Date | undefined {
  return value === null ? undefined : new Date(toNumber(value));
}

function parseJson(text: string | null): JsonValue | undefined {
  return text === null ? undefined : (JSON.parse(text) as JsonValue);
}

/** The record of a job row. */
export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: toNumber(row.id),
    kind: row.kind,
    payload: parseJson(row.payload) as JsonValue,
    priority: toNumber(row.priority),
    pool: row.pool ?? undefined,
    dedupeKey: row.dedupe_key ?? undefined,
    state: row.state as JobState,
    attempts: toNumber(row.attempts),
    maxAttempts: toNumber(row.max_attempts),
    timeoutMs: optionalNumber(row.timeout_ms),
    runAfter: new Date(toNumber(row.run_after)),
    createdAt: new Date(toNumber(row.created_at)),
    readyAt: new Date(toNumber(row.ready_at)),
    workerId: row.worker_id ?? undefined,
    startedAt: optionalDate(row.started_at),
    leaseExpiresAt: optionalDate(row.lease_expires_at),
    finishedAt: optionalDate(row.finished_at),
    cancelRequested: toNumber(row.cancel_requested) !== 0,
    result: parseJson(row.result),
    lastError: row.last_error ?? undefined,
  };
}

/** The claimed job of a row just claimed (running, with a worker and a lease). */
export function toClaimedJob(row: JobRow): ClaimedJob {
  return {
    id: toNumber(row.id),
    workerId: row.worker_id!,
    claimToken: toNumber(row.claims),
    kind: row.kind,
    payload: parseJson(row.payload) as JsonValue,
    priority: toNumber(row.priority),
    pool: row.pool ?? undefined,
    dedupeKey: row.dedupe_key ?? undefined,
    attempt: toNumber(row.attempts),
    maxAttempts: toNumber(row.max_attempts),
    timeoutMs: optionalNumber(row.timeout_ms),
    readyAt: new Date(toNumber(row.ready_at)),
    startedAt: new Date(toNumber(row.started_at!)),
    leaseExpiresAt: new Date(toNumber(row.lease_expires_at!)),
  };
}

/** The record of a worker row; `alive` when it beat after `aliveSince` and did not stop. */
export function toWorkerRecord(row: Selectable<QueueWorkersTable>, aliveSince: number): WorkerRecord {
  const heartbeatAt = toNumber(row.heartbeat_at);
  return {
    id: row.id,
    host: row.host,
    pid: toNumber(row.pid),
    projectVersion: row.project_version,
    registeredAt: new Date(toNumber(row.registered_at)),
    heartbeatAt: new Date(heartbeatAt),
    stoppedAt: optionalDate(row.stopped_at),
    alive: row.stopped_at === null && heartbeatAt >= aliveSince,
  };
}
