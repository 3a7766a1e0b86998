/**
 * How workers take jobs. Without any concurrency limit a claim is one statement: an UPDATE of the
 * first ready jobs in claim order, which on PostgreSQL locks them and skips rows other claimers
 * hold (`FOR UPDATE SKIP LOCKED`), so claimers never wait for each other. With limits, a claim runs
 * in a transaction holding the limits lock (PostgreSQL: an advisory lock; SQLite: the write lock
 * of `BEGIN IMMEDIATE`), counts the running jobs per pool, and takes only what fits, so two
 * claimers in two processes never both take a pool's last slot.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { ClaimedJob } from './job-queue.js';
import type { QueueDialect } from './queue-dialect.js';
import type { CompiledStatements } from './compiled-statements.js';
import { toClaimedJob, toNumber, type JobRow } from './queue-rows.js';
import type { QueueTables } from './queue-tables.js';

/** What {@link claimJobs} needs of its queue. */
export interface ClaimContext {
  db: Kysely<QueueTables>;
  statements: CompiledStatements;
  dialect: QueueDialect;
  /** Runs `work` in a write transaction, or as autocommitted statements when `transaction` is false. */
  write<T>(work: (tx: Kysely<QueueTables>) => Promise<T>, options?: { transaction?: boolean }): Promise<T>;
}

/** One claim. */
export interface ClaimRequest {
  workerId: string;
  kinds: readonly string[] | undefined;
  limit: number;
  /** Epoch ms of the queue's clock. */
  now: number;
  leaseMs: number;
}

/**
 * Claims up to `request.limit` ready jobs for `request.workerId`, highest priority first and
 * oldest first within a priority, within the global and pool limits in force.
 *
 * @example
 * ```ts
 * const jobs = await claimJobs(context, { workerId: 'w1', kinds: undefined, limit: 4, now: Date.now(), leaseMs: 30_000 });
 * ```
 */
export async function claimJobs(context: ClaimContext, request: ClaimRequest): Promise<ClaimedJob[]> {
  // The common case (no limit set anywhere) costs one statement, which claims nothing when a
  // limit exists; only then is the limits table read and the locked path taken. A limit set while
  // a claim runs applies from the next claim on.
  let rows = await context.write((tx) => claimUnlimited(tx, context.dialect, context.statements, request), { transaction: false });
  if (rows.length === 0) {
    const anyLimit = await context.db.selectFrom('queue_limits').select('limit_key').limit(1).executeTakeFirst();
    if (anyLimit !== undefined) rows = await context.write((tx) => claimWithinLimits(tx, context.dialect, request));
  }
  return rows.sort((a, b) => b.priority - a.priority || toNumber(a.id) - toNumber(b.id)).map(toClaimedJob);
}

function readyJobs(tx: Kysely<QueueTables>, dialect: QueueDialect, request: ClaimRequest, count: number) {
  return tx
    .selectFrom('queue_jobs')
    .where('state', '=', 'ready')
    .where('run_after', '<=', request.now)
    .$if(request.kinds !== undefined, (select) => select.where('kind', 'in', request.kinds!))
    .orderBy('priority', 'desc')
    .orderBy('id')
    // A literal, not a parameter: a prepared statement's generic plan cannot see a parameter's
    // value, guesses a large LIMIT, and then joins by scanning the whole table.
    .limit(sql.lit(count))
    .$if(dialect.rowLocks, (select) => select.forUpdate().skipLocked());
}

function claimedValues(request: ClaimRequest) {
  return (eb: ExpressionBuilder<QueueTables, 'queue_jobs'>) => ({
    state: 'running',
    worker_id: request.workerId,
    claims: eb('claims', '+', 1),
    attempts: eb('attempts', '+', 1),
    started_at: request.now,
    lease_expires_at: request.now + request.leaseMs,
  });
}

