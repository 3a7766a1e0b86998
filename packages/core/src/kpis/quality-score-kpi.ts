/**
 * Data quality score: the severity-weighted share of check evaluations that passed. An
 * error-severity check weighs 2 (failing it blocks publication), a warn-severity check 1 (it only
 * flags), so score = sum(weight x passed) / sum(weight). Every `check_evaluated` of the
 * environment's runs counts, on the day it was evaluated.
 */
import type { KpiValue } from '../api/kpi-types.js';
import { foldByDay } from './fold-by-day.js';
import type { KpiHistory } from './kpi-history.js';
import type { KpiWindow } from './kpi-window.js';

/** The weight of a check evaluation by its severity. */
export const CHECK_WEIGHTS: Readonly<Record<'error' | 'warn', number>> = { error: 2, warn: 1 };

/**
 * The quality score KPI, a ratio from 0 to 1.
 *
 * @example
 * ```ts
 * const kpi = qualityScoreKpi(history, kpiWindow(new Date(), 30));
 * ```
 */
export function qualityScoreKpi(history: KpiHistory, window: KpiWindow): KpiValue {
  const samples = history.runs.flatMap(({ checks }) => checks.map((check) => ({ at: Date.parse(check.evaluatedAt), sample: { weight: CHECK_WEIGHTS[check.severity], passed: check.passed } })));
  return foldByDay(window, samples, (evaluations) => {
    const total = evaluations.reduce((sum, { weight }) => sum + weight, 0);
    return total === 0 ? null : evaluations.reduce((sum, { weight, passed }) => sum + (passed ? weight : 0), 0) / total;
  });
}
