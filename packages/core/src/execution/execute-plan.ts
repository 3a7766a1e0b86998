/**
 * Running a plan: steps start as soon as their inputs in the plan are done, up to `concurrency` at
 * once. A step whose input failed or was blocked is skipped with the reason recorded; a cancelled
 * run starts nothing new, stops what runs, publishes nothing half-built and ends as `cancelled`.
 */
import { hostname } from 'node:os';
import type { EngineAdapter } from '../engines/engine-adapter.js';
import { eventTime, type RunStatus, type SkipReason, type WeirEvent } from '../events/weir-event.js';
import { prepareWarehouse } from '../materialize/materialize-model.js';
import type { PlanStep, RunPlan } from '../plan/build-plan.js';
import type { Project } from '../project/project-model.js';
import type { StateStore } from '../storage/state-store.js';
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
  /** Sees every event after it is recorded (progress display, live updates). */
  onEvent?: (event: WeirEvent) => void;
  /** Lines logged by user code. */
  onLog?: (asset: string, message: string) => void;
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
  const { plan, store, runId } = options;
  let warnings = 0;
  const emit = async (events: WeirEvent[]): Promise<void> => {
    await store.append(events);
    for (const event of events) {
      if (event.type === 'check_evaluated' && !event.passed && event.severity === 'warn') warnings += 1;
      options.onEvent?.(event);
    }
  };
  await emit([
    {
      type: 'run_started',
      at: eventTime(),
      runId,
      environment: plan.environment,
      pid: process.pid,
      host: hostname(),
      command: options.command,
      selection: options.selection,
      exclusion: options.exclusion,
      plannedAssets: plan.steps.map((step) => step.asset.name),
      ...(options.retryOf ? { retryOf: options.retryOf } : {}),
    },
  ]);
  const outcomes = new Map<string, StepOutcome | 'skipped'>();
  await prepareWarehouse(options.engine, plan.environment);
  const context = {
    project: options.project,
    engine: options.engine,
    runId,
    environment: plan.environment,
    signal: options.signal,
    emit,
    log: (asset: string, message: string) => options.onLog?.(asset, message),
    retryDelayMs: options.project.defaults.retryDelaySeconds * 1000,
  };
  const pending = new Map(plan.steps.map((step) => [step.asset.name, step]));
  const running = new Map<string, Promise<void>>();
  const concurrency = Math.max(1, options.concurrency);

  while (pending.size > 0 || running.size > 0) {
    for (const step of [...pending.values()]) {
      const blocker = options.signal.aborted ? undefined : blockingInput(step, outcomes);
      if (options.signal.aborted || blocker) {
        pending.delete(step.asset.name);
        outcomes.set(step.asset.name, 'skipped');
        const reason: SkipReason = options.signal.aborted ? 'cancelled' : blocker!.reason;
        const detail = options.signal.aborted ? 'the run was cancelled before this step started' : blocker!.detail;
        await emit([{ type: 'step_skipped', at: eventTime(), runId, asset: step.asset.name, reason, detail }]);
        continue;
      }
      if (running.size >= concurrency) break;
      if (!step.upstreamInPlan.every((input) => outcomes.has(input))) continue;
      pending.delete(step.asset.name);
      running.set(
        step.asset.name,
        runStep(step, context).then((outcome) => {
          outcomes.set(step.asset.name, outcome);
          running.delete(step.asset.name);
        }),
      );
    }
    if (running.size > 0) await Promise.race(running.values());
    else if (pending.size > 0 && ![...pending.values()].some((step) => step.upstreamInPlan.every((input) => outcomes.has(input)))) {
      // Cannot happen with a plan in dependency order; guard against an endless loop anyway.
      throw new Error('execution stalled: no step can start');
    }
  }

  const summary = summarise(outcomes);
  if (warnings > 0) summary.warnings = warnings;
  const status = options.signal.aborted ? 'cancelled' : summary.failed || summary.blocked ? 'failed' : 'succeeded';
  await emit([{ type: 'run_finished', at: eventTime(), runId, status, summary }]);
  return { runId, status, outcomes, summary };
}

function blockingInput(step: PlanStep, outcomes: Map<string, StepOutcome | 'skipped'>): { reason: SkipReason; detail: string } | undefined {
  for (const input of step.upstreamInPlan) {
    const outcome = outcomes.get(input);
    if (outcome === 'failed') return { reason: 'upstream_failed', detail: `input ${input} failed` };
    if (outcome === 'blocked') return { reason: 'upstream_blocked', detail: `input ${input} was held back by a failing check` };
    if (outcome === 'skipped' || outcome === 'cancelled') return { reason: 'upstream_failed', detail: `input ${input} was not built` };
  }
  return undefined;
}

function summarise(outcomes: Map<string, StepOutcome | 'skipped'>): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const outcome of outcomes.values()) summary[outcome] = (summary[outcome] ?? 0) + 1;
  return summary;
}
