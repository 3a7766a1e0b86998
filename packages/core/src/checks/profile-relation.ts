/**
 * Profiling a relation: per-column statistics in one scan, plus one narrow grouping query when it
 * helps. The scan computes everything exact (rows, nulls, min and max, mean and standard
 * deviation, negative values, string lengths) and, in the same pass, collects a random sample of
 * each column's values (every row is kept with probability size/rows, so the sample is spread over
 * the whole relation however it is ordered). From the sample come the value counts, the text
 * patterns and the distinct-value estimates (PostgreSQL's own estimator, see
 * `sample-statistics.ts`). Text columns the sample shows to have few values then get every value
 * counted exactly, all of them in one GROUPING SETS query that reads only those columns. A relation
 * no bigger than the sample is read whole instead, and everything about it is exact.
 *
 * Why not DuckDB's approx_count_distinct: measured at ~0.12 s per column of 10M rows against ~0.3 s
 * for a whole full-width scan, a 10-column table would pay four scans for it, beyond the 3-scan
 * budget. Why not block sampling (USING SAMPLE ... system, TABLESAMPLE SYSTEM): it returns whole
 * runs of consecutive rows, and on a table ordered by a key every value of a run differs, which
 * made the distinct estimate of a 100,000-value column read as 10,000,000. Suggestions that need
 * an exact answer (is this column unique?) ask for it themselves, for the few columns concerned.
 */
import type { ColumnInfo, EngineSession, Row } from '../engines/engine-adapter.js';
import type { QuoteIdentifier } from './check-dialect.js';
import { columnCategory, isNumeric, isOrdered, type ColumnCategory } from './column-category.js';
import { detectPatterns, type DetectedPattern } from './detect-patterns.js';
import { profileDialectFor, type ProfileDialect } from './profile-dialect.js';
import { countValues, estimateDistinct, type ValueCount } from './sample-statistics.js';

/** The relation to profile and the engine session to do it with. */
export interface ProfileTarget {
  session: EngineSession;
  /** The adapter's `kind` ('duckdb' or 'postgres'): picks the SQL dialect. */
  kind: string;
  quoteIdentifier: QuoteIdentifier;
  /** The relation, already quoted (`engine.quoteRelation(ref)`). */
  relation: string;
  /** Its columns, as `engine.describe(ref)` reports them. */
  columns: ColumnInfo[];
}

/** Tuning of {@link profileRelation}; the defaults suit tables of any size. */
export interface ProfileOptions {
  /** Rows to sample for value counts and patterns (default 10,000); smaller relations are read whole. */
  sampleSize?: number;
  /** Most frequent values kept per column (default 5). */
  topValues?: number;
  /** A text column with at most this many distinct values has every value counted exactly (default 20). */
  fewValues?: number;
}

/** How often values occur in a column. */
export interface ColumnValues {
  /** `table`: exact counts over the whole relation; `sample`: counts within the sample. */
  source: 'table' | 'sample';
  /** True when `counts` lists every distinct non-null value of the column. */
  complete: boolean;
  /** Most frequent first. */
  counts: ValueCount[];
}

/** Statistics of one column. Values are as the engine returns them (numbers, strings, Dates). */
export interface ColumnProfile {
  name: string;
  /** The engine's type name. */
  type: string;
  category: ColumnCategory;
  nulls: number;
  /** `nulls` / rows; 0 for an empty relation. */
  nullShare: number;
  distinct: number;
  /** False when `distinct` is estimated from the sample. */
  distinctExact: boolean;
  /** Smallest and largest value, for numbers, text, dates and times; null otherwise or when every value is null. */
  min: unknown;
  max: unknown;
  /** Numbers only (null otherwise): mean, sample standard deviation, count of values below zero. */
  mean: number | null;
  stddev: number | null;
  negatives: number | null;
  /** Booleans only: count of true values. */
  trues: number | null;
  /** Text only: lengths in characters of the non-null values. */
  length: { min: number; max: number; mean: number } | null;
  values: ColumnValues;
  /** Text only: patterns at least half of the sampled values match (see `detect-patterns.ts`). */
  patterns: DetectedPattern[];
  /** Non-null values of this column in the sample: the base of the pattern shares. */
  sampledValues: number;
}

/** The profile of a relation. */
export interface RelationProfile {
  rows: number;
  /** Rows in the sample; `complete` when the sample is the whole relation (then every count is exact). */
  sample: { rows: number; complete: boolean };
  columns: ColumnProfile[];
}

