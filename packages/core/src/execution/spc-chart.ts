/**
 * The control chart of a recorded metric series (`weir spc show`, the UI) and the deliberate
 * rebaseline of one (`weir spc rebaseline`): the bridge from the state store's metric history to
 * the pure chart math in `checks/spc/`, judged with the same settings the builds use.
 */
import { buildControlChart } from '../checks/spc/control-chart.js';
import type { SpcConfig } from '../checks/spc/spc-config.js';
import type { SpcChart } from '../checks/spc/spc-types.js';
import type { SpcCheck } from '../definitions/check-spec.js';
import { ASSET_METRICS, COLUMN_METRICS, isKnownMetric } from '../definitions/metric-names.js';
import { closestName, didYouMean } from '../errors/closest-name.js';
import { WeirError } from '../errors/weir-error.js';
import { eventTime, type SpcRebaselinedEvent } from '../events/weir-event.js';
import type { Project } from '../project/project-model.js';
import type { MetricSeriesKey, StateStore } from '../storage/state-store.js';
import { spcConfigOf } from './spc-judge.js';

/** The part of the state store a chart reads. */
export type SpcChartStore = Pick<StateStore, 'metricSeries' | 'spcRebaselines' | 'latestMetrics'>;

/**
 * Who watches a series on builds: a `spc` check declared on the asset, one of the default monitors
 * (`monitor_row_count`, `monitor_freshness_lag_hours`, at warn), or nobody (the chart is then drawn
 * with the built-in defaults of the metric's kind, and no build ever flags it).
 */
export type SpcWatcher = 'check' | 'default_monitor' | 'none';

/** A chart with what a person needs to read it. */
export interface SpcSeriesView {
  asset: string;
  metric: string;
  column?: string;
  /** The check whose settings judge the series: the declared one, or an implicit one at warn. */
  check: SpcCheck;
  watchedBy: SpcWatcher;
  /** Times of the deliberate rebaselines, oldest first. */
  rebaselines: string[];
  chart: SpcChart;
}

/** Which check judges a series, and its complete settings. */
export interface ResolvedSpcSeries {
  check: SpcCheck;
  watchedBy: SpcWatcher;
  config: SpcConfig;
}

/** What {@link rebaselineSpc} records. */
export interface SpcRebaselineRequest {
  asset: string;
  metric: string;
  column?: string;
  /** Who asked for it (a user name); recorded, never used for anything else. */
  actor?: string;
  reason?: string;
}

/**
 * The control chart of one recorded metric series of `asset`, with every point carrying the
 * verdict its build gave (recorded anomalies and rebaselines respected). The settings are those of
 * the asset's `spc` check on that metric when it declares one, else the built-in monitor defaults.
 * Throws `ASSET_UNKNOWN` (with a suggestion), `CONFIG_INVALID` for a metric Weir does not record
 * (naming the metrics it does), and `USAGE` when the series has no recorded values yet: an empty
 * chart would look like data.
 *
 * @example
 * ```ts
 * const chart = await spcChartFor(store, project, 'orders', 'null_rate', 'email');
 * chart.status; // 'in_control'
 * chart.violations.map((violation) => violation.message);
 * ```
 */
export async function spcChartFor(store: SpcChartStore, project: Project, asset: string, metric: string, column?: string): Promise<SpcChart> {
  return (await spcSeriesFor(store, project, { asset, metric, ...(column === undefined ? {} : { column }) })).chart;
}

/**
 * {@link spcChartFor} with the context a terminal view shows: which check judges the series and
 * when it was rebaselined. `series.partition` charts one partition's points (the API's
 * `?partition=`); without it, the points measured on the whole asset.
 *
 * @example
 * ```ts
 * const { chart, watchedBy, check, rebaselines } = await spcSeriesFor(store, project, { asset: 'orders', metric: 'row_count' });
 * ```
 */
export async function spcSeriesFor(store: SpcChartStore, project: Project, series: MetricSeriesKey & { partition?: string }): Promise<SpcSeriesView> {
  const { check, watchedBy, config } = await resolveRecordedSeries(store, project, series);
  const key = seriesKey(series);
  // One partition's points form their own series (never mixed with the whole asset's); rebaselines are per series key.
  const query = series.partition === undefined ? key : { ...key, partition: series.partition };
  const [points, rebaselines] = await Promise.all([store.metricSeries(query), store.spcRebaselines(key)]);
  const known = points.filter((point): point is typeof point & { value: number } => point.value !== null);
  if (known.length === 0) throw await noValues(store, series, points.length);
  const chart = buildControlChart({
    metric: seriesLabel(series),
    points: known.map((point) => ({ at: point.at, value: point.value, ...(point.runId === null ? {} : { runId: point.runId }) })),
    rebaselines,
    anomalies: known.filter((point) => point.anomalous).map((point) => point.at),
    config,
  });
  return { ...key, check, watchedBy, rebaselines, chart };
}

/**
 * Records a deliberate rebaseline of one series: points measured from now on learn new control
 * limits (judging starts again after `minPoints` of them); the points before keep the verdicts
 * they were given. Validated like {@link spcChartFor}: a series with no recorded values has no
 * limits to set aside, so it is refused.
 *
 * @example
 * ```ts
 * const event = await rebaselineSpc(store, project, { asset: 'orders', metric: 'row_count', actor: 'alice', reason: 'new upstream feed doubles volume' });
 * event.at; // the marker: points at or after it form the new baseline
 * ```
 */
