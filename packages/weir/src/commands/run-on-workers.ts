/**
 * `weir run|check|retry --workers` (team mode): the run is planned and followed here, and each
 * step is executed by a `weir worker` process that claims it from the run queue.
 */
import { WeirError, assetPool, executePlanOnWorkers, workerCodeVersion, type RunProjectOptions } from '@weir/core';
import type { RunProgress } from '../output/run-progress.js';
import { openProjectQueue, type ProjectRuntime } from '../runtime/project-runtime.js';

/** What `runProject` takes to hand the steps to workers, and how to let go of the queue. */
export interface WorkersExecutor {
  execute: NonNullable<RunProjectOptions['execute']>;
  close(): Promise<void>;
}

/**
 * Refuses `--workers` outside team mode: workers on other machines must share the state and the warehouse.
 *
 * @example
 * ```ts
 * requireTeamModeForWorkers(runtime); // throws USAGE with the embedded warehouse
 * ```
 */
export function requireTeamModeForWorkers(runtime: ProjectRuntime, command = 'run'): void {
  const { state, warehouse } = runtime.project;
  if (state.store === 'postgres' && warehouse.engine === 'postgres') return;
  throw new WeirError('USAGE', `weir ${command} --workers needs team mode: the state and the warehouse in PostgreSQL, shared by every worker`, {
    hint: 'set state: { store: postgres, url: ... } and warehouse: { engine: postgres, url: ... } in weir.yaml, or run without --workers to build in this process',
  });
}

/**
 * Opens the project's run queue and records this project version as the one workers must run,
 * so a worker with other code is refused before it takes a step.
 *
 * @example
 * ```ts
 * const workers = await workersExecutor(runtime, progress);
 * try { await runProject({ ...options, execute: workers.execute }); } finally { await workers.close(); }
 * ```
 */
export async function workersExecutor(runtime: ProjectRuntime, progress: RunProgress): Promise<WorkersExecutor> {
  const { project } = runtime;
  const queue = await openProjectQueue(project);
  try {
    await queue.setExpectedProjectVersion(await workerCodeVersion(project.root));
  } catch (error) {
    await queue.close();
    throw error;
  }
  return {
    execute: async (options) => {
      const alive = (await queue.workers()).filter((worker) => worker.alive).length;
      progress.line(`run ${options.runId}: ${options.plan.steps.length} step(s) go to weir worker processes (${alive} alive now)`);
      return executePlanOnWorkers({
        ...options,
        queue,
        poolOf: (asset) => assetPool(project, asset),
        onWaitingForWorker: () => progress.line('waiting for a worker: no weir worker is running for this project; start one with `weir worker`'),
      });
    },
    close: () => queue.close(),
  };
}