/** Default {@link ProfileOptions}. */
export const PROFILE_DEFAULTS: Required<ProfileOptions> = { sampleSize: 10_000, topValues: 5, fewValues: 20 };

interface ColumnPlan {
  info: ColumnInfo;
  category: ColumnCategory;
  sampleCounts: ValueCount[];
  sampledValues: number;
}

/** The column holding the sampling coin, named so that no user column is likely to share it. */
const SAMPLED = '__weir_sampled';

/**
 * Profiles `target.relation` (see the top of this file for what it runs).
 *
 * @example
 * ```ts
 * const ref = { schema: 'weir_versions', name: 'orders__ab12cd34ef56' };
 * const session = await engine.session();
 * const profile = await profileRelation({
 *   session, kind: engine.kind, quoteIdentifier: (name) => engine.quoteIdentifier(name),
 *   relation: engine.quoteRelation(ref), columns: (await engine.describe(ref)) ?? [],
 * });
 * profile.columns.find((column) => column.name === 'status')?.values.counts; // [{ value: 'placed', count: 812 }, ...]
 * ```
 */
export async function profileRelation(target: ProfileTarget, options: ProfileOptions = {}): Promise<RelationProfile> {
  const settings = { ...PROFILE_DEFAULTS, ...options };
  const dialect = profileDialectFor(target.kind);
  const size = settings.sampleSize;
  let estimate = await dialect.rowCount(target.session, target.relation);
  const whole = estimate <= size ? await readWhole(target, size) : undefined;
  if (!whole && estimate <= size) {
    // A stale estimate (PostgreSQL's planner statistics): count, or the "sample" would be the whole table.
    estimate = Number((await target.session.query(`SELECT count(*) AS n FROM ${target.relation}`))[0]?.n ?? 0);
  }
  const rate = whole ? undefined : size / Math.max(size, estimate);
  const scan = await fusedScan(target, dialect, rate);
  const rows = Number(scan.__rows ?? 0);
  const complete = whole !== undefined && whole.length === rows;
  const plans: ColumnPlan[] = target.columns.map((info, index) => {
    const values = whole ? whole.map((row) => row[info.name]) : listOf(scan[`s_${index}`]);
    const sampleCounts = countValues(values);
    return { info, category: columnCategory(info.type), sampleCounts, sampledValues: sampleCounts.reduce((sum, entry) => sum + entry.count, 0) };
  });
  const few = complete
    ? []
    : plans.filter((plan) => plan.category === 'string' && plan.sampleCounts.length > 0 && plan.sampleCounts.length <= settings.fewValues && plan.sampledValues >= 2 * plan.sampleCounts.length);
  const exact = await countEveryValue(target, few);

  const columns = plans.map((plan, index): ColumnProfile => {
    const stat = (name: string): unknown => scan[`${name}_${index}`] ?? null;
    const nonNull = Number(stat('n'));
    const stringValues = plan.category === 'string' ? plan.sampleCounts.flatMap((entry) => Array<string>(entry.count).fill(String(entry.value))) : [];
    return {
      name: plan.info.name,
      type: plan.info.type,
      category: plan.category,
      nulls: rows - nonNull,
      nullShare: rows === 0 ? 0 : (rows - nonNull) / rows,
      ...valuesOf(plan, exact.get(plan.info.name), nonNull, complete, settings),
      min: isOrdered(plan.category) ? stat('mn') : null,
      max: isOrdered(plan.category) ? stat('mx') : null,
      mean: isNumeric(plan.category) ? numberOrNull(stat('avg')) : null,
      stddev: isNumeric(plan.category) ? numberOrNull(stat('sd')) : null,
      negatives: isNumeric(plan.category) ? Number(stat('neg')) : null,
      trues: plan.category === 'boolean' ? Number(stat('t')) : null,
      length: plan.category === 'string' && nonNull > 0 ? { min: Number(stat('lmin')), max: Number(stat('lmax')), mean: Number(stat('lavg')) } : null,
      patterns: detectPatterns(stringValues),
      sampledValues: plan.sampledValues,
    };
  });
  return { rows, sample: { rows: whole ? whole.length : Number(scan.__sampled ?? 0), complete }, columns };
}

/** The relation's rows when there are at most `size` of them (then nothing needs sampling). */
async function readWhole(target: ProfileTarget, size: number): Promise<Row[] | undefined> {
  if (target.columns.length === 0) return [];
  const list = target.columns.map((column) => target.quoteIdentifier(column.name)).join(', ');
  // One row more than allowed tells a stale estimate from a small relation.
  const rows = await target.session.query(`SELECT ${list} FROM ${target.relation} LIMIT ${size + 1}`);
  return rows.length <= size ? rows : undefined;
}

