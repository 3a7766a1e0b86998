/**
 * Which steps of a plan may start: a ready queue fed by in-degree counts, shared by the in-process
 * scheduler (`execute-plan.ts`) and the coordinator of runs on workers (`queued-run.ts`). Each step
 * is looked at once, when its last input settles, so the cost per step does not grow with the
 * size of the plan.
 */
import type { PlanStep } from '../plan/build-plan.js';
import type { SkipReason } from '../events/weir-event.js';
import { blockingInput } from './run-records.js';
import type { StepOutcome } from './run-step.js';

/**
 * The steps waiting for their inputs, the ones ready to start, and how each settled.
 *
 * @example
 * ```ts
 * const readiness = new StepReadiness(plan.steps);
 * for (let step = readiness.take(); step; step = readiness.take()) readiness.settle(step, await run(step));
 * ```
 */
export class StepReadiness {
  /** How each settled step ended, by asset. */
  readonly outcomes = new Map<string, StepOutcome | 'skipped'>();
  private readonly consumers = new Map<string, PlanStep[]>();
  private readonly waitingOn = new Map<string, number>();
  private readonly ready: PlanStep[] = [];
  private next = 0;

  constructor(steps: readonly PlanStep[]) {
    for (const step of steps) {
      this.waitingOn.set(step.asset.name, step.upstreamInPlan.length);
      for (const input of step.upstreamInPlan) this.consumers.set(input, [...(this.consumers.get(input) ?? []), step]);
      if (step.upstreamInPlan.length === 0) this.ready.push(step);
    }
  }

  /** True while a step is ready and not yet taken. */
  get hasReady(): boolean {
    return this.next < this.ready.length;
  }

  /** The next ready step, or undefined when none is ready now. */
  take(): PlanStep | undefined {
    return this.hasReady ? this.ready[this.next++] : undefined;
  }

  /** Records how `step` ended; a consumer whose last input this was becomes ready. */
  settle(step: PlanStep, outcome: StepOutcome | 'skipped'): void {
    this.outcomes.set(step.asset.name, outcome);
    for (const consumer of this.consumers.get(step.asset.name) ?? []) {
      const left = (this.waitingOn.get(consumer.asset.name) ?? 1) - 1;
      this.waitingOn.set(consumer.asset.name, left);
      if (left === 0) this.ready.push(consumer);
    }
  }

  /** Why `step` must be skipped rather than started: the run was cancelled, or an input did not succeed. */
  blocker(step: PlanStep, signal: AbortSignal): { reason: SkipReason; detail: string } | undefined {
    if (signal.aborted) return { reason: 'cancelled', detail: 'the run was cancelled before this step started' };
    return blockingInput(step, this.outcomes);
  }
}
