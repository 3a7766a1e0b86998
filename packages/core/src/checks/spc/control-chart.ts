/**
 * The whole control chart of one metric: what the UI draws and `weir spc show --json` prints.
 */
import { WEEKDAY_NAMES } from './day-of-week.js';
import { prepareSeries, type PreparedPoint } from './prepare-series.js';
import { replaySeries, type ReplayedPoint, type ReplayedSeries } from './replay-series.js';
import type { SpcChart, SpcChartPoint, SpcLimits, SpcSeasonLimits, SpcSeriesInput, SpcStatus, SpcViolation } from './spc-types.js';

/**
 * Builds the control chart of `input.points`. Every point carries the judgement it received when
 * it was the newest (so the chart agrees with the alerts of past builds); the top-level limits are
 * those the next point will be judged against. After a rebaseline marker with no points after it
 * yet, the chart is `learning` with no limits.
 *
 * @example
 * ```ts
 * const chart = buildControlChart({
 *   metric: 'row_count',
 *   points: [{ at: '2024-01-01T06:00:00Z', value: 100_412 }, ...],
 *   rebaselines: [],
 *   anomalies: [],
 *   config: monitorSpcConfig('volume'),
 * });
 * chart.status; // 'in_control'
 * chart.violations.map((v) => v.message);
 * ```
 */
export function buildControlChart(input: SpcSeriesInput): SpcChart {
  const { points, currentPeriod } = prepareSeries(input);
  const groups = new Map<string, PreparedPoint[]>();
  for (const point of points) {
    const key = seriesKey(point.period, point.weekday);
    const group = groups.get(key);
    if (group) group.push(point);
    else groups.set(key, [point]);
  }
  const replays = new Map<string, ReplayedSeries>();
  const byPoint = new Map<PreparedPoint, ReplayedPoint>();
  for (const [key, group] of groups) {
    const replay = replaySeries(input.metric, group, input.config, 'all');
    replays.set(key, replay);
    for (const replayed of replay.points) byPoint.set(replayed.point, replayed);
  }

  const chartPoints: SpcChartPoint[] = [];
  const violations: SpcViolation[] = [];
  for (const point of points) {
    const replayed = byPoint.get(point) as ReplayedPoint;
    chartPoints.push(toChartPoint(replayed));
    violations.push(...replayed.violations);
  }

  const newest = points[points.length - 1];
  const inCurrentPeriod = newest !== undefined && newest.period === currentPeriod;
  const current = inCurrentPeriod ? (replays.get(seriesKey(currentPeriod, newest.weekday))?.limits ?? null) : null;
  const newestReplayed = inCurrentPeriod ? byPoint.get(newest) : undefined;
  return {
    metric: input.metric,
    status: statusOf(newestReplayed),
    centre: current?.centre ?? null,
    upperLimit: current?.upperLimit ?? null,
    lowerLimit: current?.lowerLimit ?? null,
    sigma: current?.sigma ?? null,
    movingRangeMean: current?.movingRangeMean ?? null,
    baseline: current?.baseline ?? null,
    seasons: input.config.seasonality === 'day_of_week' ? seasonsOf(replays, currentPeriod) : null,
    points: chartPoints,
    violations,
    config: input.config,
  };
}

/** The status a point's judgement gives the chart; no point (or none since a rebaseline) is learning. */
export function statusOf(replayed: ReplayedPoint | undefined): SpcStatus {
  if (!replayed || replayed.phase === 'learning') return 'learning';
  return replayed.anomalous ? 'out_of_control' : 'in_control';
}

function toChartPoint(replayed: ReplayedPoint): SpcChartPoint {
  const { point, limits, position } = replayed;
  return {
    at: point.at,
    value: point.value,
    ...(point.runId === undefined ? {} : { runId: point.runId }),
    movingRange: replayed.movingRange,
    period: point.period,
    weekday: point.weekday,
    phase: replayed.phase,
    centre: limits?.centre ?? null,
    upperLimit: limits?.upperLimit ?? null,
    lowerLimit: limits?.lowerLimit ?? null,
    sigmas: position?.sigmas ?? null,
    zone: position?.zone ?? null,
    side: position?.side ?? null,
    inBaseline: replayed.inBaseline,
    anomalous: replayed.anomalous,
    violations: replayed.violations.map((v) => v.rule),
  };
}

function seasonsOf(replays: ReadonlyMap<string, ReplayedSeries>, period: number): SpcSeasonLimits[] {
  return WEEKDAY_NAMES.map((name, weekday) => {
    const limits: SpcLimits | null = replays.get(seriesKey(period, weekday))?.limits ?? null;
    return { weekday, name, limits };
  });
}

function seriesKey(period: number, weekday: number | null): string {
  return `${period}:${weekday ?? '-'}`;
}
