/**
 * The run/step queue that `weir serve` and `weir worker` processes share: a durable job queue in
 * the state database (SQLite for one local `weir serve`, PostgreSQL in team mode). Jobs carry a
 * kind and a JSON payload; workers claim them under a lease, renew it with heartbeats, and
 * complete or fail them with the claim they were given, so a worker that lost its claim (its lease
 * expired and another worker took the job) can never publish a result.
 */
import type { Kysely } from 'kysely';

/**
 * Where a job is:
 * - `ready`: waiting to be claimed (from `runAfter` on);
 * - `running`: claimed by a worker under a lease;
 * - `completed`, `failed`, `cancelled`: final. A failed or cancelled job runs again only through
 *   {@link JobQueue.retry}.
 */
export type JobState = 'ready' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Every state, in the order progress displays show them. */
export const jobStates: readonly JobState[] = ['ready', 'running', 'completed', 'failed', 'cancelled'];

/** A JSON value: what a payload or a result may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What {@link JobQueue.enqueue} takes. */
export interface EnqueueOptions {
  /** What the job is, for workers that claim only some kinds: `run`, `step`, `backfill-partition`. */
  kind: string;
  payload: JsonValue;
  /** Higher runs first. Weir's convention: scheduled runs 100, manual runs 50, backfills 10. Default 0. */
  priority?: number;
  /** The concurrency pool the job counts against (see {@link JobQueue.setPoolLimit}). */
  pool?: string;
  /**
   * At most one job ever exists per key, whatever its state: a second enqueue returns the first
   * job (`created: false`). Use `schedule:<name>:<tick>` or `sensor:<name>:<cursor>` so a tick or
   * an event never starts two runs. A failed job keeps its key; run it again with `retry`.
   */
  dedupeKey?: string;
  /** Not claimed before this instant. Default now. */
  runAfter?: Date;
  /** Claims allowed before the job fails for good (a lost lease counts as an attempt). Default 1. */
  maxAttempts?: number;
  /** A running job older than this is reported by {@link JobQueue.expiredRunning}. */
  timeoutMs?: number;
}

/** The outcome of one enqueue. */
export interface EnqueueResult {
  id: number;
  /** False when a job with the same dedupe key already existed; `id` is then that job's. */
  created: boolean;
}

/** A job as stored. Times are `Date`s of the queue's clock. */
export interface JobRecord {
  id: number;
  kind: string;
  payload: JsonValue;
  priority: number;
  pool: string | undefined;
  dedupeKey: string | undefined;
  state: JobState;
  /** Claims of the current round (reset by `retry`). */
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | undefined;
  runAfter: Date;
  createdAt: Date;
  /** When the job last became ready (enqueued, retried or put back after a lost lease). */
  readyAt: Date;
  /** The worker holding or last holding the job. */
  workerId: string | undefined;
  startedAt: Date | undefined;
  leaseExpiresAt: Date | undefined;
  finishedAt: Date | undefined;
  /** True when `cancel` asked a running job to stop; its worker sees it in `heartbeat`. */
  cancelRequested: boolean;
  result: JsonValue | undefined;
  /** Why the job last failed or was put back (a worker's error, "lease expired ..."). */
  lastError: string | undefined;
}

/**
 * The proof of a claim: the job, the worker, and the fencing number of this claim, which grows by
 * one each time the job is claimed. A {@link ClaimedJob} is one; `complete` and `fail` take it.
 */
export interface JobClaim {
  id: number;
  workerId: string;
  /** The fencing number: a stale claim of the same worker has a smaller one. */
  claimToken: number;
}

/** A job handed to a worker by {@link JobQueue.claim}. */
export interface ClaimedJob extends JobClaim {
  kind: string;
  payload: JsonValue;
  priority: number;
  pool: string | undefined;
  dedupeKey: string | undefined;
  /** 1 on the first claim. */
  attempt: number;
  maxAttempts: number;
  timeoutMs: number | undefined;
  readyAt: Date;
  startedAt: Date;
  leaseExpiresAt: Date;
}

/** What {@link JobQueue.claim} takes. */
export interface ClaimOptions {
  /** Only these kinds. Default: any. */
  kinds?: readonly string[];
  /** At most this many jobs. Default 1. */
  limit?: number;
}

/** What {@link JobQueue.heartbeat} reports. */
export interface HeartbeatResult {
  /** Running jobs of the worker whose lease was extended. */
  extended: number;
  /** Jobs of the worker that `cancel` asked to stop: abort them and call `fail`. */
  cancelRequested: number[];
}

/** A job {@link JobQueue.reclaimExpired} took back from a worker that stopped sending heartbeats. */
export interface ReclaimedJob {
  id: number;
  workerId: string;
  /** `ready` when it will run again, `failed` when its attempts are used up, `cancelled` when a cancel was pending. */
  state: 'ready' | 'failed' | 'cancelled';
}

/** What {@link JobQueue.fail} takes. */
export interface FailOptions {
  /** Put the job back to ready when attempts remain. Default true. */
  retry?: boolean;
  /** When retrying, not before this instant (a backoff). Default now. */
  runAfter?: Date;
}

/** A registered worker process. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  projectVersion: string;
}

/** A worker as {@link JobQueue.workers} lists it. */
export interface WorkerRecord extends WorkerInfo {
  registeredAt: Date;
  heartbeatAt: Date;
  /** Whether it sent a heartbeat within the queue's worker timeout and did not stop. */
  alive: boolean;
  stoppedAt: Date | undefined;
}

