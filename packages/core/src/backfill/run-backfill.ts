/**
 * Running a backfill in this process: its tasks grouped by partition (partition p of every asset
 * in one run, in dependency order, so p of B follows p of A when B reads A), at most
 * `concurrency` partitions at once. The caller holds the project's run lock for the whole
 * backfill, so two backfills never build the same partition at the same time: the second waits,
 * then finds done what the first did. A cancel request stops it after the partitions running.
 */
import { hostname } from 'node:os';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { isWeirError, messageOf } from '../errors/weir-error.js';
import { eventTime, type WeirEvent } from '../events/weir-event.js';
import type { ProjectLock } from '../execution/project-lock.js';
import { prepareWarehouse } from '../materialize/materialize-model.js';
import { notifyBackfillFinished } from '../notifications/notify-finished.js';
import type { Project } from '../project/project-model.js';
import type { BackfillRecord, StateStore } from '../storage/state-store.js';
import { executePartitionTask } from './execute-partition-task.js';
import { backfillTaskStatuses, countTasks, type BackfillTask, type BackfillTaskStatus } from './plan-backfill.js';

/** What a backfill process needs. */
export interface RunBackfillOptions {
  project: Project;
  engine: EngineAdapter;
  store: StateStore;
  lock: ProjectLock;
  backfill: BackfillRecord;
  /** `run` and `resume` build every task not done; `retry` only the failed ones (and what depends on them in their partition). */
  mode: 'run' | 'resume' | 'retry';
  concurrency: number;
  signal: AbortSignal;
  /** Counts of the tasks by status, after every change. */
  onProgress?: (counts: Record<BackfillTaskStatus, number>, latest?: { partition: string; outcome: string }) => void;
  onEvent?: (event: WeirEvent) => void;
}

/** How a backfill process ended. */
export interface BackfillResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  summary: Record<BackfillTaskStatus, number>;
  tasks: BackfillTask[];
  /** Tasks this process ran. */
  ran: number;
}

/**
 * Runs a recorded backfill's pending tasks and records how it ended (`backfill_finished`).
 *
 * @example
 * ```ts
 * const result = await runBackfill({ project, engine, store, lock, backfill, mode: 'run', concurrency: 2, signal });
 * ```
 */
export async function runBackfill(options: RunBackfillOptions): Promise<BackfillResult> {
  const { store, backfill } = options;
  const id = backfill.backfillId;
  if (options.mode !== 'run') await store.append([{ type: 'backfill_resumed', at: eventTime(), backfillId: id, mode: options.mode, pid: process.pid, host: hostname() }]);
  const statuses = await currentStatuses(options);
  // A retry takes the partitions with a failed task, and in them every task not done: what
  // depends on the failed task was skipped and must follow it.
  const retried = new Set(statuses.filter((task) => task.status === 'failed').map((task) => task.partition));
  const wanted = (task: BackfillTask): boolean => task.status !== 'done' && (options.mode !== 'retry' || retried.has(task.partition));
  const byPartition = new Map<string, BackfillTask[]>();
  for (const task of statuses) if (wanted(task)) byPartition.set(task.partition, [...(byPartition.get(task.partition) ?? []), task]);
  const state = new Map(statuses.map((task) => [`${task.asset}\0${task.partition}`, task]));
  const report = (latest?: { partition: string; outcome: string }): void => options.onProgress?.(countTasks([...state.values()]), latest);
  const versions = Object.fromEntries(backfill.tasks.map((task) => [task.asset, task.version]));
  report();

  const queue = [...byPartition.entries()];
  let ran = 0;
  let cancelled = false;
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (options.signal.aborted || (await cancelRequested(store, id))) {
        cancelled = true;
        return;
      }
      const [partition, tasks] = next;
      for (const task of tasks) state.set(`${task.asset}\0${partition}`, { ...task, status: 'running' });
      report();
      let outcome = 'failed';
      try {
        const result = await executePartitionTask({
          project: options.project,
          engine: options.engine,
          store,
          lock: options.lock,
          assets: tasks.map((task) => task.asset),
          partition,
          versions,
          backfillId: id,
          signal: options.signal,
          ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        });
        outcome = result.status;
        for (const task of tasks) {
          const stepOutcome = result.outcomes.get(task.asset);
          const status: BackfillTaskStatus = stepOutcome === 'succeeded' ? 'done' : stepOutcome === 'failed' || stepOutcome === 'blocked' ? 'failed' : 'missing';
          state.set(`${task.asset}\0${partition}`, { ...task, status });
        }
      } catch (error) {
        // A task that could not even start (a changed asset, an unreadable input) fails alone.
        outcome = `failed: ${isWeirError(error) ? error.message : messageOf(error)}`;
        for (const task of tasks) state.set(`${task.asset}\0${partition}`, { ...task, status: 'failed', detail: outcome });
      }
      ran += tasks.length;
      report({ partition, outcome });
    }
  };
  // Schemas first, once: runs starting together on a new warehouse would each create them, and
  // DuckDB refuses the second as a write-write conflict, failing that partition.
  if (queue.length > 1 && options.concurrency > 1) await prepareWarehouse(options.engine, options.project.environment);
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, () => worker()));

  const tasks = await currentStatuses(options);
  const summary = countTasks(tasks);
  const status = cancelled || options.signal.aborted ? 'cancelled' : summary.failed > 0 || summary.missing > 0 ? 'failed' : 'succeeded';
  await store.append([{ type: 'backfill_finished', at: eventTime(), backfillId: id, status, summary }]);
  await notifyBackfillFinished(options.project, store, id);
  return { status, summary, tasks, ran };
}

/**
 * Every task of the backfill with its status now.
 *
 * @example
 * ```ts
 * const tasks = await backfillStatus(store, backfill);
 * ```
 */
export async function backfillStatus(store: StateStore, backfill: BackfillRecord): Promise<BackfillTask[]> {
  return currentStatuses({ store, backfill });
}

async function currentStatuses(options: Pick<RunBackfillOptions, 'store' | 'backfill'>): Promise<BackfillTask[]> {
  const partitions = (await Promise.all(options.backfill.tasks.map((task) => options.store.partitions({ asset: task.asset, version: task.version })))).flat();
  const live = new Set<string>();
  for (const row of partitions) {
    if (row.status !== 'running') continue;
    if ((await options.store.run(row.runId))?.status === 'running') live.add(row.runId);
  }
  return backfillTaskStatuses(options.backfill.tasks, partitions, (runId) => live.has(runId), options.backfill.requestedAt);
}

async function cancelRequested(store: StateStore, backfillId: string): Promise<boolean> {
  const [record] = await store.backfills({ backfillId });
  return record?.status === 'cancelled';
}
