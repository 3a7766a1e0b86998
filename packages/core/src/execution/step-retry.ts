/**
 * Retrying a failed step attempt, shared by whole-asset and partition builds: how many attempts
 * an asset gets, which errors are not worth another one, and the backoff between attempts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isWeirError } from '../errors/weir-error.js';
import { eventTime } from '../events/weir-event.js';
import type { AssetSpec } from '../project/project-model.js';
import { recordError } from './record-error.js';
import type { StepContext } from './run-step.js';

/**
 * Attempts a build of `asset` gets: one, plus its `retries` (or the project's default).
 *
 * @example
 * ```ts
 * const maxAttempts = attemptsFor(asset, context); // 3 with retries: 2
 * ```
 */
export function attemptsFor(asset: AssetSpec, context: Pick<StepContext, 'project'>): number {
  return 1 + (asset.retries ?? context.project.defaults.retries);
}

/**
 * True for errors another attempt cannot fix: the project itself is wrong.
 *
 * @example
 * ```ts
 * isPermanent(new WeirError('SQL_SYNTAX', '...')); // true
 * ```
 */
export function isPermanent(error: unknown): boolean {
  return isWeirError(error) && ['SQL_SYNTAX', 'CONFIG_INVALID', 'ASSET_UNKNOWN'].includes(error.code);
}

/**
 * Records `step_retrying` for a failed `attempt` and waits the backoff (doubling each attempt,
 * with jitter). False when the run was cancelled while waiting: the step is then recorded
 * cancelled and must not be tried again.
 *
 * @example
 * ```ts
 * if (attempt < maxAttempts && !isPermanent(error)) {
 *   if (!(await waitBeforeRetry(context, base, attempt, error))) return 'cancelled';
 *   attempt += 1;
 * }
 * ```
 */
export async function waitBeforeRetry(context: StepContext, base: { runId: string; asset: string }, attempt: number, error: unknown): Promise<boolean> {
  const delayMs = Math.round(context.retryDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
  await context.emit([{ type: 'step_retrying', at: eventTime(), ...base, attempt, delayMs, error: recordError(error) }]);
  try {
    await sleep(delayMs, undefined, { signal: context.signal });
    return true;
  } catch {
    await context.emit([{ type: 'step_cancelled', at: eventTime(), ...base }]);
    return false;
  }
}
