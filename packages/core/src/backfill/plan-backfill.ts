/**
 * Planning a backfill, pure: the asset x partition tasks a selection and a range call for, and
 * where each stands now (done, running, failed, missing), from the recorded partitions. Nothing
 * here builds anything: `execute-partition-task.ts` runs one task, `run-backfill.ts` runs many.
 */
import { WeirError } from '../errors/weir-error.js';
import type { BackfillAssetTasks } from '../events/weir-event.js';
import { partitionKeys } from '../partitions/partition-keys.js';
import { dependencyOrder, partitionedVersion } from '../plan/build-plan.js';
import { isPartitioned } from '../project/is-partitioned.js';
import type { Project } from '../project/project-model.js';
import type { PartitionRecord } from '../storage/state-store.js';

/** Where one task stands. `missing` covers never built, cancelled, and interrupted by a crash. */
export type BackfillTaskStatus = 'done' | 'running' | 'failed' | 'missing';

/** One asset x partition task and its status. */
export interface BackfillTask {
  asset: string;
  version: string;
  partition: string;
  status: BackfillTaskStatus;
  /** Why it failed, or that a crash interrupted it. */
  detail?: string;
}

/** What a backfill of a selection and range would do. */
export interface BackfillPreview {
  /** Partitioned assets in dependency order, each with its version and partitions in the range. */
  assets: BackfillAssetTasks[];
  /** Selected assets that are not partitioned: a backfill leaves them alone. */
  unpartitioned: string[];
  tasks: BackfillTask[];
}

/** What {@link planBackfill} needs. */
export interface BackfillPlanInput {
  project: Project;
  /** The engine's kind, part of every version. */
  engine: string;
  selected: ReadonlySet<string>;
  from?: string;
  to?: string;
  now?: Date;
  /** The recorded partitions of the selected assets. */
  partitions: readonly PartitionRecord[];
  /** Whether a run is still going (a `running` partition of a dead run was interrupted). */
  runIsLive(runId: string): boolean;
}

/**
 * The tasks of a backfill of `selected` from `from` to `to` (both inclusive), with their statuses
 * against each asset's current version.
 *
 * @example
 * ```ts
 * const preview = planBackfill({ project, engine: 'duckdb', selected, from: '2026-01-01', to: '2026-01-31', partitions, runIsLive });
 * console.log(`${preview.tasks.length} task(s)`);
 * ```
 */
export function planBackfill(input: BackfillPlanInput): BackfillPreview {
  const { project } = input;
  const assets: BackfillAssetTasks[] = [];
  const unpartitioned: string[] = [];
  for (const name of dependencyOrder(project, input.selected)) {
    const asset = project.assets.get(name);
    if (!isPartitioned(asset)) {
      unpartitioned.push(name);
      continue;
    }
    const range = { ...(input.from === undefined ? {} : { from: input.from }), ...(input.to === undefined ? {} : { to: input.to }), ...(input.now === undefined ? {} : { now: input.now }) };
    let keys: string[];
    try {
      keys = partitionKeys(asset.partitionedBy, range);
    } catch (error) {
      throw new WeirError('USAGE', `${name}: ${(error as Error).message}`);
    }
    assets.push({ asset: name, version: partitionedVersion(asset, input.engine, project.root), partitions: keys });
  }
  if (assets.length === 0) {
    throw new WeirError('SELECTION_INVALID', `no partitioned asset selected (${[...input.selected].join(', ') || 'nothing'}): a backfill builds the partitions of partitioned assets`, {
      hint: 'declare partitioned_by in a model header or partitionedBy in defineAsset, see docs/project-format.md',
    });
  }
  return { assets, unpartitioned, tasks: backfillTaskStatuses(assets, input.partitions, input.runIsLive) };
}

/**
 * The status of every task of `assets` from the recorded partitions: `done` when its partition
 * of that version is published (since the backfill was requested, when `since` is given), `running` while the run building it is live, `failed` when its
 * last build failed or a check held it back, `missing` otherwise.
 *
 * @example
 * ```ts
 * const tasks = backfillTaskStatuses(backfill.tasks, await store.partitions({ asset }), runIsLive);
 * ```
 */
export function backfillTaskStatuses(
  assets: readonly BackfillAssetTasks[],
  partitions: readonly PartitionRecord[],
  runIsLive: (runId: string) => boolean,
  /** A backfill's request time: a partition published before it is not done by the backfill. */
  since?: string,
): BackfillTask[] {
  const recorded = new Map(partitions.map((row) => [`${row.asset}\0${row.version}\0${row.partition}`, row]));
  const tasks: BackfillTask[] = [];
  for (const { asset, version, partitions: keys } of assets) {
    for (const partition of keys) {
      const row = recorded.get(`${asset}\0${version}\0${partition}`);
      const task: BackfillTask = { asset, version, partition, status: 'missing' };
      if (row?.status === 'published') {
        if (since === undefined || row.updatedAt >= since) task.status = 'done';
      }
      else if (row?.status === 'failed' || row?.status === 'blocked') {
        task.status = 'failed';
        if (row.detail !== null) task.detail = row.detail;
      } else if (row?.status === 'running') {
        if (runIsLive(row.runId)) task.status = 'running';
        else task.detail = `interrupted: run ${row.runId} ended without finishing it`;
      }
      tasks.push(task);
    }
  }
  return tasks;
}

/** Tasks counted by status, every status present. */
export function countTasks(tasks: readonly BackfillTask[]): Record<BackfillTaskStatus, number> {
  const counts: Record<BackfillTaskStatus, number> = { done: 0, running: 0, failed: 0, missing: 0 };
  for (const task of tasks) counts[task.status] += 1;
  return counts;
}
