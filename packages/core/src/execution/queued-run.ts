/**
 * A run executed step by step on `weir worker` processes (team mode, `weir run --workers`). This
 * coordinator records `run_started`, enqueues one job per step as soon as the step's inputs are
 * done, and settles each step from its job's end; the workers record the steps' events (see
 * `run-step-job.ts`). The rules are the in-process run's (`execute-plan.ts`): a step whose input
 * failed or was blocked is skipped with the reason recorded, a cancel starts nothing new and stops
 * what runs, and `run_finished` carries the same status. The steps' events are read back from
 * the store and handed to `onEvent` in order, so progress is shown as for an in-process run.
 */
import { eventTime, type SkipReason, type StoredEvent, type WeirEvent } from '../events/weir-event.js';
import { prepareWarehouse } from '../materialize/materialize-model.js';
import type { PlanStep } from '../plan/build-plan.js';
import type { JobQueue, JobRecord, JsonValue } from '../queue/job-queue.js';
import type { ExecutePlanOptions, RunResult } from './execute-plan.js';
import { runDeadline } from './run-deadline.js';
import { runFinishedEvent, runStartedEvent } from './run-records.js';
import { StepReadiness } from './step-readiness.js';
import type { StepOutcome } from './run-step.js';
import { RUN_STEP_JOB_KIND, type RunStepJobPayload } from './run-step-job.js';

/** Manual runs go after scheduled ones and before backfills (the queue's convention). */
const RUN_PRIORITY = 50;
/** Claims of one step job before it fails for good (a lost lease counts as one). */
const STEP_ATTEMPTS = 3;

/** What a run on workers needs besides what an in-process run does. */
export interface QueuedRunOptions {
  queue: JobQueue;
  /** The pool a step's job counts against (`pool:` in a model's header). */
  poolOf?: (asset: string) => string | undefined;
  /** How often the coordinator looks at its jobs and the run's events (default 200 ms). */
  pollMs?: number;
  /** Called when steps wait and no worker is alive, once until one is. */
  onWaitingForWorker?: () => void;
}

/**
 * The dedupe key of a step's job: one job per step of a run, whoever enqueues it.
 *
 * @example
 * ```ts
 * runStepJobKey('r-20260301-120000-ab12', 'orders'); // 'run:r-20260301-120000-ab12:orders'
 * ```
 */
export function runStepJobKey(runId: string, asset: string): string {
  return `run:${runId}:${asset}`;
}

/**
 * Executes `plan` on workers and records it from `run_started` to `run_finished`; a drop-in for
 * `executePlan` (`runProject({ execute })`). `concurrency` is not used: the workers and the
 * pools' limits decide how many steps run at once.
 *
 * @example
 * ```ts
 * const result = await runProject({ ...options, execute: (run) => executePlanOnWorkers({ ...run, queue }) });
 * ```
 */
export async function executePlanOnWorkers(options: ExecutePlanOptions & QueuedRunOptions): Promise<RunResult> {
  const { plan, store, runId, queue } = options;
  for (const [pool, limit] of Object.entries(options.project.pools ?? {})) await queue.setPoolLimit(pool, limit);
  await store.append([runStartedEvent(options)]);
  const deadline = runDeadline(options.signal, options.timeoutSeconds);
  const follower = new RunFollower(options);
  try {
    await follower.forward();
    await prepareWarehouse(options.engine, plan.environment);
    const outcomes = await coordinate(options, deadline.signal, follower);
    await follower.forward();
    const summary: Record<string, number> = {};
    for (const outcome of outcomes.values()) summary[outcome] = (summary[outcome] ?? 0) + 1;
    if (follower.warnings > 0) summary.warnings = follower.warnings;
    const finished = runFinishedEvent(runId, summary, deadline, options.timeoutSeconds);
    const { status } = finished;
    await store.append([finished]);
    await follower.forward();
    return { runId, status, outcomes, summary };
  } finally {
    deadline.clear();
  }
}

/** Hands the run's recorded events to `onEvent` in order, counting failed warn checks. */
class RunFollower {
  warnings = 0;
  private afterId = 0;
  private readonly options: ExecutePlanOptions;

  constructor(options: ExecutePlanOptions) {
    this.options = options;
  }

  async forward(): Promise<void> {
    for (;;) {
      const events = await this.options.store.events({ runId: this.options.runId, afterId: this.afterId, limit: 500 });
      for (const event of events) {
        this.afterId = Math.max(this.afterId, event.id);
        if (event.type === 'check_evaluated' && !event.passed && event.severity === 'warn') this.warnings += 1;
        this.options.onEvent?.(withoutId(event));
      }
      if (events.length < 500) return;
    }
  }
}

/** An event as it was appended: the store's id is not part of it. */
function withoutId(event: StoredEvent): WeirEvent {
  const plain: Partial<StoredEvent> = { ...event };
  delete plain.id;
  return plain as WeirEvent;
}

