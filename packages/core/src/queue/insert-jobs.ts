/**
 * Enqueueing's half of the queue: checking a job's options and inserting rows (keyless jobs in
 * one statement, jobs with a dedupe key one by one so an existing key returns its job).
 */
import type { Kysely } from 'kysely';
import { messageOf, WeirError } from '../errors/weir-error.js';
import type { EnqueueOptions, EnqueueResult, JsonValue } from './job-queue.js';
import { toNumber } from './queue-rows.js';
import type { QueueTables } from './queue-tables.js';

/** A row ready to insert into `queue_jobs`. */
export type InsertRow = ReturnType<typeof toInsertRow>;

/** A job as the row `enqueue` inserts, its options checked (bad ones are `USAGE` errors naming the job). */
export function toInsertRow(job: EnqueueOptions, now: number, index: number | undefined) {
  const where = index === undefined ? '' : ` (job ${index + 1})`;
  requireText(job.kind, `kind${where}`);
  if (job.pool !== undefined) requireText(job.pool, `pool${where}`);
  if (job.dedupeKey !== undefined) requireText(job.dedupeKey, `dedupeKey${where}`);
  const priority = job.priority ?? 0;
  if (!Number.isInteger(priority) || Math.abs(priority) > 2 ** 31 - 1) {
    throw new WeirError('USAGE', `priority${where} must be a whole number (a 32-bit integer); got ${priority}`);
  }
  const runAfter = job.runAfter === undefined ? now : validTime(job.runAfter, `runAfter${where}`);
  return {
    kind: job.kind,
    payload: jsonText(job.payload, `payload${where}`),
    priority,
    pool: job.pool ?? null,
    dedupe_key: job.dedupeKey ?? null,
    state: 'ready',
    attempts: 0,
    max_attempts: positiveInteger(job.maxAttempts ?? 1, `maxAttempts${where}`),
    claims: 0,
    timeout_ms: job.timeoutMs === undefined ? null : positiveInteger(job.timeoutMs, `timeoutMs${where}`),
    run_after: runAfter,
    created_at: now,
    ready_at: Math.max(now, runAfter),
    cancel_requested: 0,
  };
}

/** Inserts rows in one transaction: keyless rows in one statement, keyed rows one by one. */
export async function insertJobs(tx: Kysely<QueueTables>, rows: InsertRow[]): Promise<EnqueueResult[]> {
  const results: EnqueueResult[] = new Array(rows.length);
  const keyless = rows.flatMap((row, index) => (row.dedupe_key === null ? [index] : []));
  if (keyless.length > 0) {
    const inserted = await tx
      .insertInto('queue_jobs')
      .values(keyless.map((index) => rows[index]!))
      .returning('id')
      .execute();
    // Ids grow in VALUES order within one statement; RETURNING's order is not promised.
    const ids = inserted.map((row) => toNumber(row.id)).sort((a, b) => a - b);
    keyless.forEach((index, position) => (results[index] = { id: ids[position]!, created: true }));
  }
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    if (row.dedupe_key === null) continue;
    const inserted = await tx
      .insertInto('queue_jobs')
      .values(row)
      .onConflict((conflict) => conflict.column('dedupe_key').where('dedupe_key', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      results[index] = { id: toNumber(inserted.id), created: true };
      continue;
    }
    const existing = await tx.selectFrom('queue_jobs').select('id').where('dedupe_key', '=', row.dedupe_key).executeTakeFirstOrThrow();
    results[index] = { id: toNumber(existing.id), created: false };
  }
  return results;
}

/** `value` as JSON text, else a `USAGE` error naming `what` (functions, cycles, bigints). */
export function jsonText(value: JsonValue, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new WeirError('USAGE', `the job's ${what} cannot be stored as JSON: ${messageOf(error)}`, { cause: error });
  }
  if (text === undefined) throw new WeirError('USAGE', `the job's ${what} cannot be stored as JSON (it is ${typeof value})`);
  return text;
}

/** A `USAGE` error unless `value` is a non-empty string. */
export function requireText(value: string, what: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new WeirError('USAGE', `${what} must be a non-empty string; got ${JSON.stringify(value)}`);
}

/** `value` when it is a whole number >= 1, else a `USAGE` error naming `what`. */
export function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new WeirError('USAGE', `${what} must be a whole number of 1 or more; got ${value}`);
  return value;
}

/** Epoch milliseconds of a valid Date, else a `USAGE` error naming `what`. */
export function validTime(value: Date, what: string): number {
  const time = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new WeirError('USAGE', `${what} must be a valid Date; got ${String(value)}`);
  return time;
}
