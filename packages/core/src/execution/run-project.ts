/**
 * One run of a project, start to end: take the project's run lock, plan the selected assets
 * against the environment's current state, execute, release. The CLI and (later) the server both
 * call this; neither plans or schedules on its own.
 */
import { probeSourceState } from '../connectors/open-connector.js';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { listSourceFiles } from '../connectors/files/list-source-files.js';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import type { WeirEvent } from '../events/weir-event.js';
import { notifyRunFinished } from '../notifications/notify-finished.js';
import { emitRunLineage } from '../openlineage/emit-run-lineage.js';
import { buildCheckPlan, buildPlan, buildReplayPlan, partitionStamp, type RunPlan } from '../plan/build-plan.js';
import { isPartitioned } from '../project/is-partitioned.js';
import type { Project } from '../project/project-model.js';
import type { PointerRecord, StateStore } from '../storage/state-store.js';
import { executePlan, type ExecutePlanOptions, type RunResult } from './execute-plan.js';
import { acquireProjectLock, type LockHolder, type ProjectLock } from './project-lock.js';

/** Options of {@link runProject}. */
export interface RunProjectOptions {
  project: Project;
  engine: EngineAdapter;
  store: StateStore;
  /** The assets to run (already expanded from the selection syntax). */
  selected: ReadonlySet<string>;
  /** The selection as the user wrote it, for the record. */
  selection: string[];
  exclusion: string[];
  command: string;
  /** `build` (the default) builds, checks and publishes; `check` only evaluates the checks of the published versions. */
  mode?: 'build' | 'check' | 'replay';
  retryOf?: string;
  concurrency?: number;
  /** Wait for another run of this project instead of refusing. */
  wait?: boolean;
  /**
   * The project's run lock when the caller already holds it (taken with {@link runId}); the
   * caller then also releases it. The CLI does this so that it can wait for the lock before it
   * opens the warehouse, and close the warehouse before the next waiting run gets the lock.
   */
  lock?: ProjectLock;
  /** The id to record the run under; required with `lock`, new by default. */
  runId?: string;
  signal: AbortSignal;
  /** The run's time limit in seconds (default: weir.yaml `defaults.run_timeout`, none when unset). */
  timeoutSeconds?: number;
  onPlan?: (plan: RunPlan, runId: string) => void;
  onEvent?: (event: WeirEvent) => void;
  onLog?: (asset: string, message: string) => void;
  onProgress?: (asset: string, rows: number) => void;
  onWait?: (holder: LockHolder) => void;
  /** Build this partition (a key, or a date inside it) of the selected partitioned assets. */
  partition?: string;
  /** The backfill this run serves (recorded on its partition events). */
  backfillId?: string;
  /** Executes the plan (default: {@link executePlan}, in this process); `executePlanOnWorkers` hands its steps to `weir worker`s. */
  execute?: (options: ExecutePlanOptions) => Promise<RunResult>;
}

/** A new run id: sortable by time, readable, unique enough for one project. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * Plans and executes a run of the selected assets.
 *
 * @example
 * ```ts
 * const result = await runProject({ project, engine, store, selected, selection: [], exclusion: [], command: 'run', signal });
 * ```
 */
export async function runProject(options: RunProjectOptions): Promise<RunResult & { plan: RunPlan }> {
  const { project, store } = options;
  const runId = options.runId ?? newRunId();
  const lock =
    options.lock ??
    (await acquireProjectLock(runLockPath(project), runId, {
      wait: options.wait ?? false,
      signal: options.signal,
      ...(options.onWait ? { onWait: options.onWait } : {}),
    }));
  try {
    const pointers = await store.pointers(project.environment);
    const plan =
      options.mode === 'check'
        ? buildCheckPlan(project, project.environment, options.selected, pointers).plan
        : options.mode === 'replay'
          ? buildReplayPlan(project, project.environment, [...options.selected][0] ?? '', pointers, runId)
          : await buildPlan({
            project,
            engine: options.engine.kind,
            environment: project.environment,
            selected: options.selected,
            pointers,
            versions: await store.versions(),
            describeFiles: async (asset) => listSourceFiles(asset.read.paths),
            probeSource: probeSourceState,
            ...(options.partition === undefined ? {} : { partition: options.partition }),
            partitionStamps: await partitionStamps(project, store, pointers),
          });
    options.onPlan?.(plan, runId);
    const result = await (options.execute ?? executePlan)({
      project,
      plan,
      engine: options.engine,
      store,
      runId,
      command: options.command,
      selection: options.selection,
      exclusion: options.exclusion,
      concurrency: options.concurrency ?? project.defaults.concurrency,
      signal: options.signal,
      ...timeoutOf(options.timeoutSeconds ?? project.defaults.runTimeoutSeconds),
      ...(options.retryOf ? { retryOf: options.retryOf } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.onLog ? { onLog: options.onLog } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.backfillId === undefined ? {} : { backfillId: options.backfillId }),
    });
    // After run_finished is durable; a backfill's runs are told of once, by backfill_finished.
    if (options.backfillId === undefined) await notifyRunFinished(project, store, result);
    // Every run, a backfill's included: lineage is per run. Never rejects.
    await emitRunLineage(project, store, options.engine, result);
    return { ...result, plan };
  } finally {
    if (lock !== options.lock) lock.release();
  }
}

function timeoutOf(seconds: number | undefined): { timeoutSeconds?: number } {
  return seconds === undefined ? {} : { timeoutSeconds: seconds };
}

/** What the published partitions of each partitioned asset hold, for the fingerprints of their readers. */
async function partitionStamps(project: Project, store: StateStore, pointers: PointerRecord[]): Promise<Map<string, string>> {
  const stamps = new Map<string, string>();
  for (const pointer of pointers) {
    const asset = project.assets.get(pointer.asset);
    if (!isPartitioned(asset)) continue;
    stamps.set(pointer.asset, partitionStamp(await store.partitions({ asset: pointer.asset, version: pointer.version })));
  }
  return stamps;
}

/** Where a project's run lock lives. */
export function runLockPath(project: Project): string {
  return join(project.root, '.weir', 'run.lock');
}
