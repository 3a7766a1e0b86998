/**
 * The SQL that profiling and check suggestion write differently per engine, in one small object
 * per engine chosen by the adapter's `kind`. Everything else they write is SQL both engines run
 * as it is (aggregates with FILTER, count(DISTINCT), GROUP BY, bound `$n` parameters).
 */
import type { EngineSession } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import type { ParseTarget } from './detect-patterns.js';

/** The per-engine differences of profiling. */
export interface ProfileDialect {
  readonly kind: 'duckdb' | 'postgres';
  /** `expression` as a double-precision float (PostgreSQL's numeric averages would arrive as exact decimals). */
  toDouble(expression: string): string;
  /**
   * The relation's row count, exact or as the engine estimates it (enough to choose a sampling
   * rate), and whether it is a table. Cheap: DuckDB answers count(*) on a table from metadata,
   * PostgreSQL keeps an estimate.
   */
  inspect(session: EngineSession, relationSql: string): Promise<{ rows: number; table: boolean }>;
  /**
   * What follows `SELECT <columns> FROM` to read a random sample in which every row is kept with
   * probability `rate`: spread over the whole relation, however its rows are ordered.
   */
  sampleFrom(relationSql: string, rate: number, table: boolean): string;
  /**
   * Text `expression` compared byte by byte, for min and max: DuckDB's default; on PostgreSQL the
   * "C" collation, which both agrees with DuckDB and sorts faster than a language collation.
   */
  binaryOrder(expression: string): string;
  /** How the values of few-valued text columns are counted (see `profile-value-counts.ts`). */
  readonly fewValueCounting: 'grouping-sets' | 'combined-group-by';
  /**
   * Whether the aggregate scan counts negative numbers. When false, the count is asked for in a
   * second query, and only for columns whose minimum is below zero: on DuckDB the filtered counts
   * cost a third of a bare scan, while a narrow numeric query costs almost nothing; on PostgreSQL
   * they are nearly free inside the scan and a second scan is dear.
   */
  readonly negativesInScan: boolean;
  /** A predicate true when text `expression` matches the regular expression bound at `placeholder`. */
  regexMatches(expression: string, placeholder: string): string;
  /**
   * A predicate true when non-null text `expression` does NOT parse as `target` (in `format`, for
   * dates and timestamps). `bindRegex` binds the pattern's regex and returns its placeholder:
   * engines that cannot try a parse without failing the statement (PostgreSQL 15) judge the
   * value's shape by it.
   */
  notParseable(expression: string, target: ParseTarget, format: string | undefined, bindRegex: () => string): string;
}

/** Formats come from the fixed lists of `detect-patterns.ts`; quoting them anyway keeps SQL safe. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** 2^64: `hash()` in DuckDB returns an unsigned 64-bit integer spread evenly over [0, 2^64). */
const HASH_RANGE = 2n ** 64n;

const duckdbDialect: ProfileDialect = {
  kind: 'duckdb',
  toDouble: (expression) => `CAST(${expression} AS DOUBLE)`,
  binaryOrder: (expression) => expression,
  fewValueCounting: 'grouping-sets',
  negativesInScan: false,
  async inspect(session, relationSql) {
    // Answered from the table's metadata; on a view it runs the view (reading no columns).
    const [row] = await session.query(`SELECT count(*) AS n FROM ${relationSql}`);
    return { rows: Number(row?.n ?? 0), table: await hasRowIds(session, relationSql) };
  },
  // A table: rows whose row id hashes below rate x 2^64, which is repeatable (the same table gives
  // the same sample) and measured at half the cost of a coin per row. A view has no row ids: a coin
  // per row. USING SAMPLE (bernoulli) measured slower, and (system) keeps whole vectors of 2,048
  // consecutive rows, whose values on an ordered table all differ (distinct estimates 100x off).
  sampleFrom: (relationSql, rate, table) =>
    table
      ? `${relationSql} WHERE hash(rowid) < ${(BigInt(Math.floor(rate * 2 ** 53)) * HASH_RANGE) / 2n ** 53n}::UBIGINT`
      : `${relationSql} WHERE random() < ${rate.toFixed(8)}`,
  regexMatches: (expression, placeholder) => `regexp_matches(${expression}, ${placeholder})`,
  notParseable(expression, target, format) {
    switch (target) {
      case 'date':
      case 'timestamp':
        return format ? `try_strptime(${expression}, ${sqlString(format)}) IS NULL` : `TRY_CAST(${expression} AS TIMESTAMP) IS NULL`;
      case 'integer':
        return `TRY_CAST(${expression} AS BIGINT) IS NULL`;
      case 'number':
        return `TRY_CAST(${expression} AS DOUBLE) IS NULL`;
      case 'json':
        return `NOT json_valid(${expression})`;
    }
  },
};

const postgresDialect: ProfileDialect = {
  kind: 'postgres',
  toDouble: (expression) => `CAST(${expression} AS double precision)`,
  binaryOrder: (expression) => `${expression} COLLATE "C"`,
  fewValueCounting: 'combined-group-by',
  negativesInScan: true,
  async inspect(session, relationSql) {
    // The planner's estimate for a table (free); a count for views and tables never analyzed (-1).
    const [row] = await session.query(`SELECT c.relkind AS kind, c.reltuples AS estimate FROM pg_catalog.pg_class AS c WHERE c.oid = to_regclass($1)`, [relationSql]);
    const table = row !== undefined && ['r', 'm', 'p'].includes(String(row.kind));
    const estimate = Number(row?.estimate ?? -1);
    if (table && estimate >= 0) return { rows: estimate, table };
    return { rows: Number((await session.query(`SELECT count(*) AS n FROM ${relationSql}`))[0]?.n ?? 0), table };
  },
  // BERNOULLI decides per row inside the scan, before a row is taken apart; SYSTEM keeps whole
  // pages of consecutive rows. Views cannot be table-sampled.
  sampleFrom: (relationSql, rate, table) =>
    // REPEATABLE: the same table gives the same sample, so a profile (and the checks suggested from it) is reproducible.
    table ? `${relationSql} TABLESAMPLE BERNOULLI (${(rate * 100).toFixed(8)}) REPEATABLE (42)` : `${relationSql} WHERE random() < ${rate.toFixed(8)}`,
  regexMatches: (expression, placeholder) => `(${expression} ~ ${placeholder})`,
  // PostgreSQL 15 has no non-failing cast (pg_input_is_valid came in 16): the value's shape is
  // judged by the pattern's regex, which keeps months and days in range but not, say, 30 February.
  notParseable: (expression, _target, _format, bindRegex) => `NOT (${expression} ~ ${bindRegex()})`,
};

/** Whether a DuckDB relation has row ids (tables do, views do not): asked by binding a query that reads none. */
async function hasRowIds(session: EngineSession, relationSql: string): Promise<boolean> {
  try {
    await session.query(`SELECT rowid FROM ${relationSql} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The dialect for an engine kind (`EngineAdapter.kind`).
 *
 * @example
 * ```ts
 * const dialect = profileDialectFor(engine.kind);
 * dialect.toDouble('avg("amount")'); // 'CAST(avg("amount") AS DOUBLE)' on DuckDB
 * ```
 */
export function profileDialectFor(kind: string): ProfileDialect {
  if (kind === 'duckdb') return duckdbDialect;
  if (kind === 'postgres') return postgresDialect;
  throw new WeirError('USAGE', `profiling does not support the engine "${kind}" yet`, { hint: 'profiling runs on duckdb and postgres' });
}
