/**
 * Executing one partition task: build partition `partition` of the given partitioned assets (in
 * dependency order, one run), reading what their inputs publish. This is the unit a worker runs
 * for a backfill; the caller holds the project's run lock (in-process) or the queue's claim.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import type { WeirEvent } from '../events/weir-event.js';
import type { RunResult } from '../execution/execute-plan.js';
import type { ProjectLock } from '../execution/project-lock.js';
import { newRunId, runProject } from '../execution/run-project.js';
import type { Project } from '../project/project-model.js';
import type { StateStore } from '../storage/state-store.js';

/** What one partition task needs. */
export interface PartitionTaskOptions {
  project: Project;
  engine: EngineAdapter;
  store: StateStore;
  /** The project's run lock, held by the caller for the task's whole run. */
  lock: ProjectLock;
  /** Partitioned assets to build (one or more: each reads the others' partition when it depends on them). */
  assets: readonly string[];
  partition: string;
  /** The version each asset must build into (a backfill's recorded versions); a changed asset is refused. */
  versions?: Readonly<Record<string, string>>;
  backfillId?: string;
  signal: AbortSignal;
  onEvent?: (event: WeirEvent) => void;
}

/**
 * Builds one partition of the given assets in one run and records it.
 *
 * @example
 * ```ts
 * const result = await executePartitionTask({ project, engine, store, lock, assets: ['daily_revenue'], partition: '2026-03-01', signal });
 * ```
 */
export async function executePartitionTask(options: PartitionTaskOptions): Promise<RunResult> {
  const runId = newRunId();
  return runProject({
    project: options.project,
    engine: options.engine,
    store: options.store,
    selected: new Set(options.assets),
    selection: [...options.assets],
    exclusion: [],
    command: options.backfillId === undefined ? `partition ${options.partition}` : `backfill ${options.backfillId} ${options.partition}`,
    lock: options.lock,
    runId,
    signal: options.signal,
    partition: options.partition,
    ...(options.backfillId === undefined ? {} : { backfillId: options.backfillId }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    onPlan: (plan) => {
      for (const step of plan.steps) {
        const expected = options.versions?.[step.asset.name];
        if (expected !== undefined && expected !== step.version) {
          throw new WeirError('USAGE', `${step.asset.name} changed since the backfill was requested (version ${expected}, now ${step.version}): its partitions now build into a new version`, {
            hint: 'start a new backfill for the new version',
          });
        }
      }
    },
  });
}
