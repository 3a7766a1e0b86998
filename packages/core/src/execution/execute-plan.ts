/**
 * Running a plan: steps start as soon as their inputs in the plan are done, up to `concurrency` at
 * once. A step whose input failed or was blocked is skipped with the reason recorded; a cancelled
 * run starts nothing new, stops what runs, publishes nothing half-built and ends as `cancelled`.
 */
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { eventTime, type RunStatus, type SkipReason, type WeirEvent } from '../events/weir-event.js';
import { prepareWarehouse } from '../materialize/materialize-model.js';
import { VERSIONS_SCHEMA } from '../plan/physical-names.js';
import type { PlanStep, RunPlan } from '../plan/build-plan.js';
import type { Project } from '../project/project-model.js';
import type { StateStore } from '../storage/state-store.js';
import { runDeadline, type RunDeadline } from './run-deadline.js';
import { runFinishedEvent, runStartedEvent } from './run-records.js';
import { StepReadiness } from './step-readiness.js';
import { runStep, type StepOutcome } from './run-step.js';

/** Everything a run needs. */
export interface ExecutePlanOptions {
  project: Project;
  plan: RunPlan;
  engine: EngineAdapter;
  store: StateStore;
  runId: string;
  command: string;
  selection: string[];
  exclusion: string[];
  retryOf?: string;
  concurrency: number;
  signal: AbortSignal;
  /** Stop the run after this many seconds and record it failed (a time limit, not a cancel). */
  timeoutSeconds?: number;
  /** Sees every event after it is recorded (progress display, live updates). */
  onEvent?: (event: WeirEvent) => void;
  /** Lines logged by user code. */
  onLog?: (asset: string, message: string) => void;
  /** Live progress of running builds (not recorded: it changes too often to be an event). */
  onProgress?: (asset: string, rows: number) => void;
  /** The backfill this run serves: its partition events carry the id. */
  backfillId?: string;
}

/** The end of a run. */
export interface RunResult {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  outcomes: Map<string, StepOutcome | 'skipped'>;
  summary: Record<string, number>;
}

/**
 * Executes `plan` and records it from `run_started` to `run_finished`.
 *
 * @example
 * ```ts
 * const result = await executePlan({ project, plan, engine, store, runId, command: 'run', selection: [], exclusion: [], concurrency: 4, signal });
 * if (result.status !== 'succeeded') process.exitCode = 1;
 * ```
 */
export async function executePlan(options: ExecutePlanOptions): Promise<RunResult> {
  const { store } = options;
  let warnings = 0;
  const observe = (events: WeirEvent[]): void => {
    for (const event of events) {
      if (event.type === 'check_evaluated' && !event.passed && event.severity === 'warn') warnings += 1;
      options.onEvent?.(event);
    }
  };
  // Step events are written behind: the store group-commits appends made close together, so a
  // run does not wait for one commit per event. The run's first and last events are awaited:
  // a run must be on record before any work starts, and complete before anyone reads it.
  const writes = new BackgroundWrites(store);
  const emit = async (events: WeirEvent[], emitOptions?: { durable: boolean }): Promise<void> => {
    const written = writes.append(events);
    observe(events);
    if (emitOptions?.durable) await written;
  };
  const started = runStartedEvent(options);
  await store.append([started]);
  observe([started]);
  // The clock starts with the run, not while it waited for the project's lock.
  const deadline = runDeadline(options.signal, options.timeoutSeconds);
  try {
    return await executeSteps(options, deadline, { emit, writes, observe, warnings: () => warnings });
  } finally {
    deadline.clear();
  }
}

/** How a started run records what happens. */
interface RunRecorder {
  emit: (events: WeirEvent[], emitOptions?: { durable: boolean }) => Promise<void>;
  writes: BackgroundWrites;
  observe: (events: WeirEvent[]) => void;
  /** Failed checks of severity warn so far. */
  warnings: () => number;
}

