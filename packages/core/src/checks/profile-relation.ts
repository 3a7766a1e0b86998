/**
 * Profiling a relation: per-column statistics in few queries. One sample of rows (whole storage
 * blocks, a fraction of a scan) gives the value counts, the distinct-value estimate and the text
 * patterns; one fused aggregate scan gives what must be exact: rows, nulls, min and max, mean and
 * standard deviation, negative values, string lengths, and the exact count of every value of the
 * columns the sample shows to have few of them. Only when such a column turns out to hold values
 * the sample missed does one more small grouping query list them.
 *
 * Distinct counts of the other columns are estimated from the sample (PostgreSQL's own estimator,
 * see `sample-statistics.ts`), on both engines: an approximate distinct count per column costs
 * DuckDB about 40% of a full scan each (measured: ~0.12 s per column of 10M rows against ~0.3 s for
 * the whole scan), which would put a 10-column profile far beyond 3 scans. Suggestions that need
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
  /** Text columns with few values in the sample: their values, counted exactly in the scan. */
  countedValues?: unknown[];
}

/**
 * Profiles `target.relation`: a sample query, one fused aggregate scan, and rarely one small
 * grouping query per text column with values the sample missed.
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
  const { rows: sampleRows, complete } = await readSample(target, dialect, settings.sampleSize);
  const plans: ColumnPlan[] = target.columns.map((info) => {
    const values = sampleRows.map((row) => row[info.name]);
    const sampleCounts = countValues(values);
    const sampledValues = sampleCounts.reduce((sum, entry) => sum + entry.count, 0);
    const category = columnCategory(info.type);
    const few = category === 'string' && !complete && sampleCounts.length > 0 && sampleCounts.length <= settings.fewValues && sampledValues >= 2 * sampleCounts.length;
    return { info, category, sampleCounts, sampledValues, ...(few ? { countedValues: sampleCounts.map((entry) => entry.value) } : {}) };
  });

  const scan = await fusedScan(target, dialect, plans);
  const rows = Number(scan.__rows ?? 0);
  const columns: ColumnProfile[] = [];
  for (const [index, plan] of plans.entries()) {
    const stat = (name: string): unknown => scan[`${name}_${index}`] ?? null;
    const nonNull = Number(stat('n'));
    const values = await columnValues(target, plan, index, scan, nonNull, complete, settings);
    const stringValues = plan.category === 'string' ? plan.sampleCounts.flatMap((entry) => Array<string>(entry.count).fill(String(entry.value))) : [];
    columns.push({
      name: plan.info.name,
      type: plan.info.type,
      category: plan.category,
      nulls: rows - nonNull,
      nullShare: rows === 0 ? 0 : (rows - nonNull) / rows,
      ...values.distinct,
      min: isOrdered(plan.category) ? stat('mn') : null,
      max: isOrdered(plan.category) ? stat('mx') : null,
      mean: isNumeric(plan.category) ? numberOrNull(stat('avg')) : null,
      stddev: isNumeric(plan.category) ? numberOrNull(stat('sd')) : null,
      negatives: isNumeric(plan.category) ? Number(stat('neg')) : null,
      trues: plan.category === 'boolean' ? Number(stat('t')) : null,
      length: plan.category === 'string' && nonNull > 0 ? { min: Number(stat('lmin')), max: Number(stat('lmax')), mean: Number(stat('lavg')) } : null,
      values: values.values,
      patterns: detectPatterns(stringValues),
      sampledValues: plan.sampledValues,
    });
  }
  return { rows, sample: { rows: sampleRows.length, complete: complete && sampleRows.length === rows }, columns };
}

async function readSample(target: ProfileTarget, dialect: ProfileDialect, size: number): Promise<{ rows: Row[]; complete: boolean }> {
  const list = target.columns.map((column) => target.quoteIdentifier(column.name)).join(', ');
  if (list === '') return { rows: [], complete: true };
  const source = await dialect.sampleSource(target.session, target.relation, size);
  let rows = await target.session.query(`SELECT ${list} FROM ${source.from}`);
  if (source.sampled && rows.length === 0) {
    // Block sampling can miss every block of a small table with a stale row estimate.
    rows = await target.session.query(`SELECT ${list} FROM ${target.relation} ORDER BY random() LIMIT ${size}`);
  }
  const complete = !source.sampled && rows.length <= size;
  return { rows: rows.slice(0, size), complete };
}

/** Everything exact, in one scan: rows, non-null values, ranges, means, lengths and the counted values. */
async function fusedScan(target: ProfileTarget, dialect: ProfileDialect, plans: ColumnPlan[]): Promise<Row> {
  const q = target.quoteIdentifier;
  const params: unknown[] = [];
  const selects = [`count(*) AS ${q('__rows')}`];
  plans.forEach((plan, index) => {
    const column = q(plan.info.name);
    const add = (name: string, sql: string): number => selects.push(`${sql} AS ${q(`${name}_${index}`)}`);
    add('n', `count(${column})`);
    if (isOrdered(plan.category)) {
      add('mn', `min(${column})`);
      add('mx', `max(${column})`);
    }
    if (isNumeric(plan.category)) {
      add('avg', dialect.toDouble(`avg(${column})`));
      add('sd', dialect.toDouble(`stddev_samp(${column})`));
      add('neg', `count(*) FILTER (WHERE ${column} < 0)`);
    }
    if (plan.category === 'boolean') add('t', `count(*) FILTER (WHERE ${column})`);
    if (plan.category === 'string') {
      add('lmin', `min(length(${column}))`);
      add('lmax', `max(length(${column}))`);
      add('lavg', dialect.toDouble(`avg(length(${column}))`));
    }
    if (plan.countedValues) {
      const placeholders = plan.countedValues.map((value, position) => {
        params.push(value);
        add(`v${position}`, `count(*) FILTER (WHERE ${column} = $${params.length})`);
        return `$${params.length}`;
      });
      add('vo', `count(*) FILTER (WHERE ${column} IS NOT NULL AND ${column} NOT IN (${placeholders.join(', ')}))`);
    }
  });
  const [row] = await target.session.query(`SELECT ${selects.join(', ')} FROM ${target.relation}`, params);
  return row ?? {};
}

