/**
 * A backfill spread over `weir worker` processes through the run queue (team mode). The
 * submitter enqueues one job per partition (its tasks in dependency order, as `run-backfill.ts`
 * groups them in-process); any worker claims a job, builds the partition, and completes the job.
 * A worker that dies loses its lease and another worker takes the job again.
 *
 * Exactly once: a partition build replaces the partition's rows in one warehouse transaction, so a
 * rebuild never duplicates rows; and a job taken again first looks whether its partition was
 * published since the backfill was requested (the dead worker may have published it just before
 * dying) and then only completes the job.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { isWeirError, WeirError } from '../errors/weir-error.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import type { ProjectLock } from '../execution/project-lock.js';
import { notifyBackfillFinished } from '../notifications/notify-finished.js';
import type { Project } from '../project/project-model.js';
import type { JobQueue, JsonValue } from '../queue/job-queue.js';
import type { BackfillRecord, StateStore } from '../storage/state-store.js';
import { executePartitionTask } from './execute-partition-task.js';
import { countTasks, type BackfillTask, type BackfillTaskStatus } from './plan-backfill.js';
import { backfillStatus } from './run-backfill.js';

/** The job kind of one partition of a backfill. */
export const BACKFILL_JOB_KIND = 'backfill-partition';
/** Backfills go after scheduled and sensor runs. */
const BACKFILL_PRIORITY = 10;
/** Claims of one partition job before it fails for good (a lost lease counts as one). */
const BACKFILL_ATTEMPTS = 3;

/** What a partition job carries. */
export interface BackfillJobPayload {
  backfillId: string;
  partition: string;
  /** The partition's tasks, in dependency order. */
  assets: string[];
  /** The version each asset builds into (fixed when the backfill was requested). */
  versions: Record<string, string>;
}

/**
 * The dedupe key of a partition job: the partition of these asset versions, whichever backfill
 * asks for it. Two overlapping backfills share the job (the second is queued behind the first's
 * work, never building the same partition at the same time), and a finished job is not redone.
 */
export function backfillJobKey(versions: Readonly<Record<string, string>>, assets: readonly string[], partition: string): string {
  return `partition:${assets.map((asset) => `${asset}@${versions[asset] ?? '?'}`).join(',')}:${partition}`;
}

/**
 * Enqueues one job per partition with tasks to do (`run`/`resume`: every task not done; `retry`:
 * the partitions with a failed task). A partition whose job already exists is not enqueued twice;
 * a failed or cancelled one is put back to ready. Each job counts against its assets' pool
 * (`poolOf`), whose limits (`pools`, from weir.yaml) are set first. Returns the ids of the
 * backfill's jobs.
 *
 * @example
 * ```ts
 * const jobIds = await enqueueBackfill(queue, store, backfill, 'run', { pools: project.pools, poolOf: (asset) => assetPool(project, asset) });
 * ```
 */
