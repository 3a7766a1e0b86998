/**
 * A `weir worker`'s handling of one step of a `weir run --workers`: run the step with the same
 * code as an in-process run and answer its outcome through the job, for the coordinating
 * `weir run` to settle the step and enqueue what depends on it.
 */
import { isWeirError, messageOf, runStepJob, type ClaimedJob, type JobQueue, type RunStepJobPayload } from '@weir/core';
import { formatDuration } from '../output/format-table.js';
import type { ProjectRuntime } from '../runtime/project-runtime.js';

/** Errors another claim cannot mend: the job names a run or an asset this project does not have. */
const permanentCodes = new Set(['RUN_UNKNOWN', 'ASSET_UNKNOWN']);

/**
 * Runs a claimed step job to its end (the caller beats the job's heartbeat and aborts `signal`
 * when the run is cancelled) and completes or fails the job.
 *
 * @example
 * ```ts
 * if (job.kind === RUN_STEP_JOB_KIND) await runQueuedStep(runtime, queue, job, controller.signal, say);
 * ```
 */
export async function runQueuedStep(runtime: ProjectRuntime, queue: JobQueue, job: ClaimedJob, signal: AbortSignal, say: (line: string) => void): Promise<void> {
  const payload = job.payload as unknown as RunStepJobPayload;
  const name = `run ${payload.runId} ${payload.step.asset}`;
  const started = performance.now();
  try {
    say(`${name} started (attempt ${job.attempt})`);
    const outcome = await runStepJob({ project: runtime.project, engine: await runtime.engine(), store: runtime.store, payload, signal });
    say(`${name} ${outcome} in ${formatDuration(performance.now() - started)}`);
    // A failed or blocked step is an answer, not a job failure: the run skips its dependents.
    if (outcome === 'cancelled') await queue.fail(job, 'the run was cancelled', { retry: false });
    else await queue.complete(job, { outcome });
  } catch (error) {
    say(`${name} could not run: ${messageOf(error)}`);
    const retry = !(isWeirError(error) && permanentCodes.has(error.code));
    await queue.fail(job, messageOf(error), { retry }).catch(() => undefined);
  }
}
