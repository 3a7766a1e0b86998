/**
 * The metrics every build measures, computed in the same scan as the checks so that they cost no
 * extra pass over the data: per column the null rate, min and max, mean and stddev (numbers),
 * lengths (text), and an approximate distinct rate for the columns an spc check watches it on. They are
 * recorded as events and form the series that SPC watches.
 */
import type { ColumnInfo } from '../engines/engine-adapter.js';
import type { CheckDialect } from './check-dialect.js';
import { isNumericFamily, typeFamily } from './type-family.js';

/** One metric to measure in the main scan. */
export interface MetricRequest {
  metric: string;
  column?: string;
  /** An aggregate over the relation. */
  sql: string;
}

/**
 * The column metrics to measure for a relation with `columns`, plus the freshness lag of
 * `freshnessColumn` when the asset has one.
 *
 * @example
 * ```ts
 * const requests = columnMetricRequests([{ name: 'amount', type: 'DOUBLE', nullable: true }], dialect);
 * // null_rate, min, max, mean, stddev of amount
 * ```
 */
export function columnMetricRequests(
  columns: readonly ColumnInfo[],
  dialect: CheckDialect,
  freshnessColumn?: string,
  distinctRateColumns: ReadonlySet<string> = new Set(),
): MetricRequest[] {
  const requests: MetricRequest[] = [];
  const rows = 'NULLIF(count(*), 0)';
  for (const column of columns) {
    const family = typeFamily(column.type);
    const name = column.name;
    const quoted = dialect.quote(name);
    requests.push({ metric: 'null_rate', column: name, sql: `${dialect.asDouble(`count(*) - count(${quoted})`)} / ${rows}` });
    // A distinct rate costs more than every other metric together (a sketch per column,
    // measured in bench/check-suite.js): measured only for the columns an spc check watches it on.
    const approx = distinctRateColumns.has(name) ? dialect.approxDistinct(quoted) : undefined;
    if (approx !== undefined && family !== 'other' && family !== 'json' && family !== 'binary') {
      requests.push({ metric: 'distinct_rate', column: name, sql: `${dialect.asDouble(approx)} / NULLIF(count(${quoted}), 0)` });
    }
    if (isNumericFamily(family)) {
      requests.push({ metric: 'min', column: name, sql: dialect.asDouble(`min(${quoted})`) });
      requests.push({ metric: 'max', column: name, sql: dialect.asDouble(`max(${quoted})`) });
      requests.push({ metric: 'mean', column: name, sql: `avg(${dialect.asDouble(quoted)})` });
      requests.push({ metric: 'stddev', column: name, sql: `stddev_samp(${dialect.asDouble(quoted)})` });
    } else if (family === 'date' || family === 'timestamp') {
      requests.push({ metric: 'min', column: name, sql: dialect.epochSeconds(`min(${quoted})`) });
      requests.push({ metric: 'max', column: name, sql: dialect.epochSeconds(`max(${quoted})`) });
    } else if (family === 'text') {
      const length = dialect.textLength(quoted);
      requests.push({ metric: 'min_length', column: name, sql: `min(${length})` });
      requests.push({ metric: 'max_length', column: name, sql: `max(${length})` });
      requests.push({ metric: 'mean_length', column: name, sql: `avg(${length})` });
    }
  }
  if (freshnessColumn !== undefined) {
    requests.push({ metric: 'freshness_lag_hours', sql: `${dialect.epochSeconds(`max(${dialect.quote(freshnessColumn)})`)}` });
  }
  return requests;
}

/** The timestamp column whose newest value measures an asset's freshness: the first date or timestamp column. */
export function defaultFreshnessColumn(columns: readonly ColumnInfo[]): string | undefined {
  return columns.find((column) => typeFamily(column.type) === 'timestamp')?.name ?? columns.find((column) => typeFamily(column.type) === 'date')?.name;
}