export async function enqueueBackfill(
  queue: JobQueue,
  store: StateStore,
  backfill: BackfillRecord,
  mode: 'run' | 'resume' | 'retry',
  options: { pools?: Readonly<Record<string, number>>; poolOf?: (asset: string) => string | undefined } = {},
): Promise<number[]> {
  // The declared limits first: a job enqueued into a pool without one would run unbounded.
  for (const [pool, limit] of Object.entries(options.pools ?? {})) await queue.setPoolLimit(pool, limit);
  const statuses = await backfillStatus(store, backfill);
  const retried = new Set(statuses.filter((task) => task.status === 'failed').map((task) => task.partition));
  const byPartition = new Map<string, BackfillTask[]>();
  for (const task of statuses) {
    if (task.status === 'done' || (mode === 'retry' && !retried.has(task.partition))) continue;
    byPartition.set(task.partition, [...(byPartition.get(task.partition) ?? []), task]);
  }
  const versions = Object.fromEntries(backfill.tasks.map((task) => [task.asset, task.version]));
  const jobs = [...byPartition.entries()].map(([partition, tasks]) => ({
    kind: BACKFILL_JOB_KIND,
    payload: { backfillId: backfill.backfillId, partition, assets: tasks.map((task) => task.asset), versions } satisfies BackfillJobPayload as unknown as JsonValue,
    priority: BACKFILL_PRIORITY,
    // A partition's job counts against the pool of its first asset that has one.
    ...poolOfTasks(tasks, options.poolOf),
    dedupeKey: backfillJobKey(versions, tasks.map((task) => task.asset), partition),
    maxAttempts: BACKFILL_ATTEMPTS,
  }));
  const results = await queue.enqueueMany(jobs);
  const ids: number[] = [];
  for (const [index, result] of results.entries()) {
    const job = result.created ? undefined : await queue.get(result.id);
    if (job?.state === 'failed' || job?.state === 'cancelled') await queue.retry(result.id);
    if (job?.state === 'completed') {
      // Built before this backfill was requested, and asked for again (`--rebuild`, or a task
      // left missing): a job of this backfill's own.
      const again = jobs[index]!;
      ids.push((await queue.enqueue({ ...again, dedupeKey: `${again.dedupeKey}:${backfill.backfillId}` })).id);
      continue;
    }
    ids.push(result.id);
  }
  return ids;
}

/**
 * The pool a model's queued jobs count against (`pool:` in its header), if any.
 *
 * @example
 * ```ts
 * assetPool(project, 'daily_revenue'); // 'warehouse'
 * ```
 */
export function assetPool(project: Project, asset: string): string | undefined {
  const spec = project.assets.get(asset);
  return spec?.kind === 'sql' ? spec.pool : undefined;
}

function poolOfTasks(tasks: readonly BackfillTask[], poolOf: ((asset: string) => string | undefined) | undefined): { pool?: string } {
  const pool = tasks.map((task) => poolOf?.(task.asset)).find((candidate) => candidate !== undefined);
  return pool === undefined ? {} : { pool };
}

/** What {@link runBackfillJob} needs: a worker's open project. */
export interface BackfillJobOptions {
  project: Project;
  engine: EngineAdapter;
  store: StateStore;
  payload: BackfillJobPayload;
  signal: AbortSignal;
  onEvent?: (event: WeirEvent) => void;
}

/** A lock that is no lock: in team mode the queue's claim is what keeps a partition to one worker. */
const claimHeldLock: ProjectLock = { path: '(the run queue claim)', release: () => undefined };

/**
 * Builds one partition job's partition (or finds it already published since the backfill was
 * requested) and says how it ended: `done`, or `failed` with the reason.
 *
 * @example
 * ```ts
 * const outcome = await runBackfillJob({ project, engine, store, payload: job.payload as BackfillJobPayload, signal });
 * ```
 */