/** The value counts and distinct count of one column, from the sample or from the exact counts of the scan. */
async function columnValues(
  target: ProfileTarget,
  plan: ColumnPlan,
  index: number,
  scan: Row,
  nonNull: number,
  complete: boolean,
  settings: Required<ProfileOptions>,
): Promise<{ distinct: Pick<ColumnProfile, 'distinct' | 'distinctExact'>; values: ColumnValues }> {
  if (complete) {
    const all = plan.sampleCounts.length <= settings.fewValues;
    return {
      distinct: { distinct: plan.sampleCounts.length, distinctExact: true },
      values: { source: 'table', complete: all, counts: all ? plan.sampleCounts : plan.sampleCounts.slice(0, settings.topValues) },
    };
  }
  if (!plan.countedValues) {
    return {
      distinct: { distinct: estimateDistinct(plan.sampleCounts, nonNull), distinctExact: false },
      values: { source: 'sample', complete: false, counts: plan.sampleCounts.slice(0, settings.topValues) },
    };
  }
  const counts: ValueCount[] = plan.countedValues.map((value, position) => ({ value, count: Number(scan[`v${position}_${index}`] ?? 0) }));
  let allListed = true;
  if (Number(scan[`vo_${index}`] ?? 0) > 0) {
    // Values the sample missed: rare by definition, so few rows to group.
    const q = target.quoteIdentifier;
    const column = q(plan.info.name);
    const placeholders = plan.countedValues.map((_value, position) => `$${position + 1}`).join(', ');
    const extra = await target.session.query(
      `SELECT ${column} AS ${q('value')}, count(*) AS ${q('n')} FROM ${target.relation}
       WHERE ${column} IS NOT NULL AND ${column} NOT IN (${placeholders})
       GROUP BY ${column} ORDER BY count(*) DESC LIMIT ${settings.fewValues + 1}`,
      plan.countedValues,
    );
    counts.push(...extra.map((row) => ({ value: row.value, count: Number(row.n) })));
    allListed = counts.length <= settings.fewValues;
  }
  const present = counts.filter((entry) => entry.count > 0).sort((a, b) => b.count - a.count);
  return {
    distinct: allListed ? { distinct: present.length, distinctExact: true } : { distinct: Math.max(present.length, estimateDistinct(plan.sampleCounts, nonNull)), distinctExact: false },
    values: { source: 'table', complete: allListed, counts: allListed ? present : present.slice(0, settings.topValues) },
  };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