/** Enqueues steps as their inputs settle and settles them from their jobs' ends. */
async function coordinate(options: ExecutePlanOptions & QueuedRunOptions, signal: AbortSignal, follower: RunFollower): Promise<Map<string, StepOutcome | 'skipped'>> {
  const { plan, queue } = options;
  const readiness = new StepReadiness(plan.steps);
  const queued = new Map<number, PlanStep>();
  let cancelSent = false;
  let workerless = false;
  while (readiness.hasReady || queued.size > 0) {
    for (let step = readiness.take(); step !== undefined; step = readiness.take()) {
      const blocker = readiness.blocker(step, signal);
      if (blocker) {
        await skip(options, step, blocker.reason, blocker.detail);
        readiness.settle(step, 'skipped');
        continue;
      }
      queued.set((await queue.enqueue(stepJob(options, step))).id, step);
    }
    if (signal.aborted && !cancelSent) {
      // Ready jobs end cancelled at once; running ones are asked to stop through their heartbeat.
      cancelSent = true;
      for (const id of queued.keys()) await queue.cancel(id);
    }
    if (queued.size === 0) continue;
    const jobs = await queue.list({ ids: [...queued.keys()], limit: queued.size });
    for (const job of jobs) {
      const step = queued.get(job.id);
      if (step === undefined || job.state === 'ready' || job.state === 'running') continue;
      queued.delete(job.id);
      readiness.settle(step, await settledOutcome(options, step, job));
    }
    await follower.forward();
    const idle = jobs.some((job) => job.state === 'ready') && !(await queue.workers()).some((worker) => worker.alive);
    if (idle && !workerless) options.onWaitingForWorker?.();
    workerless = idle;
    if (queued.size > 0 && !readiness.hasReady) await pause(options.pollMs ?? 200, signal, cancelSent);
  }
  return readiness.outcomes;
}

/** Waits `ms`, or less when a cancel arrives that has not been passed on yet. */
async function pause(ms: number, signal: AbortSignal, cancelSent: boolean): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    if (!cancelSent) signal.addEventListener('abort', done, { once: true });
  });
}

/** The job of one step: its plan step with the asset by name, in its asset's pool. */
function stepJob(options: ExecutePlanOptions & QueuedRunOptions, step: PlanStep): Parameters<JobQueue['enqueue']>[0] {
  const payload: RunStepJobPayload = { runId: options.runId, environment: options.plan.environment, step: { ...step, asset: step.asset.name } };
  const pool = options.poolOf?.(step.asset.name);
  return {
    kind: RUN_STEP_JOB_KIND,
    payload: JSON.parse(JSON.stringify(payload)) as JsonValue,
    priority: RUN_PRIORITY,
    ...(pool === undefined ? {} : { pool }),
    dedupeKey: runStepJobKey(options.runId, step.asset.name),
    maxAttempts: STEP_ATTEMPTS,
  };
}

async function skip(options: ExecutePlanOptions, step: PlanStep, reason: SkipReason, detail: string): Promise<void> {
  await options.store.append([{ type: 'step_skipped', at: eventTime(), runId: options.runId, asset: step.asset.name, reason, detail }]);
}

const outcomeNames: ReadonlySet<string> = new Set(['succeeded', 'unchanged', 'pinned', 'failed', 'blocked', 'cancelled', 'skipped']);

/**
 * How a step ended, from its finished job: the worker's answer when the job completed, else the
 * step's record; a step the worker could not close (it died on every attempt, or the job was
 * cancelled before a worker took it) is closed here.
 */
async function settledOutcome(options: ExecutePlanOptions, step: PlanStep, job: JobRecord): Promise<StepOutcome | 'skipped'> {
  const answer = job.result !== null && typeof job.result === 'object' && !Array.isArray(job.result) ? job.result.outcome : undefined;
  if (job.state === 'completed' && typeof answer === 'string' && outcomeNames.has(answer)) return answer as StepOutcome;
  const { runId, store } = options;
  const base = { at: eventTime(), runId, asset: step.asset.name };
  const record = (await store.steps(runId)).find((candidate) => candidate.asset === step.asset.name);
  const status = record?.status;
  if (status === 'succeeded' || status === 'failed' || status === 'blocked' || status === 'cancelled') return status;
  if (status === 'skipped') return record?.skipReason === 'unchanged' || record?.skipReason === 'pinned' ? record.skipReason : 'skipped';
  if (job.state === 'cancelled') {
    if (status === 'running') {
      await store.append([{ type: 'step_cancelled', ...base }]);
      return 'cancelled';
    }
    await store.append([{ type: 'step_skipped', ...base, reason: 'cancelled', detail: 'the run was cancelled before this step started' }]);
    return 'skipped';
  }
  const message = job.lastError ?? `the step's job ended ${job.state} without an answer`;
  await store.append([{ type: 'step_failed', ...base, version: step.version, attempts: Math.max(1, job.attempts), error: { code: 'WORKER_FAILED', message } }]);
  return 'failed';
}