export async function runBackfillJob(options: BackfillJobOptions): Promise<{ status: 'done' | 'failed' | 'cancelled'; detail?: string }> {
  const { payload, store } = options;
  const [backfill] = await store.backfills({ backfillId: payload.backfillId });
  if (backfill === undefined) throw new WeirError('RUN_UNKNOWN', `no backfill "${payload.backfillId}" in this project's state`);
  if (backfill.status === 'cancelled') return { status: 'cancelled', detail: 'the backfill was cancelled' };
  const pending = (await backfillStatus(store, backfill)).filter((task) => task.partition === payload.partition && payload.assets.includes(task.asset) && task.status !== 'done');
  if (pending.length === 0) return { status: 'done', detail: 'already published' };
  const result = await executePartitionTask({
    project: options.project,
    engine: options.engine,
    store,
    lock: claimHeldLock,
    assets: payload.assets,
    partition: payload.partition,
    versions: payload.versions,
    backfillId: payload.backfillId,
    signal: options.signal,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  if (result.status === 'succeeded') return { status: 'done' };
  if (result.status === 'cancelled') return { status: 'cancelled' };
  const failed = payload.assets.filter((asset) => result.outcomes.get(asset) !== 'succeeded');
  return { status: 'failed', detail: `run ${result.runId}: ${failed.join(', ')} not published` };
}

/**
 * Follows a queued backfill until none of its jobs is waiting or running, reporting task counts
 * as they change, then records how it ended (`backfill_finished`).
 *
 * @example
 * ```ts
 * const summary = await followQueuedBackfill(queue, store, backfill, jobIds, { onProgress: (counts) => draw(counts), signal });
 * ```
 */
export async function followQueuedBackfill(
  queue: JobQueue,
  store: StateStore,
  backfill: BackfillRecord,
  jobIds: readonly number[],
  /** `project`: its notifications are told when the backfill ends. */
  options: { onProgress?: (counts: Record<BackfillTaskStatus, number>) => void; signal?: AbortSignal; pollMs?: number; project?: Project },
): Promise<{ status: 'succeeded' | 'failed' | 'cancelled'; summary: Record<BackfillTaskStatus, number>; tasks: BackfillTask[] }> {
  let waiting = [...jobIds];
  let last = '';
  const progress = async () => {
    const tasks = await backfillStatus(store, backfill);
    const counts = countTasks(tasks);
    const shown = JSON.stringify(counts);
    if (shown !== last) options.onProgress?.(counts);
    last = shown;
    return { tasks, counts };
  };
  for (;;) {
    let { tasks, counts } = await progress();
    waiting = await stillQueued(queue, waiting);
    const [record] = await store.backfills({ backfillId: backfill.backfillId });
    const cancelled = record?.status === 'cancelled' || options.signal?.aborted === true;
    if (waiting.length === 0 || cancelled) {
      // Jobs may have ended after the partitions above were read (a worker records a partition,
      // then completes its job): read them again, so the end counts every partition's last state.
      ({ tasks, counts } = await progress());
      const status = cancelled ? 'cancelled' : counts.failed > 0 || counts.missing > 0 ? 'failed' : 'succeeded';
      // A job shared with another backfill still running is cancelled for both: resume the other.
      if (cancelled) for (const id of waiting) await queue.cancel(id);
      await appendThroughOutage(store, [{ type: 'backfill_finished', at: eventTime(), backfillId: backfill.backfillId, status, summary: counts }]);
      if (options.project !== undefined) await notifyBackfillFinished(options.project, store, backfill.backfillId);
      return { status, summary: counts, tasks };
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}

/** Jobs read per query while following: well under SQLite's and PostgreSQL's bound-value limits. */
const FOLLOW_CHUNK = 500;

/** The jobs among `ids` still ready or running, read a chunk per query rather than one query per job. */
async function stillQueued(queue: JobQueue, ids: readonly number[]): Promise<number[]> {
  const waiting: number[] = [];
  for (let start = 0; start < ids.length; start += FOLLOW_CHUNK) {
    const chunk = ids.slice(start, start + FOLLOW_CHUNK);
    for (const job of await queue.list({ ids: chunk, limit: chunk.length })) if (job.state === 'ready' || job.state === 'running') waiting.push(job.id);
  }
  return waiting;
}

/** How long the follower keeps trying to record the backfill's end while the state store is unreachable. */
const recordEndForMs = 30_000;

/**
 * Appends `events`, trying again while the state store is unreachable for a moment (PostgreSQL
 * restarting): the work is done by then, and following it must not fail for want of recording
 * its end. Reads already wait through a restart; an append does not, since its commit may have
 * happened unseen. Here that is harmless: a `backfill_finished` recorded twice sets the same status.
 */
async function appendThroughOutage(store: StateStore, events: WeirEvent[]): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await store.append(events);
      return;
    } catch (error) {
      if (!isWeirError(error) || error.code !== 'STATE_UNAVAILABLE' || Date.now() - started >= recordEndForMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
    }
  }
}