/** The steps of a started run, then its `run_finished`. */
async function executeSteps(options: ExecutePlanOptions, deadline: RunDeadline, recorder: RunRecorder): Promise<RunResult> {
  const { plan, store, runId } = options;
  const { signal } = deadline;
  const { emit, writes, observe, warnings } = recorder;
  await prepareWarehouse(options.engine, plan.environment);
  const context = {
    project: options.project,
    engine: options.engine,
    runId,
    environment: plan.environment,
    signal,
    emit,
    log: (asset: string, message: string) => options.onLog?.(asset, message),
    progress: (asset: string, rows: number) => options.onProgress?.(asset, rows),
    retryDelayMs: options.project.defaults.retryDelaySeconds * 1000,
    existing: new Set((await options.engine.listRelations(VERSIONS_SCHEMA)).map((relation) => relation.name)),
    published: await options.engine.viewDefinitions(plan.environment),
    history: store,
    ...(options.backfillId === undefined ? {} : { backfillId: options.backfillId }),
  };
  const outcomes = await schedule(plan.steps, Math.max(1, options.concurrency), signal, {
    run: (step) => runStep(step, context),
    skip: (step, reason, detail) => emit([{ type: 'step_skipped', at: eventTime(), runId, asset: step.asset.name, reason, detail }]),
  });
  await writes.settled();

  const summary = summarise(outcomes);
  if (warnings() > 0) summary.warnings = warnings();
  const finished = runFinishedEvent(runId, summary, deadline, options.timeoutSeconds);
  const { status } = finished;
  await store.append([finished]);
  observe([finished]);
  return { runId, status, outcomes, summary };
}

/** How the scheduler starts and skips steps. */
interface StepHandlers {
  run(step: PlanStep): Promise<StepOutcome>;
  skip(step: PlanStep, reason: SkipReason, detail: string): Promise<void>;
}

/** Runs steps as their inputs finish ({@link StepReadiness}), at most `concurrency` at once. */
async function schedule(steps: PlanStep[], concurrency: number, signal: AbortSignal, handlers: StepHandlers): Promise<Map<string, StepOutcome | 'skipped'>> {
  const readiness = new StepReadiness(steps);
  const { outcomes } = readiness;
  const running = new Map<string, Promise<void>>();
  while (readiness.hasReady || running.size > 0) {
    while (readiness.hasReady && running.size < concurrency) {
      const step = readiness.take()!;
      const blocker = readiness.blocker(step, signal);
      if (blocker) {
        await handlers.skip(step, blocker.reason, blocker.detail);
        readiness.settle(step, 'skipped');
        continue;
      }
      running.set(
        step.asset.name,
        handlers.run(step).then((outcome) => {
          running.delete(step.asset.name);
          readiness.settle(step, outcome);
        }),
      );
    }
    if (running.size > 0) await Promise.race(running.values());
  }
  if (outcomes.size !== steps.length) throw new Error(`execution stalled: ${steps.length - outcomes.size} step(s) could not start`);
  return outcomes;
}

/**
 * Appends that the run does not wait for, in order. The first failure is kept and thrown by
 * {@link BackgroundWrites.settled}, so a state store that goes away fails the run rather than
 * losing its record quietly.
 */
class BackgroundWrites {
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;
  private readonly store: StateStore;

  constructor(store: StateStore) {
    this.store = store;
  }

  /** Queues `events`; the returned promise settles when they are committed (or rejects if not). */
  append(events: WeirEvent[]): Promise<void> {
    const committed = this.store.append(events);
    const write: Promise<void> = committed.then(
      () => {
        this.pending.delete(write);
      },
      (error: unknown) => {
        this.failure ??= error;
        this.pending.delete(write);
      },
    );
    this.pending.add(write);
    return committed;
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure !== undefined) throw this.failure;
  }
}

function summarise(outcomes: Map<string, StepOutcome | 'skipped'>): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const outcome of outcomes.values()) summary[outcome] = (summary[outcome] ?? 0) + 1;
  return summary;
}
