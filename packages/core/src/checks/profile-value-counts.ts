/**
 * Exact value counts of the text columns that a profile's sample shows to have few values. The
 * counts also give those columns' nulls, minimum and maximum, so the profile's aggregate scan
 * leaves them out: measured on 10M rows, the min and max of text are the dearest part of that scan.
 *
 * Per engine (`ProfileDialect.fewValueCounting`):
 * - `grouping-sets` (DuckDB): one GROUPING SETS query, one set per column; DuckDB reads only those
 *   columns, so it costs a fraction of a full scan;
 * - `combined-group-by` (PostgreSQL): one parallel hash GROUP BY over several columns together,
 *   tallied per column here. PostgreSQL runs GROUPING SETS in one process, measured twice as slow
 *   as the combined GROUP BY, and 35 filtered counts (one per value) slower still.
 */
import type { Row } from '../engines/engine-adapter.js';
import type { ProfileDialect } from './profile-dialect.js';
import type { ProfileTarget } from './profile-relation.js';
import { valueKey, type ValueCount } from './sample-statistics.js';

/** Everything known exactly about one column from its value counts. */
export interface ExactValues {
  /** Every non-null value with its count, most frequent first. */
  counts: ValueCount[];
  nulls: number;
  /** Smallest and largest value in byte order (as DuckDB compares text, and PostgreSQL's "C" collation); null when every value is null. */
  min: string | null;
  max: string | null;
}

/** A column to count, with how many values the sample held (which bounds the combinations). */
export interface FewValuedColumn {
  name: string;
  sampledDistinct: number;
}

/** At most this many value combinations (estimated from the sample) in one combined GROUP BY. */
const MAX_COMBINATIONS = 10_000;

/**
 * Counts every value of `columns`. A query that returns more than `rowLimit` rows (the sample
 * missed most of a column's values) is given up: its columns are absent from the answer, and the
 * caller measures them as it measures any other column.
 *
 * @example
 * ```ts
 * const exact = await countFewValues(target, profileDialectFor('duckdb'), [{ name: 'status', sampledDistinct: 4 }], 100_000);
 * exact.get('status'); // { counts: [{ value: 'placed', count: 1665 }, ...], nulls: 0, min: 'delivered', max: 'shipped' }
 * ```
 */
export async function countFewValues(
  target: ProfileTarget,
  dialect: ProfileDialect,
  columns: readonly FewValuedColumn[],
  rowLimit: number,
): Promise<Map<string, ExactValues>> {
  const exact = new Map<string, ExactValues>();
  if (columns.length === 0) return exact;
  const batches = dialect.fewValueCounting === 'grouping-sets' ? [columns] : batchByCombinations(columns);
  for (const batch of batches) {
    const sql = dialect.fewValueCounting === 'grouping-sets' ? groupingSetsSql(target, batch, rowLimit) : combinedGroupBySql(target, batch, rowLimit);
    const rows = await target.session.query(sql);
    if (rows.length > rowLimit) continue;
    batch.forEach((column, index) => exact.set(column.name, tally(rows, index)));
  }
  return exact;
}

/** Columns in batches whose product of (sampled values + a null) stays within {@link MAX_COMBINATIONS}. */
function batchByCombinations(columns: readonly FewValuedColumn[]): FewValuedColumn[][] {
  const batches: FewValuedColumn[][] = [];
  let current: FewValuedColumn[] = [];
  let combinations = 1;
  for (const column of columns) {
    const values = column.sampledDistinct + 1;
    if (current.length > 0 && combinations * values > MAX_COMBINATIONS) {
      batches.push(current);
      [current, combinations] = [[], 1];
    }
    current.push(column);
    combinations *= values;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function groupingSetsSql(target: ProfileTarget, columns: readonly FewValuedColumn[], rowLimit: number): string {
  const q = target.quoteIdentifier;
  const quoted = columns.map((column) => q(column.name));
  const selects = quoted.map((column, index) => `GROUPING(${column}) AS ${q(`g_${index}`)}, ${column} AS ${q(`v_${index}`)}`);
  return `SELECT ${selects.join(', ')}, count(*) AS ${q('n')} FROM ${target.relation} GROUP BY GROUPING SETS (${quoted.map((column) => `(${column})`).join(', ')}) LIMIT ${rowLimit + 1}`;
}

function combinedGroupBySql(target: ProfileTarget, columns: readonly FewValuedColumn[], rowLimit: number): string {
  const q = target.quoteIdentifier;
  const quoted = columns.map((column) => q(column.name));
  const selects = quoted.map((column, index) => `${column} AS ${q(`v_${index}`)}`);
  return `SELECT ${selects.join(', ')}, count(*) AS ${q('n')} FROM ${target.relation} GROUP BY ${quoted.join(', ')} LIMIT ${rowLimit + 1}`;
}

/** The counts of the column at `index` of a batch: rows of a GROUPING SETS query count only where that column is grouped (`g_<index>` = 0). */
function tally(rows: readonly Row[], index: number): ExactValues {
  const byValue = new Map<string, ValueCount>();
  let nulls = 0;
  for (const row of rows) {
    const grouping = row[`g_${index}`];
    if (grouping !== undefined && Number(grouping) !== 0) continue;
    const value = row[`v_${index}`];
    const count = Number(row.n);
    if (value === null || value === undefined) {
      nulls += count;
      continue;
    }
    const key = valueKey(value);
    const entry = byValue.get(key);
    if (entry) entry.count += count;
    else byValue.set(key, { value, count });
  }
  const counts = [...byValue.values()].sort((a, b) => b.count - a.count);
  return { counts, nulls, ...byteOrderExtremes(counts.map((entry) => String(entry.value))) };
}

/** The smallest and largest text in byte (UTF-8) order, which is code point order; JavaScript's `<` compares UTF-16 units instead. */
export function byteOrderExtremes(texts: readonly string[]): { min: string | null; max: string | null } {
  let [min, max]: [Buffer | null, Buffer | null] = [null, null];
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    if (min === null || Buffer.compare(bytes, min) < 0) min = bytes;
    if (max === null || Buffer.compare(bytes, max) > 0) max = bytes;
  }
  return { min: min?.toString('utf8') ?? null, max: max?.toString('utf8') ?? null };
}
