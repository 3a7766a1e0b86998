/**
 * The SQL that profiling and check suggestion write differently per engine, in one small object
 * per engine chosen by the adapter's `kind`. Everything else they write is SQL both engines run
 * as it is (aggregates with FILTER, count(DISTINCT), GROUP BY, bound `$n` parameters).
 */
import type { EngineSession } from '../engines/engine-adapter.js';
import { WeirError } from '../errors/weir-error.js';
import type { ParseTarget } from './detect-patterns.js';

/** How to read a sample of about `size` rows of a relation. */
export interface SampleSource {
  /** What follows `SELECT <columns> FROM`. */
  from: string;
  /** True when the engine picks rows (the result may be any part of the relation); false when it reads rows in order up to a limit. */
  sampled: boolean;
}

/** The per-engine differences of profiling. */
export interface ProfileDialect {
  readonly kind: 'duckdb' | 'postgres';
  /** `expression` as a double-precision float (PostgreSQL's numeric averages would arrive as exact decimals). */
  toDouble(expression: string): string;
  /**
   * Where to read a sample of about `size` rows from. Reads the engine's cheapest sample: whole
   * storage blocks (DuckDB's vectors, PostgreSQL's pages), which costs a fraction of a scan.
   */
  sampleSource(session: EngineSession, relationSql: string, size: number): Promise<SampleSource>;
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

/** The seed of repeatable samples, so that profiling the same data twice gives the same profile. */
const SAMPLE_SEED = 42;

/** Formats come from the fixed lists of `detect-patterns.ts`; quoting them anyway keeps SQL safe. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A sampling percentage for about `size` of `rows` rows, with a floor so a tiny share still reads something. */
function percentFor(size: number, rows: number): string {
  return Math.min(100, Math.max(0.001, (size / rows) * 100)).toFixed(3);
}

const duckdbDialect: ProfileDialect = {
  kind: 'duckdb',
  toDouble: (expression) => `CAST(${expression} AS DOUBLE)`,
  async sampleSource(session, relationSql, size) {
    // count(*) on a DuckDB table is answered from its metadata; on a view it runs the view.
    const [row] = await session.query(`SELECT count(*) AS n FROM ${relationSql}`);
    const rows = Number(row?.n ?? 0);
    if (rows <= size) return { from: `${relationSql} LIMIT ${size + 1}`, sampled: false };
    // System sampling keeps or skips whole vectors (2,048 rows): much cheaper than a reservoir,
    // which reads every row; the vectors kept are spread over the whole table.
    return { from: `${relationSql} USING SAMPLE ${percentFor(size, rows)} PERCENT (system, ${SAMPLE_SEED})`, sampled: true };
  },
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
  async sampleSource(session, relationSql, size) {
    // The planner's row estimate: free, and good enough to choose a sampling rate. Tables never
    // analyzed (-1) are counted; views cannot be block-sampled and are read in random order.
    const [row] = await session.query(`SELECT c.relkind AS kind, c.reltuples AS estimate FROM pg_catalog.pg_class AS c WHERE c.oid = to_regclass($1)`, [relationSql]);
    const isTable = row !== undefined && ['r', 'm', 'p'].includes(String(row.kind));
    if (!isTable) return { from: `${relationSql} ORDER BY random() LIMIT ${size + 1}`, sampled: true };
    let rows = Number(row.estimate);
    if (!(rows >= 0)) rows = Number((await session.query(`SELECT count(*) AS n FROM ${relationSql}`))[0]?.n ?? 0);
    if (rows <= size) return { from: `${relationSql} LIMIT ${size + 1}`, sampled: false };
    return { from: `${relationSql} TABLESAMPLE SYSTEM (${percentFor(size, rows)}) REPEATABLE (${SAMPLE_SEED})`, sampled: true };
  },
  regexMatches: (expression, placeholder) => `(${expression} ~ ${placeholder})`,
  // PostgreSQL 15 has no non-failing cast (pg_input_is_valid came in 16): the value's shape is
  // judged by the pattern's regex, which keeps months and days in range but not, say, 30 February.
  notParseable: (expression, _target, _format, bindRegex) => `NOT (${expression} ~ ${bindRegex()})`,
};

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
