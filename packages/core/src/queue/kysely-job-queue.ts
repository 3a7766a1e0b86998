/**
 * The {@link JobQueue} written once over Kysely for SQLite and PostgreSQL. A {@link QueueDialect}
 * supplies what differs: the write transaction, row locks with SKIP LOCKED, the lock claimers take
 * while counting against concurrency limits, and which errors mean the connection was lost.
 *
 * Every state change that must not be done twice is fenced: a job's `claims` counter grows by one
 * per claim and is the claim's token, and `complete`/`fail` change the job only while it is still
 * running under that token. Operations that are safe to repeat are retried on a new connection
 * when the database goes away for a moment (PostgreSQL restarting, a terminated backend).
 */
import { sql, type Kysely } from 'kysely';
import { isWeirError, WeirError } from '../errors/weir-error.js';
import { claimJobs } from './claim-jobs.js';
import { CompiledStatements, type Placeholders } from './compiled-statements.js';
import type {
  ClaimedJob,
  ClaimOptions,
  CompleteOptions,
  EnqueueOptions,
  EnqueueResult,
  FailOptions,
  HeartbeatResult,
  JobClaim,
  JobQuery,
  JobQueue,
  JobRecord,
  JobState,
  JsonValue,
  QueueTransaction,
  ReclaimedJob,
  WorkerInfo,
  WorkerRecord,
} from './job-queue.js';
import type { QueueDialect } from './queue-dialect.js';
import { migrateQueueTables } from './queue-migrations.js';
import { insertJobs, jsonText, positiveInteger, requireText, toInsertRow, validTime } from './insert-jobs.js';
import { toJobRecord, toNumber, toWorkerRecord, type JobRow } from './queue-rows.js';
import type { QueueTables } from './queue-tables.js';
import { checkWorkerVersion } from './worker-version.js';

/** Options shared by the SQLite and PostgreSQL queues. */
export interface JobQueueOptions {
  /** How long a claim lasts without a heartbeat, in ms. Default 30,000. */
  leaseMs?: number;
  /** A worker without a heartbeat for this long is listed as dead, in ms. Default 2 x `leaseMs`. */
  workerTimeoutMs?: number;
  /** How long a retriable operation keeps retrying while the database is unreachable, in ms. Default 30,000. */
  retryForMs?: number;
  /** The queue's clock, injectable for tests. Default `() => new Date()`. */
  clock?: () => Date;
}

const expectedVersionKey = 'expected_project_version';
const enqueueChunk = 500;
/** Enqueues of at least this many jobs refresh the planner's statistics (see QueueDialect.afterBulkEnqueue). */
const bulkEnqueue = 1000;

/**
 * Creates the queue's tables when absent and returns the queue over `db`.
 *
 * @example
 * ```ts
 * const queue = await openKyselyJobQueue(db, dialect, { leaseMs: 10_000 });
 * ```
 */
export async function openKyselyJobQueue(db: Kysely<QueueTables>, dialect: QueueDialect, options: JobQueueOptions = {}): Promise<KyselyJobQueue> {
  try {
    await migrateQueueTables(db, dialect);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    if (isWeirError(error)) throw error;
    throw dialect.cannotOpen(error);
  }
  return new KyselyJobQueue(db, dialect, options);
}

/** A {@link JobQueue} on any database a {@link QueueDialect} describes. Open with {@link openKyselyJobQueue}. */
export class KyselyJobQueue implements JobQueue {
  readonly description: string;
  private readonly db: Kysely<QueueTables>;
  private readonly dialect: QueueDialect;
  private readonly leaseMs: number;
  private readonly workerTimeoutMs: number;
  private readonly retryForMs: number;
  private readonly clock: () => Date;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly statements = new CompiledStatements();
  private listening: Promise<(() => Promise<void>) | undefined> | undefined;

  /** Use {@link openKyselyJobQueue}: the tables must exist first. */
  constructor(db: Kysely<QueueTables>, dialect: QueueDialect, options: JobQueueOptions = {}) {
    this.db = db;
    this.dialect = dialect;
    this.description = dialect.description;
    this.leaseMs = positiveInteger(options.leaseMs ?? 30_000, 'leaseMs');
    this.workerTimeoutMs = positiveInteger(options.workerTimeoutMs ?? 2 * this.leaseMs, 'workerTimeoutMs');
    this.retryForMs = options.retryForMs ?? 30_000;
    this.clock = options.clock ?? (() => new Date());
  }

