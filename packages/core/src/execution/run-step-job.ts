/**
 * One step of a run executed by a `weir worker` (team mode, `weir run --workers`): the worker
 * claims the step's job from the run queue and runs it with the same {@link runStep} as an
 * in-process run (build, check, publish or hold back), recording the step's events under the
 * run's id. The coordinator (`queued-run.ts`) enqueued the job once the step's inputs were done.
 *
 * A job taken again after its worker died first looks at the step's record: a step the dead
 * worker finished (its end recorded, its job not yet completed) is not redone. Otherwise the step
 * runs again, which is safe: versions are fingerprinted (a complete table is adopted or rebuilt
 * under the same name) and publication is a view switch.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import type { WeirEvent } from '../events/weir-event.js';
import type { PlanStep } from '../plan/build-plan.js';
import { VERSIONS_SCHEMA } from '../plan/physical-names.js';
import type { Project } from '../project/project-model.js';
import type { StateStore, StepRecord } from '../storage/state-store.js';
import { runStep, type StepOutcome } from './run-step.js';

/** The job kind of one step of a run. */
export const RUN_STEP_JOB_KIND = 'run-step';

/** A plan step as a job carries it: the asset by name (the worker has the same project version). */
export type QueuedStep = Omit<PlanStep, 'asset'> & { asset: string };

/** What a step job carries. */
export interface RunStepJobPayload {
  runId: string;
  environment: string;
  step: QueuedStep;
}

/** What {@link runStepJob} needs: a worker's open project. */
export interface RunStepJobOptions {
  project: Project;
  engine: EngineAdapter;
  store: StateStore;
  payload: RunStepJobPayload;
  signal: AbortSignal;
  onEvent?: (event: WeirEvent) => void;
  onLog?: (asset: string, message: string) => void;
}

/** Step statuses that are an end: a job taken again after one of them only reports it. */
const ended: ReadonlyMap<string, StepOutcome> = new Map([
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['blocked', 'blocked'],
  ['cancelled', 'cancelled'],
]);

/**
 * Runs one queued step to its end and says how it ended.
 *
 * @example
 * ```ts
 * const outcome = await runStepJob({ project, engine, store, payload: job.payload as RunStepJobPayload, signal });
 * await queue.complete(job, { outcome });
 * ```
 */
export async function runStepJob(options: RunStepJobOptions): Promise<StepOutcome> {
  const { project, engine, store, payload } = options;
  const asset = project.assets.get(payload.step.asset);
  if (asset === undefined) throw new WeirError('ASSET_UNKNOWN', `run ${payload.runId} asks for asset "${payload.step.asset}", which this worker's project does not have`);
  const run = await store.run(payload.runId);
  if (run === undefined) throw new WeirError('RUN_UNKNOWN', `no run "${payload.runId}" in this project's state`);
  const before = (await store.steps(payload.runId)).find((step) => step.asset === asset.name);
  const done = before === undefined ? undefined : endOf(before, payload.step);
  if (done !== undefined) return done;
  if (run.status !== 'running') return 'cancelled';
  const step: PlanStep = { ...payload.step, asset };
  const emit = async (events: WeirEvent[]): Promise<void> => {
    // Every event awaited: the coordinator reads the step's end from the store once the job ends.
    await store.append(events);
    for (const event of events) options.onEvent?.(event);
  };
  return runStep(step, {
    project,
    engine,
    runId: payload.runId,
    environment: payload.environment,
    signal: options.signal,
    emit,
    log: (name, message) => options.onLog?.(name, message),
    progress: () => undefined,
    retryDelayMs: project.defaults.retryDelaySeconds * 1000,
    existing: new Set((await engine.listRelations(VERSIONS_SCHEMA)).map((relation) => relation.name)),
    published: await engine.viewDefinitions(payload.environment),
    history: store,
  });
}

/** The outcome a recorded step ended with, if it ended (as `runStep` answered it). */
function endOf(record: StepRecord, step: QueuedStep): StepOutcome | undefined {
  if (record.status !== 'skipped') return ended.get(record.status);
  if (record.skipReason === 'unchanged' || record.skipReason === 'pinned') return record.skipReason;
  // A partitioned asset left as it is counts as served when it has a published version.
  return record.skipReason === 'partitioned' && step.currentVersion !== null ? 'unchanged' : 'skipped';
}
