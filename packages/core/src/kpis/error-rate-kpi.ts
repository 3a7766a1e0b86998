/**
 * Error rate: failed and crashed runs over finished runs (cancelled ones count as finished, not
 * as errors), on the day each run ended. Beside it, the step error rate: failed steps over the
 * steps that did work (succeeded, failed or blocked). A blocked step is a quality outcome, not
 * an error: it shows in the quality score and the time to resolve.
 */
import type { ErrorRateKpi } from '../api/kpi-types.js';
import { foldByDay } from './fold-by-day.js';
import type { KpiHistory } from './kpi-history.js';
import type { KpiWindow } from './kpi-window.js';

const share = (failed: boolean[]): number | null => (failed.length === 0 ? null : failed.filter(Boolean).length / failed.length);

/**
 * The error rate KPI, a ratio from 0 to 1.
 *
 * @example
 * ```ts
 * const kpi = errorRateKpi(history, kpiWindow(new Date(), 30));
 * ```
 */
export function errorRateKpi(history: KpiHistory, window: KpiWindow): ErrorRateKpi {
  const runs = history.runs.flatMap(({ run }) => (run.endedAt === null ? [] : [{ at: Date.parse(run.endedAt), sample: run.status === 'failed' || run.status === 'crashed' }]));
  const steps = history.runs.flatMap(({ steps: list }) =>
    list.flatMap((step) => (step.endedAt !== null && (step.status === 'succeeded' || step.status === 'failed' || step.status === 'blocked') ? [{ at: Date.parse(step.endedAt), sample: step.status === 'failed' }] : [])),
  );
  const byRun = foldByDay(window, runs, share);
  const bySteps = foldByDay(window, steps, share);
  const inWindow = (at: number): boolean => at >= window.from && at < window.to;
  return {
    ...byRun,
    failedRuns: runs.filter((run) => inWindow(run.at) && run.sample).length,
    finishedRuns: byRun.samples,
    stepErrorRate: bySteps.value,
    failedSteps: steps.filter((step) => inWindow(step.at) && step.sample).length,
    steps: bySteps.samples,
  };
}