/** Filters of {@link JobQueue.list} and {@link JobQueue.counts}. */
export interface JobQuery {
  state?: JobState;
  kind?: string;
  /** Only jobs whose dedupe key starts with this text (compared as typed: `%` and `_` are plain). */
  dedupeKeyPrefix?: string;
  /** `list` only: only these jobs (a follower reading the states of the jobs it waits for in one query). */
  ids?: readonly number[];
  /** `list` only. Default 100. */
  limit?: number;
}

/**
 * The transaction `complete` runs its `effects` in: anything written through it commits with the
 * completion or not at all. Write with Kysely's `sql` tag: ``sql`insert into ...`.execute(tx)``.
 */
export type QueueTransaction = Kysely<object>;

/** What {@link JobQueue.complete} takes besides the claim and the result. */
export interface CompleteOptions {
  /**
   * Writes done in the completing transaction, after the claim was verified: a zombie worker's
   * effects are rolled back with its refused completion. On a retried call (the first commit's
   * answer was lost) they are not run again.
   */
  effects?: (tx: QueueTransaction) => Promise<void>;
}

/** The durable run/step queue. Open one with `openSqliteJobQueue` or `openPostgresJobQueue`. */
export interface JobQueue {
  /** For messages: "PostgreSQL queue in schema weir_state at ...". */
  readonly description: string;
  /** Adds a job, or returns the existing one with the same dedupe key. */
  enqueue(job: EnqueueOptions): Promise<EnqueueResult>;
  /** Adds many jobs in few transactions; results in the order given. */
  enqueueMany(jobs: readonly EnqueueOptions[]): Promise<EnqueueResult[]>;
  /**
   * Atomically takes up to `limit` ready jobs, highest priority first and oldest first within a
   * priority, respecting the global and per-pool limits, under a lease of the queue's `leaseMs`.
   */
  claim(workerId: string, options?: ClaimOptions): Promise<ClaimedJob[]>;
  /**
   * Resolves when jobs may have become ready (enqueued, retried, put back: in this process, or in
   * another one on PostgreSQL through LISTEN/NOTIFY) or after `timeoutMs`, whichever is first.
   * An idle worker calls it between empty claims instead of sleeping a fixed interval; it never
   * throws (a lost listening connection just means waiting for the timeout).
   */
  waitForJobs(timeoutMs: number): Promise<void>;
  /** Extends the lease of every running job of the worker and records that the worker is alive. */
  heartbeat(workerId: string): Promise<HeartbeatResult>;
  /**
   * Completes a job. Throws `WeirError('JOB_CLAIM_LOST')` unless `claim` is the job's current
   * claim; repeating a completion that already committed with the same claim is a no-op.
   */
  complete(claim: JobClaim, result?: JsonValue, options?: CompleteOptions): Promise<void>;
  /**
   * Fails a job: back to ready when `retry` and attempts remain, otherwise failed (cancelled when
   * a cancel was pending). Throws `WeirError('JOB_CLAIM_LOST')` like `complete`.
   */
  fail(claim: JobClaim, error: string, options?: FailOptions): Promise<void>;
  /** Puts running jobs whose lease ended before `now` back to ready, or fails them when their attempts are used up. */
  reclaimExpired(now?: Date): Promise<ReclaimedJob[]>;
  /** Running jobs past their `timeoutMs` at `now`: their owner should abort them and `fail` them. */
  expiredRunning(now?: Date): Promise<JobRecord[]>;
  /**
   * Cancels ready jobs at once and asks running ones to stop (see {@link HeartbeatResult}).
   * Final jobs are left alone.
   */
  cancel(target: number | { dedupeKeyPrefix: string }): Promise<{ cancelled: number; stopRequested: number }>;
  /** Puts a failed or cancelled job back to ready with fresh attempts. Returns false for any other state. */
  retry(id: number): Promise<boolean>;
  /**
   * Deletes completed, failed and cancelled jobs that finished before `finishedBefore`; returns
   * how many. Their dedupe keys are free again afterwards, so keep jobs longer than any window in
   * which the same key could be enqueued again (a schedule's catch-up bound).
   */
  purgeFinished(finishedBefore: Date): Promise<number>;
  get(id: number): Promise<JobRecord | undefined>;
  /** Jobs by id order (oldest first). */
  list(query?: JobQuery): Promise<JobRecord[]>;
  /** How many jobs are in each state. */
  counts(query?: Omit<JobQuery, 'state' | 'limit'>): Promise<Record<JobState, number>>;
  /** At most `maxRunning` running jobs of `pool` at any time; `undefined` removes the limit. */
  setPoolLimit(pool: string, maxRunning: number | undefined): Promise<void>;
  /** At most `maxRunning` running jobs in all; `undefined` removes the limit. */
  setGlobalLimit(maxRunning: number | undefined): Promise<void>;
  /**
   * The project version workers must run (set by `weir serve`). `registerWorker` refuses any
   * other with `WeirError('WORKER_VERSION_MISMATCH')`.
   */
  setExpectedProjectVersion(version: string | undefined): Promise<void>;
  /** Registers (or re-registers) a worker after checking its project version. */
  registerWorker(worker: WorkerInfo): Promise<void>;
  /** Marks a worker stopped (a clean shutdown); its running jobs are left to `reclaimExpired`. */
  stopWorker(workerId: string): Promise<void>;
  workers(now?: Date): Promise<WorkerRecord[]>;
  close(): Promise<void>;
}