  async enqueue(job: EnqueueOptions): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany([job]);
    return result!;
  }

  async enqueueMany(jobs: readonly EnqueueOptions[]): Promise<EnqueueResult[]> {
    const now = this.now();
    const rows = jobs.map((job, index) => toInsertRow(job, now, jobs.length === 1 ? undefined : index));
    // Without a dedupe key a retried insert whose first commit was lost would add the job twice,
    // so only fully keyed batches are retried.
    const idempotent = jobs.every((job) => job.dedupeKey !== undefined);
    const results: EnqueueResult[] = [];
    for (let start = 0; start < rows.length; start += enqueueChunk) {
      const chunk = rows.slice(start, start + enqueueChunk);
      results.push(
        ...(await this.retrying(idempotent, () =>
          this.write(async (tx) => {
            const inserted = await insertJobs(tx, chunk);
            if (inserted.some((result) => result.created)) await this.dialect.notifyReady(tx);
            return inserted;
          }),
        )),
      );
      this.wake();
    }
    if (rows.length >= bulkEnqueue) {
      // Only statistics: a failure (say the user may not ANALYZE) must not fail the enqueue.
      await this.dialect.afterBulkEnqueue(this.db).catch(() => undefined);
    }
    return results;
  }

  async claim(workerId: string, options: ClaimOptions = {}): Promise<ClaimedJob[]> {
    requireText(workerId, 'workerId');
    const limit = positiveInteger(options.limit ?? 1, 'limit');
    const kinds = options.kinds;
    if (kinds !== undefined && kinds.length === 0) return [];
    // A claim whose answer was lost leaves its jobs running under this worker; they come back
    // through reclaimExpired when the lease ends, so retrying never loses a job.
    return this.retrying(true, () =>
      claimJobs({ db: this.db, dialect: this.dialect, statements: this.statements, write: (work, options) => this.write(work, options) }, { workerId, kinds, limit, now: this.now(), leaseMs: this.leaseMs }),
    );
  }

  async waitForJobs(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.listening ??= this.dialect.listen(() => this.wake()).catch(() => {
      // Not listening only costs latency: the timeout still ends every wait. Try again next time.
      this.listening = undefined;
      return undefined;
    });
    await this.listening;
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
    });
  }

  async heartbeat(workerId: string): Promise<HeartbeatResult> {
    requireText(workerId, 'workerId');
    return this.retrying(true, () =>
      this.write(async (tx) => {
        const now = this.now();
        const extended = await tx
          .updateTable('queue_jobs')
          .set({ lease_expires_at: now + this.leaseMs })
          .where('state', '=', 'running')
          .where('worker_id', '=', workerId)
          .executeTakeFirst();
        await tx.updateTable('queue_workers').set({ heartbeat_at: now }).where('id', '=', workerId).execute();
        const cancelled = await tx
          .selectFrom('queue_jobs')
          .select('id')
          .where('state', '=', 'running')
          .where('worker_id', '=', workerId)
          .where('cancel_requested', '=', 1)
          .orderBy('id')
          .execute();
        return { extended: Number(extended.numUpdatedRows), cancelRequested: cancelled.map((row) => toNumber(row.id)) };
      }),
    );
  }

  async complete(claim: JobClaim, result?: JsonValue, options: CompleteOptions = {}): Promise<void> {
    const resultText = result === undefined ? null : jsonText(result, 'result');
    const finish = async (tx: Kysely<QueueTables>): Promise<boolean> => {
      const values = { id: claim.id, workerId: claim.workerId, token: claim.claimToken, now: this.now(), result: resultText };
      const updated = await this.statements.run(
        tx,
        'complete',
        (p: Placeholders<keyof typeof values>) =>
          this.fenced(tx, { id: p.id, workerId: p.workerId, claimToken: p.token }).set({ state: 'completed', finished_at: p.now, lease_expires_at: null, result: p.result }),
        values,
      );
      return Number(updated.numAffectedRows ?? 0) === 1;
    };
    const done = await this.retrying(true, () =>
      options.effects === undefined
        ? this.write(finish, { transaction: false })
        : this.write(async (tx) => {
            if (!(await finish(tx))) return false;
            await options.effects!(tx as unknown as QueueTransaction);
            return true;
          }),
    );
    if (!done) await this.refuseStaleClaim(claim, 'complete', ['completed']);
  }

  async fail(claim: JobClaim, error: string, options: FailOptions = {}): Promise<void> {
    const retry = options.retry ?? true;
    const runAfter = options.runAfter === undefined ? undefined : validTime(options.runAfter, 'runAfter');
    const done = await this.retrying(true, () =>
      this.write(async (tx) => {
        const row = await this.lockedRow(tx, claim.id);
        if (!row || !holds(row, claim)) return false;
        const now = this.now();
        const state: JobState =
          toNumber(row.cancel_requested) !== 0 ? 'cancelled' : retry && toNumber(row.attempts) < toNumber(row.max_attempts) ? 'ready' : 'failed';
        await tx
          .updateTable('queue_jobs')
          .set({
            state,
            last_error: String(error),
            lease_expires_at: null,
            ...(state === 'ready' ? { ready_at: Math.max(now, runAfter ?? now), run_after: runAfter ?? now } : { finished_at: now }),
          })
          .where('id', '=', claim.id)
          .execute();
        if (state === 'ready') await this.dialect.notifyReady(tx);
        return true;
      }),
    );
    if (!done) await this.refuseStaleClaim(claim, 'fail', ['ready', 'failed', 'cancelled']);
    this.wake();
  }

  async reclaimExpired(at?: Date): Promise<ReclaimedJob[]> {
    const now = at === undefined ? this.now() : validTime(at, 'now');
    return this.retrying(true, () =>
      this.write(async (tx) => {
        const expired = await tx
          .selectFrom('queue_jobs')
          .selectAll()
          .where('state', '=', 'running')
          .where('lease_expires_at', '<', now)
          .orderBy('id')
          .$if(this.dialect.rowLocks, (select) => select.forUpdate())
          .execute();
        const reclaimed: ReclaimedJob[] = [];
        for (const row of expired) {
          const attempts = toNumber(row.attempts);
          const maxAttempts = toNumber(row.max_attempts);
          const state = toNumber(row.cancel_requested) !== 0 ? 'cancelled' : attempts >= maxAttempts ? 'failed' : 'ready';
          const why =
            `lease expired at ${new Date(toNumber(row.lease_expires_at!)).toISOString()}: worker ${row.worker_id} stopped sending heartbeats ` +
            `(attempt ${attempts} of ${maxAttempts}${state === 'failed' ? ', none left' : ''})`;
          await tx
            .updateTable('queue_jobs')
            .set({ state, last_error: why, lease_expires_at: null, ...(state === 'ready' ? { ready_at: now } : { finished_at: now }) })
            .where('id', '=', row.id)
            .execute();
          reclaimed.push({ id: toNumber(row.id), workerId: row.worker_id!, state });
        }
        if (reclaimed.some((job) => job.state === 'ready')) await this.dialect.notifyReady(tx);
        return reclaimed;
      }),
    ).then((reclaimed) => {
      if (reclaimed.length > 0) this.wake();
      return reclaimed;
    });
  }

  async expiredRunning(at?: Date): Promise<JobRecord[]> {
    const now = at === undefined ? this.now() : validTime(at, 'now');
    return this.retrying(true, async () => {
      const rows = await this.db
        .selectFrom('queue_jobs')
        .selectAll()
        .where('state', '=', 'running')
        .where('timeout_ms', 'is not', null)
        .where((eb) => eb(eb('started_at', '+', eb.ref('timeout_ms')), '<', now))
        .orderBy('id')
        .execute();
      return rows.map(toJobRecord);
    });
  }

  async cancel(target: number | { dedupeKeyPrefix: string }): Promise<{ cancelled: number; stopRequested: number }> {
    if (typeof target !== 'number') requireText(target.dedupeKeyPrefix, 'dedupeKeyPrefix');
    return this.retrying(true, () =>
      this.write(async (tx) => {
        const now = this.now();
        let ready = tx.updateTable('queue_jobs').set({ state: 'cancelled', finished_at: now, last_error: 'cancelled' }).where('state', '=', 'ready');
        let running = tx.updateTable('queue_jobs').set({ cancel_requested: 1 }).where('state', '=', 'running');
        if (typeof target === 'number') {
          ready = ready.where('id', '=', target);
          running = running.where('id', '=', target);
        } else {
          ready = ready.where(prefixOf(target.dedupeKeyPrefix));
          running = running.where(prefixOf(target.dedupeKeyPrefix));
        }
        const cancelled = await ready.executeTakeFirst();
        const stopRequested = await running.executeTakeFirst();
        return { cancelled: Number(cancelled.numUpdatedRows), stopRequested: Number(stopRequested.numUpdatedRows) };
      }),
    );
  }

  async retry(id: number): Promise<boolean> {
    return this.retrying(true, () =>
      this.write(async (tx) => {
        const now = this.now();
        const updated = await tx
          .updateTable('queue_jobs')
          .set({ state: 'ready', attempts: 0, ready_at: now, run_after: now, finished_at: null, cancel_requested: 0, worker_id: null, started_at: null, result: null })
          .where('id', '=', id)
          .where('state', 'in', ['failed', 'cancelled'])
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await this.dialect.notifyReady(tx);
        return true;
      }),
    ).then((retried) => {
      if (retried) this.wake();
      return retried;
    });
  }

  async purgeFinished(finishedBefore: Date): Promise<number> {
    const before = validTime(finishedBefore, 'finishedBefore');
    return this.retrying(true, () =>
      this.write(async (tx) => {
        const deleted = await tx
          .deleteFrom('queue_jobs')
          .where('state', 'in', ['completed', 'failed', 'cancelled'])
          .where('finished_at', '<', before)
          .executeTakeFirst();
        return Number(deleted.numDeletedRows);
      }),
    );
  }

  async get(id: number): Promise<JobRecord | undefined> {
    return this.retrying(true, async () => {
      const row = await this.db.selectFrom('queue_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toJobRecord(row) : undefined;
    });
  }

  async list(query: JobQuery = {}): Promise<JobRecord[]> {
    const limit = positiveInteger(query.limit ?? 100, 'limit');
    return this.retrying(true, async () => {
      let select = this.db.selectFrom('queue_jobs').selectAll().orderBy('id').limit(limit);
      if (query.state !== undefined) select = select.where('state', '=', query.state);
      if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
      if (query.dedupeKeyPrefix !== undefined) select = select.where(prefixOf(query.dedupeKeyPrefix));
      if (query.ids !== undefined) {
        if (query.ids.length === 0) return [];
        select = select.where('id', 'in', [...query.ids]);
      }
      return (await select.execute()).map(toJobRecord);
    });
  }

  async counts(query: Omit<JobQuery, 'state' | 'limit'> = {}): Promise<Record<JobState, number>> {
    return this.retrying(true, async () => {
      let select = this.db
        .selectFrom('queue_jobs')
        .select((eb) => ['state', eb.fn.countAll().as('count')])
        .groupBy('state');
      if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
      if (query.dedupeKeyPrefix !== undefined) select = select.where(prefixOf(query.dedupeKeyPrefix));
      const counts: Record<JobState, number> = { ready: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
      for (const row of await select.execute()) counts[row.state as JobState] = Number(row.count);
      return counts;
    });
  }

  async setPoolLimit(pool: string, maxRunning: number | undefined): Promise<void> {
    requireText(pool, 'pool');
    await this.setLimit(`pool:${pool}`, maxRunning);
  }

  async setGlobalLimit(maxRunning: number | undefined): Promise<void> {
    await this.setLimit('global', maxRunning);
  }

  async setExpectedProjectVersion(version: string | undefined): Promise<void> {
    if (version !== undefined) requireText(version, 'version');
    await this.retrying(true, () =>
      this.write(async (tx) => {
        if (version === undefined) {
          await tx.deleteFrom('queue_settings').where('key', '=', expectedVersionKey).execute();
          return;
        }
        // One upsert: two commands setting it at once (overlapping backfills) would both insert
        // after a delete and one would fail on the key.
        await tx
          .insertInto('queue_settings')
          .values({ key: expectedVersionKey, value: version })
          .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: version }))
          .execute();
      }),
    );
  }

  async registerWorker(worker: WorkerInfo): Promise<void> {
    requireText(worker.id, 'worker id');
    requireText(worker.projectVersion, 'projectVersion');
    await this.retrying(true, () =>
      this.write(async (tx) => {
        const expected = await tx.selectFrom('queue_settings').select('value').where('key', '=', expectedVersionKey).executeTakeFirst();
        checkWorkerVersion(expected?.value, worker);
        const now = this.now();
        const row = { host: worker.host, pid: worker.pid, project_version: worker.projectVersion, registered_at: now, heartbeat_at: now, stopped_at: null };
        await tx
          .insertInto('queue_workers')
          .values({ id: worker.id, ...row })
          .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
          .execute();
      }),
    );
  }

  async stopWorker(workerId: string): Promise<void> {
    await this.retrying(true, () =>
      this.write((tx) => tx.updateTable('queue_workers').set({ stopped_at: this.now() }).where('id', '=', workerId).execute(), { transaction: false }),
    );
  }

  async workers(at?: Date): Promise<WorkerRecord[]> {
    const now = at === undefined ? this.now() : validTime(at, 'now');
    return this.retrying(true, async () => {
      const rows = await this.db.selectFrom('queue_workers').selectAll().orderBy('id').execute();
      return rows.map((row) => toWorkerRecord(row, now - this.workerTimeoutMs));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    const stop = await this.listening;
    await stop?.().catch(() => undefined);
    await this.db.destroy();
  }

  /** Ends every `waitForJobs` of this queue now. */
  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private now(): number {
    return this.clock().getTime();
  }

  private async setLimit(key: string, maxRunning: number | undefined): Promise<void> {
    if (maxRunning !== undefined && (!Number.isInteger(maxRunning) || maxRunning < 0)) {
      throw new WeirError('USAGE', `a concurrency limit must be a whole number of running jobs, 0 or more; got ${maxRunning}`);
    }
    await this.retrying(true, () =>
      this.write(async (tx) => {
        // Under the claimers' lock, so no claim counts against a limit half changed.
        await this.dialect.lockLimits(tx);
        await tx.deleteFrom('queue_limits').where('limit_key', '=', key).execute();
        if (maxRunning !== undefined) await tx.insertInto('queue_limits').values({ limit_key: key, max_running: maxRunning }).execute();
      }),
    );
  }

  /** An update of the job `claim` names, only while it is running under that claim. */
  private fenced(tx: Kysely<QueueTables>, claim: JobClaim) {
    return tx
      .updateTable('queue_jobs')
      .where('id', '=', claim.id)
      .where('state', '=', 'running')
      .where('worker_id', '=', claim.workerId)
      .where('claims', '=', claim.claimToken);
  }

  private lockedRow(tx: Kysely<QueueTables>, id: number): Promise<JobRow | undefined> {
    return tx
      .selectFrom('queue_jobs')
      .selectAll()
      .where('id', '=', id)
      .$if(this.dialect.rowLocks, (select) => select.forUpdate())
      .executeTakeFirst();
  }

  /**
   * Called when a fenced change touched nothing. Returns quietly when the job already shows that
   * very change (a retry after the first commit's answer was lost); throws `JOB_CLAIM_LOST` saying
   * what happened otherwise.
   */
  private async refuseStaleClaim(claim: JobClaim, action: string, doneStates: JobState[]): Promise<void> {
    const row = await this.retrying(true, () => this.db.selectFrom('queue_jobs').selectAll().where('id', '=', claim.id).executeTakeFirst());
    if (row && row.worker_id === claim.workerId && toNumber(row.claims) === claim.claimToken && doneStates.includes(row.state as JobState)) return;
    let why: string;
    if (!row) why = 'no such job';
    else if (toNumber(row.claims) > claim.claimToken) why = `it was claimed again since (claim ${toNumber(row.claims)}, worker ${row.worker_id})`;
    else if (row.state === 'running') why = `it is held by worker ${row.worker_id} under claim ${toNumber(row.claims)}`;
    else why = `it is ${row.state}${row.last_error ? ` (${row.last_error})` : ''}`;
    throw new WeirError('JOB_CLAIM_LOST', `worker ${claim.workerId} cannot ${action} job ${claim.id} under claim ${claim.claimToken}: ${why}`, {
      hint: 'the lease ran out (no heartbeat in time) and the job went back to the queue; this worker\'s result is discarded',
    });
  }

  /**
   * Runs `work` in a write transaction (`transaction: false`: one autocommitted statement, still
   * serialised with this process's other writers on SQLite).
   */
  private write<T>(work: (tx: Kysely<QueueTables>) => Promise<T>, options: { transaction?: boolean } = {}): Promise<T> {
    if (this.closed) throw new WeirError('STATE_UNAVAILABLE', `the ${this.description} is closed`);
    if (options.transaction === false) return this.dialect.exclusive(() => work(this.db));
    return this.dialect.exclusive(() =>
      this.db.connection().execute(async (connection) => {
        await this.dialect.beginWrite(connection);
        try {
          const result = await work(connection);
          await sql`commit`.execute(connection);
          return result;
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => undefined);
          throw error;
        }
      }),
    );
  }

  /**
   * Runs `operation`, and when the database was unreachable or the connection dropped, runs it
   * again on a new connection (for `retryForMs`) if it is `idempotent`; rethrows anything else.
   * Connection-level failures come out as `STATE_UNAVAILABLE`.
   */
  private async retrying<T>(idempotent: boolean, operation: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (isWeirError(error)) throw error;
        const unavailable = this.dialect.unavailable(error);
        if (!unavailable) throw error;
        if (!idempotent || this.closed || Date.now() - started >= this.retryForMs) throw unavailable;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
      }
    }
  }
}

function holds(row: JobRow, claim: JobClaim): boolean {
  return row.state === 'running' && row.worker_id === claim.workerId && toNumber(row.claims) === claim.claimToken;
}

/** `dedupe_key` starts with `prefix`, compared as typed (LIKE would treat % and _ as wildcards). */
function prefixOf(prefix: string) {
  return sql<boolean>`substr(${sql.ref('dedupe_key')}, 1, ${prefix.length}) = ${prefix}`;
}
