/**
 * The check that keeps a worker running other code than `weir serve` from claiming work: a run
 * planned by one version of the project and built by another could publish tables the planner
 * never saw.
 */
import { WeirError } from '../errors/weir-error.js';
import type { WorkerInfo } from './job-queue.js';

/**
 * Throws `WeirError('WORKER_VERSION_MISMATCH')` when `worker` runs another project version than
 * `expected` (the version `weir serve` runs); does nothing when `expected` is undefined (no server
 * has said yet) or the versions agree.
 *
 * @example
 * ```ts
 * checkWorkerVersion('3f2a9c1', { id: 'w1', host: 'box', pid: 42, projectVersion: '3f2a9c1' }); // fine
 * checkWorkerVersion('3f2a9c1', { id: 'w2', host: 'box', pid: 43, projectVersion: '77b0e4d' }); // throws
 * ```
 */
export function checkWorkerVersion(expected: string | undefined, worker: WorkerInfo): void {
  if (expected === undefined || expected === worker.projectVersion) return;
  throw new WeirError(
    'WORKER_VERSION_MISMATCH',
    `worker "${worker.id}" (host ${worker.host}, pid ${worker.pid}) runs project version ${worker.projectVersion}, ` +
      `but weir serve runs ${expected}; the worker is refused and claims no work`,
    { hint: 'deploy the same project version to the worker and to weir serve, then start the worker again' },
  );
}
