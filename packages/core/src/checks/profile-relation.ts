/**
 * Profiling a relation in a sample, one aggregate scan and, when they help, two narrow queries:
 *
 * 1. a random sample spread over the whole relation however its rows are ordered (DuckDB: rows
 *    whose row id hashes below the rate, or a coin per row of a view; PostgreSQL: TABLESAMPLE
 *    BERNOULLI). Value counts, text patterns, string lengths, standard deviations and
 *    distinct-value estimates (PostgreSQL's own estimator, see `sample-statistics.ts`) come from it;
 * 2. text columns the sample shows to have few values get every value counted exactly
 *    (`profile-value-counts.ts`), which also gives their nulls, min and max;
 * 3. one aggregate scan of the other columns for what must be exact: rows, nulls, min and max,
 *    the sum behind the mean, true values (and negatives on PostgreSQL);
 * 4. on DuckDB, negative values counted only in numeric columns whose minimum is below zero.
 *
 * A relation no bigger than the sample is read whole instead, and everything about it is exact.
 *
 * Measured on 10M rows x 10 columns (DuckDB file, 2 cores), against one bare full-width scan (min
 * of every column): the sample ~0.55x, the value counts ~0.2x, the aggregate scan ~1.2x. On
 * PostgreSQL (2M rows): ~0.3x, ~1.1x and ~1.3x. Left out of the scan on purpose, each measured:
 * DuckDB's approx_count_distinct (~0.4x per column: four scans for ten columns), standard
 * deviations (+0.5x for four numeric columns; from the sample instead, within about 1% for 10,000
 * rows), string lengths (+0.6x; from the sample, and `length` suggestions are confirmed on the
 * whole relation), sample lists collected inside the scan (list() FILTER: 4.9x in all), and block
 * sampling (USING SAMPLE system, TABLESAMPLE SYSTEM), whose runs of consecutive rows made a
 * 100,000-value column of an ordered table read as 10,000,000 distinct values.
 */
import type { ColumnInfo, EngineSession, Row } from '../engines/engine-adapter.js';
import type { QuoteIdentifier } from './check-dialect.js';
import { columnCategory, isNumeric, isOrdered, type ColumnCategory } from './column-category.js';
import { detectPatterns, type DetectedPattern } from './detect-patterns.js';
import { profileDialectFor, type ProfileDialect } from './profile-dialect.js';
import { countFewValues } from './profile-value-counts.js';
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
  /**
   * The exact counts of few-valued columns are given up when their query returns more rows than
   * this (the sample missed most of a column's values); those columns are then measured like any
   * other (default 100,000).
   */
  fewValueRowLimit?: number;
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
  /** Numbers only (null otherwise): mean, sample standard deviation (of the sample, when the relation was sampled), count of values below zero. */
  mean: number | null;
  stddev: number | null;
  negatives: number | null;
  /** Booleans only: count of true values. */
  trues: number | null;
  /** Text only: lengths in characters of the non-null values (of the sample, when the relation was sampled). */
  length: { min: number; max: number; mean: number } | null;
  values: ColumnValues;
  /** Text only: patterns at least half of the sampled non-null values match (see `detect-patterns.ts`). */
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
export const PROFILE_DEFAULTS: Required<ProfileOptions> = { sampleSize: 10_000, topValues: 5, fewValues: 20, fewValueRowLimit: 100_000 };

interface ColumnPlan {
  info: ColumnInfo;
  /** Position among the relation's columns: names the column's aggregates in the scan. */
  index: number;
  category: ColumnCategory;
  sampleCounts: ValueCount[];
  sampledValues: number;
}

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
  const { sampleRows, whole } = await readSample(target, dialect, settings.sampleSize);
  const plans: ColumnPlan[] = target.columns.map((info, index) => {
    const sampleCounts = countValues(sampleRows.map((row) => row[info.name]));
    const category = columnCategory(info.type);
    const sampledValues = sampleCounts.reduce((sum, entry) => sum + entry.count, 0);
    return { info, index, category, sampleCounts, sampledValues };
  });
  const few = whole
    ? []
    : plans.filter((plan) => plan.category === 'string' && plan.sampleCounts.length > 0 && plan.sampleCounts.length <= settings.fewValues && plan.sampledValues >= 2 * plan.sampleCounts.length);
  const exact = await countFewValues(
    target,
    dialect,
    few.map((plan) => ({ name: plan.info.name, sampledDistinct: plan.sampleCounts.length })),
    settings.fewValueRowLimit,
  );
  const scanned = plans.filter((plan) => !exact.has(plan.info.name));
  const scan = await aggregateScan(target, dialect, scanned);
  const rows = Number(scan.__rows ?? 0);
  const stat = (plan: ColumnPlan, name: string): unknown => scan[`${name}_${plan.index}`] ?? null;
  const negatives = await countNegatives(target, dialect, scanned, stat);
  const complete = whole && sampleRows.length === rows;

  const columns = plans.map((plan): ColumnProfile => {
    const counted = exact.get(plan.info.name);
    const nonNull = counted ? rows - counted.nulls : Number(stat(plan, 'n'));
    const texts = plan.category === 'string' ? plan.sampleCounts.flatMap((entry) => Array<string>(entry.count).fill(String(entry.value))) : [];
    return {
      name: plan.info.name,
      type: plan.info.type,
      category: plan.category,
      nulls: rows - nonNull,
      nullShare: rows === 0 ? 0 : (rows - nonNull) / rows,
      ...valuesOf(plan, counted?.counts, nonNull, complete, settings),
      min: counted ? counted.min : isOrdered(plan.category) ? stat(plan, 'mn') : null,
      max: counted ? counted.max : isOrdered(plan.category) ? stat(plan, 'mx') : null,
      mean: isNumeric(plan.category) && nonNull > 0 ? Number(stat(plan, 'sum')) / nonNull : null,
      stddev: isNumeric(plan.category) ? standardDeviation(plan.sampleCounts) : null,
      negatives: isNumeric(plan.category) ? (negatives.get(plan.index) ?? 0) : null,
      trues: plan.category === 'boolean' ? Number(stat(plan, 't')) : null,
      length: lengths(texts),
      patterns: detectPatterns(texts),
      sampledValues: plan.sampledValues,
    };
  });
  return { rows, sample: { rows: sampleRows.length, complete }, columns };
}