export async function rebaselineSpc(store: SpcChartStore & Pick<StateStore, 'append'>, project: Project, request: SpcRebaselineRequest): Promise<SpcRebaselinedEvent> {
  const series = { asset: request.asset, metric: request.metric, ...(request.column === undefined ? {} : { column: request.column }) };
  await resolveRecordedSeries(store, project, series);
  const key = seriesKey(series);
  const points = await store.metricSeries(key);
  if (!points.some((point) => point.value !== null)) throw await noValues(store, series, points.length);
  const event: SpcRebaselinedEvent = {
    type: 'spc_rebaselined',
    at: eventTime(),
    ...key,
    ...(request.actor === undefined || request.actor === '' ? {} : { actor: request.actor }),
    ...(request.reason === undefined || request.reason === '' ? {} : { reason: request.reason }),
  };
  await store.append([event]);
  return event;
}

/**
 * Checks that `series` names an asset of the project and a metric Weir records, and finds the
 * check whose settings judge it (with those settings, complete). Throws `ASSET_UNKNOWN` or `CONFIG_INVALID` with a suggestion.
 *
 * @example
 * ```ts
 * resolveSpcSeries(project, { asset: 'orders', metric: 'row_count' }).watchedBy; // 'default_monitor'
 * ```
 */
export function resolveSpcSeries(project: Project, series: MetricSeriesKey): ResolvedSpcSeries {
  const asset = project.assets.get(series.asset);
  if (asset === undefined) {
    const hint = didYouMean(series.asset, project.assets.keys());
    throw new WeirError('ASSET_UNKNOWN', `no asset "${series.asset}" in this project`, hint ? { hint } : {});
  }
  validateMetric(series.metric, series.column);
  const declared = asset.checks.find((check): check is SpcCheck => check.type === 'spc' && check.metric === series.metric && check.column === series.column);
  if (declared) return { check: declared, watchedBy: 'check', config: spcConfigOf(declared) };
  const column = series.column === undefined ? {} : { column: series.column };
  const implicit: SpcCheck = { type: 'spc', name: `monitor_${series.metric}`, metric: series.metric, ...column, severity: 'warn' };
  const monitored = series.column === undefined && (series.metric === 'row_count' || series.metric === 'freshness_lag_hours');
  return { check: implicit, watchedBy: monitored ? 'default_monitor' : 'none', config: spcConfigOf(implicit) };
}

/** The name of a series in messages and on the chart, as builds write it: `row_count`, `null_rate(email)`. */
export function seriesLabel(series: MetricSeriesKey): string {
  return series.column === undefined ? series.metric : `${series.metric}(${series.column})`;
}

/** {@link resolveSpcSeries}, naming the recorded columns when a column metric lacks its column. */
async function resolveRecordedSeries(store: SpcChartStore, project: Project, series: MetricSeriesKey): Promise<ResolvedSpcSeries> {
  try {
    return resolveSpcSeries(project, series);
  } catch (error) {
    if (!(error instanceof WeirError) || error.code !== 'CONFIG_INVALID' || series.column !== undefined || !(COLUMN_METRICS as readonly string[]).includes(series.metric)) throw error;
    const columns = (await store.latestMetrics(series.asset)).filter((one) => one.metric === series.metric && one.column !== undefined).map((one) => one.column as string);
    if (columns.length === 0) throw error;
    throw new WeirError('CONFIG_INVALID', `${error.message} (${series.asset} records it for ${[...new Set(columns)].join(', ')})`);
  }
}

function validateMetric(metric: string, column: string | undefined): void {
  if (isKnownMetric(metric, column)) return;
  const assetMetrics = ASSET_METRICS as readonly string[];
  const columnMetrics = COLUMN_METRICS as readonly string[];
  if (column !== undefined && assetMetrics.includes(metric)) {
    throw new WeirError('CONFIG_INVALID', `${metric} is measured on the whole asset, not per column (drop the column "${column}")`);
  }
  if (column === undefined && columnMetrics.includes(metric)) {
    throw new WeirError('CONFIG_INVALID', `${metric} is measured per column: name the column it is measured on`);
  }
  const suggestion = closestName(metric, [...assetMetrics, ...columnMetrics]);
  throw new WeirError('CONFIG_INVALID', `unknown metric "${metric}": Weir records ${assetMetrics.join(', ')} per asset and ${columnMetrics.join(', ')} per column`, {
    ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
  });
}

/** The error for a series with no value to chart, saying why when it can tell. */
async function noValues(store: SpcChartStore, series: MetricSeriesKey, recordedPoints: number): Promise<WeirError> {
  const label = `${seriesLabel(series)} of ${series.asset}`;
  if (recordedPoints > 0) {
    return new WeirError('USAGE', `${label} has ${recordedPoints} recorded point(s), none with a value (an empty table has no ${series.metric}): there is nothing to chart yet`);
  }
  const latest = await store.latestMetrics(series.asset);
  if (latest.length === 0) {
    return new WeirError('USAGE', `${series.asset} has no recorded metrics yet: each build of a table records them (a view without checks measures nothing)`, {
      hint: `build it with: weir run --select ${series.asset}`,
    });
  }
  if (series.column !== undefined) {
    const columns = [...new Set(latest.filter((one) => one.metric === series.metric && one.column !== undefined).map((one) => one.column as string))];
    const hint = didYouMean(series.column, columns);
    return new WeirError('USAGE', `no recorded ${label}: ${series.metric} is recorded for the column(s) ${columns.join(', ') || '(none)'}`, hint ? { hint } : {});
  }
  const why = series.metric === 'freshness_lag_hours' ? ' (freshness is measured only on assets with a date or timestamp column)' : '';
  return new WeirError('USAGE', `no recorded ${label}${why}`);
}

function seriesKey(series: MetricSeriesKey): MetricSeriesKey {
  return { asset: series.asset, metric: series.metric, ...(series.column === undefined ? {} : { column: series.column }) };
}
