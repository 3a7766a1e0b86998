/**
 * The names of the metrics Weir measures on every build: the series SPC checks watch. Plain data,
 * so that config validation can name them without knowing how they are measured (`checks/`).
 */

/** Metrics measured on the whole asset (the executor adds `build_seconds`). */
export const ASSET_METRICS = ['row_count', 'build_seconds', 'freshness_lag_hours'] as const;

/** Metrics measured per column. */
export const COLUMN_METRICS = ['null_rate', 'distinct_rate', 'min', 'max', 'mean', 'stddev', 'min_length', 'max_length', 'mean_length'] as const;

/**
 * True when `metric` names a metric Weir records (with `column` for column metrics).
 *
 * @example
 * ```ts
 * isKnownMetric('null_rate', 'email'); // true
 * isKnownMetric('null_rate'); // false: a column metric needs its column
 * ```
 */
export function isKnownMetric(metric: string, column?: string): boolean {
  if (column === undefined) return (ASSET_METRICS as readonly string[]).includes(metric);
  return (COLUMN_METRICS as readonly string[]).includes(metric);
}
