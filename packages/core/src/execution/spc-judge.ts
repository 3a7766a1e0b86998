/**
 * SPC checks judged against an asset's recorded metric history: the bridge from the state store's
 * metric series (past builds) to the pure control-chart math in `checks/spc/`. Also the default
 * monitors every materialized asset gets: volume and freshness, at `warn`.
 */
import type { SpcVerdict } from '../checks/evaluate-checks.js';
import { defaultSpcConfig, monitorSpcConfig, type SpcConfig, type SpcConfigInput, type SpcMonitorKind, type SpcRule } from '../checks/spc/spc-config.js';
import { judgeNewestPoint } from '../checks/spc/judge-newest-point.js';
import type { CheckSpec, SpcCheck } from '../definitions/check-spec.js';
import type { StateStore } from '../storage/state-store.js';

/** The part of the state store SPC and cadence checks read. */
export type MetricHistory = Pick<StateStore, 'metricSeries' | 'spcRebaselines' | 'versions'>;

/** Which built-in monitor's defaults a metric takes. */
export function monitorKindOf(metric: string): SpcMonitorKind {
  if (metric === 'row_count') return 'volume';
  if (metric === 'freshness_lag_hours') return 'freshness';
  if (metric === 'null_rate' || metric === 'distinct_rate') return 'rate';
  return 'measure';
}

/**
 * The control-chart settings of an spc check: the monitor defaults of its metric, with what the
 * check sets on top.
 *
 * @example
 * ```ts
 * spcConfigOf({ type: 'spc', metric: 'row_count', rules: [1], name: 'v', severity: 'warn' }).rules; // {1: true, 2: false, 3: false, 4: false}
 * ```
 */
export function spcConfigOf(check: SpcCheck): SpcConfig {
  const input: SpcConfigInput = {};
  if (check.baselinePoints !== undefined) input.baselinePoints = check.baselinePoints;
  if (check.minPoints !== undefined) input.minPoints = check.minPoints;
  if (check.absoluteFloor !== undefined) input.absoluteFloor = check.absoluteFloor;
  if (check.relativeFloor !== undefined) input.relativeFloor = check.relativeFloor;
  if (check.seasonality !== undefined) input.seasonality = check.seasonality;
  if (check.rules !== undefined) {
    const on = new Set(check.rules);
    input.rules = Object.fromEntries(([1, 2, 3, 4] as SpcRule[]).map((rule) => [rule, on.has(rule)])) as Record<SpcRule, boolean>;
  }
  const kind = monitorKindOf(check.metric);
  return kind === 'measure' ? defaultSpcConfig(input) : monitorSpcConfig(kind, input);
}

/**
 * A judge for the spc checks of `asset`: the new value is judged as the newest point of the
 * recorded series (frozen limits, rebaselines and earlier anomalies respected). For one
 * `partition` of a partitioned asset the series is the newest value of every other partition, by
 * partition key: a day's row count is judged against the other days', not against earlier builds
 * of the same day (of which there are few).
 *
 * @example
 * ```ts
 * const judgeSpc = spcJudge(store, 'orders', new Date());
 * const verdict = await judgeSpc(check, 120_000);
 * ```
 */
export function spcJudge(history: MetricHistory, asset: string, now: Date, runId?: string, partition?: string): (check: SpcCheck, value: number | null) => Promise<SpcVerdict> {
  return async (check, value) => {
    const label = check.column === undefined ? check.metric : `${check.metric}(${check.column})`;
    if (value === null || !Number.isFinite(value)) return { passed: true, detail: `${label}: no value on this build (no rows), nothing to judge` };
    const key = { asset, metric: check.metric, ...(check.column === undefined ? {} : { column: check.column }) };
    const recorded = partition === undefined ? history.metricSeries(key) : history.metricSeries({ ...key, eachPartition: true }).then((points) => points.filter((point) => point.partition !== partition));
    const [series, rebaselines] = await Promise.all([recorded, history.spcRebaselines(key)]);
    const known = series.filter((point): point is typeof point & { value: number } => point.value !== null);
    const judgement = judgeNewestPoint({
      metric: label,
      points: [...known.map((point) => ({ at: point.at, value: point.value, ...(point.runId === null ? {} : { runId: point.runId }) })), { at: now.toISOString(), value, ...(runId === undefined ? {} : { runId }) }],
      rebaselines,
      anomalies: known.filter((point) => point.anomalous).map((point) => point.at),
      config: spcConfigOf(check),
    });
    return { passed: judgement.status !== 'out_of_control', detail: judgement.message };
  };
}

/**
 * The monitors every table-like asset gets unless its own checks watch the same metric: volume
 * (row count) always, freshness when the asset has a timestamp column; both at `warn`.
 */
export function defaultMonitors(checks: readonly CheckSpec[], hasFreshnessColumn: boolean): SpcCheck[] {
  const watched = new Set(checks.filter((check): check is SpcCheck => check.type === 'spc' && check.column === undefined).map((check) => check.metric));
  const taken = new Set(checks.map((check) => check.name));
  const monitors: SpcCheck[] = [];
  for (const metric of ['row_count', ...(hasFreshnessColumn ? ['freshness_lag_hours'] : [])]) {
    const name = `monitor_${metric}`;
    if (watched.has(metric) || taken.has(name)) continue;
    monitors.push({ type: 'spc', name, metric, severity: 'warn' });
  }
  return monitors;
}