async function claimUnlimited(tx: Kysely<QueueTables>, dialect: QueueDialect, statements: CompiledStatements, request: ClaimRequest): Promise<JobRow[]> {
  const kinds = request.kinds ?? [];
  const values: Record<string, unknown> = { workerId: request.workerId, now: request.now, leaseEnd: request.now + request.leaseMs };
  kinds.forEach((kind, index) => (values[`kind${index}`] = kind));
  const key = `claim:${request.limit}:${request.kinds === undefined ? '*' : kinds.length}`;
  const result = await statements.run(tx, key, (p: Record<string, never>) => {
    const shape: ClaimRequest = {
      workerId: p.workerId!,
      now: p.now!,
      leaseMs: 0,
      limit: request.limit,
      kinds: request.kinds === undefined ? undefined : kinds.map((_, index) => p[`kind${index}`]!),
    };
    // The candidates are a MATERIALIZED CTE, picked once. As a plain `id IN (subquery)`
    // PostgreSQL may run the locking subquery again for each row it updates, and since SKIP
    // LOCKED then skips the rows this statement just locked, the LIMIT stops limiting.
    return tx
      .with(
        (cte) => cte('candidates').materialized(),
        () =>
          readyJobs(tx, dialect, shape, request.limit)
            .select('id')
            .where((eb) => eb.not(eb.exists(eb.selectFrom('queue_limits').select('limit_key')))),
      )
      .updateTable('queue_jobs')
      .set((eb) => ({ ...claimedValues(shape)(eb), lease_expires_at: p.leaseEnd! }))
      .where('state', '=', 'ready')
      .where('id', 'in', (eb) => eb.selectFrom('candidates').select('candidates.id'))
      .returningAll();
  }, values);
  return result.rows;
}

async function claimWithinLimits(tx: Kysely<QueueTables>, dialect: QueueDialect, request: ClaimRequest): Promise<JobRow[]> {
  await dialect.lockLimits(tx);
  const limits = await tx.selectFrom('queue_limits').selectAll().execute();
  const running = await tx
    .selectFrom('queue_jobs')
    .select((eb) => ['pool', eb.fn.countAll().as('count')])
    .where('state', '=', 'running')
    .groupBy('pool')
    .execute();
  const runningIn = new Map(running.map((row) => [row.pool, Number(row.count)]));
  let want = request.limit;
  const globalLimit = limits.find((row) => row.limit_key === 'global');
  if (globalLimit !== undefined) {
    const total = [...runningIn.values()].reduce((sum, count) => sum + count, 0);
    want = Math.min(want, toNumber(globalLimit.max_running) - total);
  }
  if (want <= 0) return [];
  // Slots left per limited pool; pools without a limit are not in the map.
  const slots = new Map<string, number>();
  for (const row of limits) {
    if (!row.limit_key.startsWith('pool:')) continue;
    const pool = row.limit_key.slice('pool:'.length);
    slots.set(pool, toNumber(row.max_running) - (runningIn.get(pool) ?? 0));
  }
  const taken: number[] = [];
  // Each round asks only for jobs of pools with room; when a pool fills up during a round, the
  // jobs of it that were passed over leave room for another round over the remaining pools.
  for (;;) {
    const full = [...slots].filter(([, left]) => left <= 0).map(([pool]) => pool);
    const need = want - taken.length;
    const candidates = await readyJobs(tx, dialect, request, need)
      .select(['id', 'pool'])
      .$if(taken.length > 0, (select) => select.where('id', 'not in', taken))
      .$if(full.length > 0, (select) => select.where((eb) => eb.or([eb('pool', 'is', null), eb('pool', 'not in', full)])))
      .execute();
    let passedOver = false;
    for (const candidate of candidates) {
      const left = candidate.pool === null ? undefined : slots.get(candidate.pool);
      if (left !== undefined) {
        if (left <= 0) {
          passedOver = true;
          continue;
        }
        slots.set(candidate.pool!, left - 1);
      }
      taken.push(toNumber(candidate.id));
      if (taken.length === want) break;
    }
    if (taken.length === want || candidates.length < need || !passedOver) break;
  }
  if (taken.length === 0) return [];
  return tx.updateTable('queue_jobs').set(claimedValues(request)).where('id', 'in', taken).returningAll().execute();
}
