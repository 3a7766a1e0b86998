/**
 * The first and last events of a run, the same whether its steps run in this process
 * (`execute-plan.ts`) or on workers (`queued-run.ts`): what a run records about itself, and the
 * rule that turns its steps' outcomes into its status.
 */
import { hostname } from 'node:os';
import { eventTime, type RunFinishedEvent, type SkipReason, type WeirEvent } from '../events/weir-event.js';
import type { PlanStep } from '../plan/build-plan.js';
import type { ExecutePlanOptions } from './execute-plan.js';
import { describeSeconds, type RunDeadline } from './run-deadline.js';
import type { StepOutcome } from './run-step.js';

/**
 * The `run_started` event of a run about to execute `options.plan`.
 *
 * @example
 * ```ts
 * await store.append([runStartedEvent(options)]);
 * ```
 */
export function runStartedEvent(options: Pick<ExecutePlanOptions, 'plan' | 'runId' | 'command' | 'selection' | 'exclusion' | 'retryOf'>): WeirEvent {
  return {
    type: 'run_started',
    at: eventTime(),
    runId: options.runId,
    environment: options.plan.environment,
    pid: process.pid,
    host: hostname(),
    command: options.command,
    selection: options.selection,
    exclusion: options.exclusion,
    plannedAssets: options.plan.steps.map((step) => step.asset.name),
    ...(options.retryOf ? { retryOf: options.retryOf } : {}),
  };
}

/**
 * The `run_finished` event and status of a run whose steps ended with `summary`: failed when its
 * time limit passed or a step failed or was held back, cancelled when it was cancelled, else
 * succeeded.
 *
 * @example
 * ```ts
 * const finished = runFinishedEvent(runId, summary, deadline, options.timeoutSeconds);
 * await store.append([finished]);
 * ```
 */
export function runFinishedEvent(runId: string, summary: Record<string, number>, deadline: Pick<RunDeadline, 'signal' | 'timedOut'>, timeoutSeconds: number | undefined): RunFinishedEvent {
  const status = deadline.timedOut ? 'failed' : deadline.signal.aborted ? 'cancelled' : summary.failed || summary.blocked ? 'failed' : 'succeeded';
  const timedOut = deadline.timedOut ? { detail: `the run timed out after ${describeSeconds(timeoutSeconds ?? 0)}: steps still running were stopped, nothing half-built was published` } : {};
  return { type: 'run_finished', at: eventTime(), runId, status, summary, ...timedOut };
}

/**
 * Why `step` must not start: an input in the plan failed, was held back, or was not built (the
 * same rule in this process and on workers). Undefined when every input is done.
 *
 * @example
 * ```ts
 * const blocker = blockingInput(step, outcomes); // { reason: 'upstream_failed', detail: 'input orders failed' }
 * ```
 */
export function blockingInput(step: PlanStep, outcomes: Map<string, StepOutcome | 'skipped'>): { reason: SkipReason; detail: string } | undefined {
  for (const input of step.upstreamInPlan) {
    const outcome = outcomes.get(input);
    if (outcome === 'failed') return { reason: 'upstream_failed', detail: `input ${input} failed` };
    if (outcome === 'blocked') return { reason: 'upstream_blocked', detail: `input ${input} was held back by a failing check` };
    if (outcome === 'skipped' || outcome === 'cancelled') return { reason: 'upstream_failed', detail: `input ${input} was not built` };
  }
  return undefined;
}