/** Everything exact, and (when `rate` is given) each column's sampled values, in one scan. */
async function fusedScan(target: ProfileTarget, dialect: ProfileDialect, rate: number | undefined): Promise<Row> {
  const q = target.quoteIdentifier;
  const selects = [`count(*) AS ${q('__rows')}`];
  if (rate !== undefined) selects.push(`count(*) FILTER (WHERE ${q(SAMPLED)}) AS ${q('__sampled')}`);
  target.columns.forEach((info, index) => {
    const category = columnCategory(info.type);
    const column = q(info.name);
    const add = (name: string, sql: string): number => selects.push(`${sql} AS ${q(`${name}_${index}`)}`);
    add('n', `count(${column})`);
    if (isOrdered(category)) {
      add('mn', `min(${column})`);
      add('mx', `max(${column})`);
    }
    if (isNumeric(category)) {
      add('avg', dialect.toDouble(`avg(${column})`));
      add('sd', dialect.toDouble(`stddev_samp(${column})`));
      add('neg', `count(*) FILTER (WHERE ${column} < 0)`);
    }
    if (category === 'boolean') add('t', `count(*) FILTER (WHERE ${column})`);
    if (category === 'string') {
      add('lmin', `min(length(${column}))`);
      add('lmax', `max(length(${column}))`);
      add('lavg', dialect.toDouble(`avg(length(${column}))`));
    }
    if (rate !== undefined) add('s', `${dialect.collect(column)} FILTER (WHERE ${q(SAMPLED)} AND ${column} IS NOT NULL)`);
  });
  // The coin is tossed once per row, in a subquery, so every column samples the same rows.
  const from = rate === undefined ? target.relation : `(SELECT *, random() < $1 AS ${q(SAMPLED)} FROM ${target.relation}) AS ${q('profiled')}`;
  const [row] = await target.session.query(`SELECT ${selects.join(', ')} FROM ${from}`, rate === undefined ? [] : [rate]);
  return row ?? {};
}

/** Every value and its count, for each of `plans` (text columns with few values), in one query reading only those columns. */
async function countEveryValue(target: ProfileTarget, plans: ColumnPlan[]): Promise<Map<string, ValueCount[]>> {
  const counts = new Map<string, ValueCount[]>(plans.map((plan) => [plan.info.name, []]));
  if (plans.length === 0) return counts;
  const q = target.quoteIdentifier;
  const columns = plans.map((plan) => q(plan.info.name));
  const rows = await target.session.query(
    `SELECT ${columns.map((column, index) => `GROUPING(${column}) AS ${q(`g_${index}`)}, ${column} AS ${q(`v_${index}`)}`).join(', ')}, count(*) AS ${q('n')}
     FROM ${target.relation} GROUP BY GROUPING SETS (${columns.map((column) => `(${column})`).join(', ')})`,
  );
  for (const row of rows) {
    const index = plans.findIndex((_plan, position) => Number(row[`g_${position}`]) === 0);
    const value = row[`v_${index}`];
    const plan = plans[index];
    if (plan && value !== null && value !== undefined) counts.get(plan.info.name)?.push({ value, count: Number(row.n) });
  }
  for (const list of counts.values()) list.sort((a, b) => b.count - a.count);
  return counts;
}

/** The value counts and distinct count of one column: exact when known, else from the sample. */
function valuesOf(
  plan: ColumnPlan,
  exact: ValueCount[] | undefined,
  nonNull: number,
  complete: boolean,
  settings: Required<ProfileOptions>,
): Pick<ColumnProfile, 'distinct' | 'distinctExact' | 'values'> {
  const known = complete ? plan.sampleCounts : exact;
  if (known) {
    const all = known.length <= settings.fewValues;
    return { distinct: known.length, distinctExact: true, values: { source: 'table', complete: all, counts: all ? known : known.slice(0, settings.topValues) } };
  }
  return {
    distinct: estimateDistinct(plan.sampleCounts, nonNull),
    distinctExact: false,
    values: { source: 'sample', complete: false, counts: plan.sampleCounts.slice(0, settings.topValues) },
  };
}

/** A collected list as the engine returns it (an array; null when no row was sampled), without nulls. */
function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value.filter((item) => item !== null && item !== undefined) : [];
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