/** The whole relation when it has at most `size` rows; otherwise a random sample of about `size` rows. */
async function readSample(target: ProfileTarget, dialect: ProfileDialect, size: number): Promise<{ sampleRows: Row[]; whole: boolean }> {
  if (target.columns.length === 0) return { sampleRows: [], whole: true };
  const list = target.columns.map((column) => target.quoteIdentifier(column.name)).join(', ');
  const inspected = await dialect.inspect(target.session, target.relation);
  let rows = inspected.rows;
  if (rows <= size) {
    // One row more than allowed tells a small relation from a stale estimate.
    const all = await target.session.query(`SELECT ${list} FROM ${target.relation} LIMIT ${size + 1}`);
    if (all.length <= size) return { sampleRows: all, whole: true };
    rows = Number((await target.session.query(`SELECT count(*) AS n FROM ${target.relation}`))[0]?.n ?? 0);
  }
  return { sampleRows: await target.session.query(`SELECT ${list} FROM ${dialect.sampleFrom(target.relation, size / rows, inspected.table)}`), whole: false };
}

/** The row count and, for each of `plans`, everything exact in one scan: non-null values, min and max, the sum of numbers (negatives too where the dialect counts them here), true values. */
async function aggregateScan(target: ProfileTarget, dialect: ProfileDialect, plans: readonly ColumnPlan[]): Promise<Row> {
  const q = target.quoteIdentifier;
  const selects = [`count(*) AS ${q('__rows')}`];
  for (const { info, index, category } of plans) {
    const column = q(info.name);
    const add = (name: string, sql: string): number => selects.push(`${sql} AS ${q(`${name}_${index}`)}`);
    add('n', `count(${column})`);
    if (isOrdered(category)) {
      const ordered = category === 'string' ? dialect.binaryOrder(column) : column;
      add('mn', `min(${ordered})`);
      add('mx', `max(${ordered})`);
    }
    // A sum of doubles, not avg(): PostgreSQL averages integers in exact numeric arithmetic, measured dearer.
    if (isNumeric(category)) add('sum', `sum(${dialect.toDouble(column)})`);
    if (isNumeric(category) && dialect.negativesInScan) add('neg', `count(*) FILTER (WHERE ${column} < 0)`);
    if (category === 'boolean') add('t', `count(*) FILTER (WHERE ${column})`);
  }
  const [row] = await target.session.query(`SELECT ${selects.join(', ')} FROM ${target.relation}`);
  return row ?? {};
}

/**
 * Negative values per numeric column (by plan index): from the aggregate scan, or, where the
 * dialect leaves them out of it, 0 for a column whose minimum is not below zero and a count for
 * the others, all in one query.
 */
async function countNegatives(
  target: ProfileTarget,
  dialect: ProfileDialect,
  plans: readonly ColumnPlan[],
  stat: (plan: ColumnPlan, name: string) => unknown,
): Promise<Map<number, number>> {
  const numeric = plans.filter((plan) => isNumeric(plan.category));
  if (dialect.negativesInScan) return new Map(numeric.map((plan) => [plan.index, Number(stat(plan, 'neg'))]));
  const below = numeric.filter((plan) => stat(plan, 'mn') !== null && Number(stat(plan, 'mn')) < 0);
  const counts = new Map<number, number>(numeric.map((plan) => [plan.index, 0]));
  if (below.length === 0) return counts;
  const q = target.quoteIdentifier;
  const selects = below.map((plan) => `count(*) FILTER (WHERE ${q(plan.info.name)} < 0) AS ${q(`neg_${plan.index}`)}`);
  const [row] = await target.session.query(`SELECT ${selects.join(', ')} FROM ${target.relation}`);
  for (const plan of below) counts.set(plan.index, Number(row?.[`neg_${plan.index}`] ?? 0));
  return counts;
}

/** The sample standard deviation (n - 1) of numeric values given with their counts; null below two values. */
function standardDeviation(counts: readonly ValueCount[]): number | null {
  let [n, mean, squares] = [0, 0, 0];
  for (const { value, count } of counts) {
    const x = Number(value);
    if (!Number.isFinite(x)) continue;
    // Welford's update, once per distinct value with its weight: stable for large, close values.
    const total = n + count;
    const delta = x - mean;
    mean += (delta * count) / total;
    squares += delta * (x - mean) * count;
    n = total;
  }
  return n < 2 ? null : Math.sqrt(squares / (n - 1));
}

/** Lengths in characters (code points) of text values; null when there are none. */
function lengths(texts: readonly string[]): ColumnProfile['length'] {
  if (texts.length === 0) return null;
  let [min, max, sum] = [Infinity, 0, 0];
  for (const text of texts) {
    const length = [...text].length;
    min = Math.min(min, length);
    max = Math.max(max, length);
    sum += length;
  }
  return { min, max, mean: sum / texts.length };
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

