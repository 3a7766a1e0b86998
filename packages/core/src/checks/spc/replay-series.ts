/**
 * One comparison series (one baseline period, one weekday) replayed point by point, exactly as the
 * builds saw it: each point is judged against the limits built from the points before it, so the
 * chart of today agrees with the alerts raised back then.
 *
 * - Fewer than `minPoints` baseline points before it: the point is `learning`, never judged, and
 *   joins the baseline (unless it was recorded as anomalous).
 * - From `minPoints` to `baselinePoints - 1`: `provisional` limits from the baseline so far; the
 *   point joins the baseline only if it breaks no rule.
 * - Once the baseline holds `baselinePoints` points: `frozen`; nothing joins any more, so a slow
 *   drift is judged against the limits of the original baseline until someone rebaselines.
 */
import type { SpcConfig } from './spc-config.js';
import type { SpcLimits, SpcPhase, SpcViolation } from './spc-types.js';
import type { PreparedPoint } from './prepare-series.js';
import { describeViolation } from './describe-violation.js';
import { LONGEST_RULE_WINDOW, findRuleHits, positionOf, type Position } from './western-electric-rules.js';
import { computeXmrLimits } from './xmr-limits.js';

/** One point after the replay. */
export interface ReplayedPoint {
  point: PreparedPoint;
  phase: SpcPhase;
  /** The limits it was judged against; null while learning. */
  limits: SpcLimits | null;
  position: Position | null;
  /** |value - previous value of the series|; null for the first. */
  movingRange: number | null;
  inBaseline: boolean;
  anomalous: boolean;
  violations: SpcViolation[];
}

/** A replayed series and the limits the next point of it would be judged against. */
export interface ReplayedSeries {
  points: ReplayedPoint[];
  limits: SpcLimits | null;
}

/**
 * Replays `series` (time order, one period and weekday). With `judge: 'newest'` points judged
 * against frozen limits are placed but not judged, except the last: frozen points cannot change
 * the limits, and the run rules only need their places, so the newest point gets the same verdict
 * as with `judge: 'all'` at a cost bounded by `baselinePoints` instead of the history's length.
 *
 * @example
 * ```ts
 * const { points, limits } = replaySeries('row_count', prepared.points, config, 'all');
 * ```
 */
export function replaySeries(metric: string, series: readonly PreparedPoint[], config: SpcConfig, judge: 'all' | 'newest'): ReplayedSeries {
  const baseline: PreparedPoint[] = [];
  let limits: SpcLimits | null = null;
  // The points judged before the current one (learning points never count toward a run rule).
  const recent: PreparedPoint[] = [];
  const replayed: ReplayedPoint[] = [];
  for (let i = 0; i < series.length; i++) {
    const point = series[i] as PreparedPoint;
    const previous = series[i - 1];
    const movingRange = previous ? Math.abs(point.value - previous.value) : null;
    if (!limits) {
      const joins = !point.recordedAnomaly;
      if (joins) baseline.push(point);
      replayed.push({ point, phase: 'learning', limits: null, position: null, movingRange, inBaseline: joins, anomalous: point.recordedAnomaly, violations: [] });
      if (baseline.length >= config.minPoints) limits = limitsOf(baseline, config);
      continue;
    }
    const frozen = limits.baseline.frozen;
    const judged = !frozen || judge === 'all' || i === series.length - 1;
    const window = [...recent, point];
    const violations = judged
      ? findRuleHits(window.map((p) => p.value), limits, config).map((hit) => describeViolation(metric, hit, window, limits as SpcLimits))
      : [];
    const anomalous = violations.length > 0 || point.recordedAnomaly;
    const joins = !frozen && !anomalous;
    replayed.push({ point, phase: frozen ? 'frozen' : 'provisional', limits, position: positionOf(point.value, limits), movingRange, inBaseline: joins, anomalous, violations });
    if (joins) {
      baseline.push(point);
      limits = limitsOf(baseline, config);
    }
    recent.push(point);
    if (recent.length >= LONGEST_RULE_WINDOW) recent.shift();
  }
  return { points: replayed, limits };
}

function limitsOf(baseline: readonly PreparedPoint[], config: SpcConfig): SpcLimits {
  const numbers = computeXmrLimits(baseline.map((p) => p.value));
  return {
    ...numbers,
    baseline: {
      from: (baseline[0] as PreparedPoint).at,
      to: (baseline[baseline.length - 1] as PreparedPoint).at,
      points: baseline.length,
      frozen: baseline.length >= config.baselinePoints,
    },
  };
}
