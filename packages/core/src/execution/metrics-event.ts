/** The `metrics_measured` record of one build: its metrics, with the points SPC judged anomalous marked. */
import type { CheckEvaluation } from '../checks/evaluate-checks.js';
import type { MetricsMeasuredEvent } from '../events/weir-event.js';

/**
 * The metrics event of a build. A metric whose spc check failed is marked anomalous, so it never
 * joins a later baseline; `build_seconds` is added here when the checks did not already judge it.
 *
 * @example
 * ```ts
 * events.push(metricsEvent(evaluation, { at, runId, asset: 'orders', version, buildSeconds: 1.2 }));
 * ```
 */
export function metricsEvent(
  evaluation: CheckEvaluation,
  base: { at: string; runId: string; asset: string; version: string; buildSeconds: number },
): MetricsMeasuredEvent {
  const anomalous = new Set(
    evaluation.outcomes.filter((outcome) => outcome.check.type === 'spc' && !outcome.passed).map((outcome) => (outcome.check.type === 'spc' ? key(outcome.check.metric, outcome.check.column) : '')),
  );
  const measured = evaluation.metrics.some((metric) => metric.metric === 'build_seconds');
  const metrics = [...evaluation.metrics, ...(measured ? [] : [{ metric: 'build_seconds', value: base.buildSeconds }])].map((metric) => ({
    ...metric,
    ...(anomalous.has(key(metric.metric, metric.column)) ? { anomalous: true } : {}),
  }));
  return { type: 'metrics_measured', at: base.at, runId: base.runId, asset: base.asset, version: base.version, metrics };
}

function key(metric: string, column: string | undefined): string {
  return column === undefined ? metric : `${metric}\u0000${column}`;
}
