/**
 * The SQL differences the check planner needs, per engine, and where each engine runs the
 * expensive measures fastest. Checks stay engine-neutral; this object is the one place that knows
 * DuckDB's `regexp_matches` from PostgreSQL's `~`.
 *
 * Placement was measured on this kind of machine (see bench/check-suite.js): on both engines an
 * exact distinct count runs best as a query of its own. On DuckDB several `count(DISTINCT)` in one
 * query are slower than one query each (each keeps its own hash table); on PostgreSQL a DISTINCT
 * aggregate in the shared scan stops it from running in parallel and sorts every value, so the
 * scan of the cheap checks stays parallel and each distinct count gets its own query: a sort for
 * a unique key, a GROUP BY for the number of distinct values (few groups hash fast).
 */
import type { ParseTarget } from '../definitions/check-spec.js';
import type { EngineSession } from '../engines/engine-adapter.js';
import { isNumericFamily, typeFamily } from './type-family.js';

/** How identifiers are quoted for the target engine. */
export type QuoteIdentifier = (name: string) => string;

/** What the check planner asks of an engine's SQL. */
export interface CheckDialect {
  readonly kind: string;
  quote: QuoteIdentifier;
  /** Exact distinct counts share the main scan (true) or run as one query each (false). */
  fuseDistinct: boolean;
  /**
   * `unique` counts the rows of repeated keys with a GROUP BY (exact failing rows in one query)
   * instead of comparing count(DISTINCT) with count().
   */
  uniqueByGroups: boolean;
  /** An aggregate counting the rows where `predicate` is true. */
  countWhere(predicate: string): string;
  /** An aggregate counting the rows where `column` (quoted) is NULL. */
  countNulls(column: string): string;
  /** Rows without a parent are found by a LEFT JOIN (DuckDB: faster) rather than NOT EXISTS (PostgreSQL: a hash anti-join). */
  antiJoinByLeftJoin: boolean;
  /**
   * A query counting the distinct non-null values of `column` in `relationSql` as `alias`, for
   * `distinct_count` and `unique_proportion`.
   */
  distinctValuesQuery(column: string, relationSql: string, alias: string): string;
  /** Approximate distinct counts exist (for per-column metrics). */
  approxDistinct(expr: string): string | undefined;
  /** The expression as text. */
  asText(expr: string): string;
  /** TRUE when the text `expr` contains a match of the pattern bound at `param`. */
  regexMatches(textExpr: string, param: string): string;
  /** Length in characters of a text expression. */
  textLength(textExpr: string): string;
  /** TRUE when the text `expr` does NOT parse as `target` (with an optional strptime format bound at `formatParam`). */
  parseFails(textExpr: string, target: ParseTarget, formatParam: string | undefined): string;
  /** A strptime format (`%Y-%m-%d`) in the form this engine's date parser takes. */
  dateFormat(format: string): string;
  /** A continuous quantile aggregate (`q` between 0 and 1). */
  quantile(expr: string, q: number): string;
  /** Seconds since 1970 of a date or timestamp aggregate. */
  epochSeconds(expr: string): string;
  /** Cast to a double for averaging. */
  asDouble(expr: string): string;
  /** Prepares the session once before check queries run (helper functions); may do nothing. */
  prepare(session: EngineSession, needs: { parseable: boolean }): Promise<void>;
  /** True when the relation's column holds numbers (known once it is described); value lists then compare as numbers. */
  isNumeric?(column: string): boolean;
}

/**
 * The dialect, told which columns of the relation hold numbers: `accepted_values: [1, 2]` on a
 * DOUBLE column compares 2.0 with 2, not the text "2.0" with "2".
 *
 * @example
 * ```ts
 * const dialect = withColumnTypes(checkDialectFor('duckdb', quote), await engine.describe(relation) ?? []);
 * ```
 */
export function withColumnTypes(dialect: CheckDialect, columns: ReadonlyArray<{ name: string; type: string }>): CheckDialect {
  const numeric = new Set(columns.filter((column) => isNumericFamily(typeFamily(column.type))).map((column) => column.name.toLowerCase()));
  return { ...dialect, isNumeric: (column) => numeric.has(column.toLowerCase()) };
}

/** A numeric literal that is safe to inline: bounds come from validated config, never from data. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

const duckdbDialect = (quote: QuoteIdentifier): CheckDialect => ({
  kind: 'duckdb',
  quote,
  fuseDistinct: false,
  uniqueByGroups: true,
  // Measured on 10M rows: count_if() costs a quarter of count(*) FILTER (WHERE ...), and count(*) -
  // count(column) reads only the validity mask (free when the column has no nulls).
  countWhere: (predicate) => `count_if(${predicate})`,
  countNulls: (column) => `(count(*) - count(${column}))`,
  antiJoinByLeftJoin: true,
  distinctValuesQuery: (column, relationSql, alias) => `SELECT count(DISTINCT ${column}) AS ${quote(alias)} FROM ${relationSql}`,
  approxDistinct: (expr) => `approx_count_distinct(${expr})`,
  asText: (expr) => `CAST(${expr} AS VARCHAR)`,
  regexMatches: (text, param) => `regexp_matches(${text}, ${param})`,
  textLength: (text) => `length(${text})`,
  parseFails: (text, target, formatParam) => {
    switch (target) {
      case 'date':
        return formatParam === undefined ? `TRY_CAST(${text} AS DATE) IS NULL` : `TRY_STRPTIME(${text}, ${formatParam}) IS NULL`;
      case 'timestamp':
        return formatParam === undefined ? `TRY_CAST(${text} AS TIMESTAMP) IS NULL` : `TRY_STRPTIME(${text}, ${formatParam}) IS NULL`;
      case 'number':
        return `TRY_CAST(trim(${text}) AS DOUBLE) IS NULL`;
      case 'integer':
        return `TRY_CAST(trim(${text}) AS HUGEINT) IS NULL`;
      case 'json':
        return `NOT COALESCE(json_valid(${text}), FALSE)`;
    }
  },
  dateFormat: (format) => format,
  quantile: (expr, q) => `quantile_cont(${expr}, ${numberLiteral(q)})`,
  epochSeconds: (expr) => `epoch(${expr})`,
  asDouble: (expr) => `CAST(${expr} AS DOUBLE)`,
  // A GROUP BY over an integer key whose range (known from statistics) fits 2^24 groups then uses
  // a perfect hash table: about twice as fast as count(DISTINCT) on a 10M-row unique key.
  prepare: async (session) => session.execute('SET perfect_ht_threshold = 24'),
});

/**
 * PostgreSQL 15 has no TRY_CAST and no non-throwing JSON or date test, so parseability goes
 * through one small function that catches the cast error. It lives in `weir_staging`, Weir's own
 * schema, and is created once per database.
 */
const PG_PARSE_FUNCTION = 'weir_staging.weir_fails_to_parse';
const PG_PARSE_FUNCTION_SQL = `CREATE OR REPLACE FUNCTION ${PG_PARSE_FUNCTION}(value text, target text, format text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $weir$
BEGIN
  IF target = 'json' THEN PERFORM value::json;
  ELSIF target = 'number' THEN PERFORM trim(value)::double precision;
  ELSIF target = 'integer' THEN PERFORM trim(value)::numeric(1000,0); IF trim(value) !~ '^[-+]?[0-9]+$' THEN RETURN true; END IF;
  ELSIF target = 'date' AND format IS NULL THEN PERFORM value::date;
  ELSIF target = 'timestamp' AND format IS NULL THEN PERFORM value::timestamp;
  ELSE PERFORM to_timestamp(value, format);
  END IF;
  RETURN false;
EXCEPTION WHEN others THEN RETURN true;
END $weir$`;

/** strptime directives and their PostgreSQL `to_timestamp` equivalents. */
const STRPTIME_TO_POSTGRES: Record<string, string> = {
  '%Y': 'YYYY',
  '%m': 'MM',
  '%d': 'DD',
  '%H': 'HH24',
  '%I': 'HH12',
  '%M': 'MI',
  '%S': 'SS',
  '%p': 'AM',
  '%b': 'Mon',
  '%B': 'Month',
  '%y': 'YY',
  '%j': 'DDD',
  '%f': 'US',
  '%%': '%',
};

/**
 * A strptime format (`%Y-%m-%d`) as a PostgreSQL `to_timestamp` template (`YYYY-MM-DD`).
 * Literal text is quoted so that letters in it are not read as template fields.
 *
 * @example
 * ```ts
 * postgresDateTemplate('%d/%m/%Y %H:%M'); // 'DD/MM/YYYY HH24:MI'
 * ```
 */
export function postgresDateTemplate(format: string): string {
  return format.replace(/%.|[^%]+/g, (piece) => {
    if (piece.startsWith('%')) return STRPTIME_TO_POSTGRES[piece] ?? piece;
    return /[A-Za-z]/.test(piece) ? `"${piece.replaceAll('"', '')}"` : piece;
  });
}

const postgresDialect = (quote: QuoteIdentifier): CheckDialect => ({
  kind: 'postgres',
  quote,
  fuseDistinct: false,
  // A sort-based count(DISTINCT) beats hashing a unique key in PostgreSQL's default work_mem.
  uniqueByGroups: false,
  countWhere: (predicate) => `count(*) FILTER (WHERE ${predicate})`,
  countNulls: (column) => `count(*) FILTER (WHERE ${column} IS NULL)`,
  antiJoinByLeftJoin: false,
  distinctValuesQuery: (column, relationSql, alias) =>
    `SELECT count(*) AS ${quote(alias)} FROM (SELECT ${column} FROM ${relationSql} WHERE ${column} IS NOT NULL GROUP BY ${column}) AS ${quote('distinct_values')}`,
  approxDistinct: () => undefined,
  asText: (expr) => `CAST(${expr} AS TEXT)`,
  regexMatches: (text, param) => `(${text} ~ ${param})`,
  textLength: (text) => `char_length(${text})`,
  parseFails: (text, target, formatParam) => `${PG_PARSE_FUNCTION}(${text}, '${target}', ${formatParam === undefined ? 'NULL' : `${formatParam}::text`})`,
  dateFormat: postgresDateTemplate,
  quantile: (expr, q) => `percentile_cont(${numberLiteral(q)}) WITHIN GROUP (ORDER BY ${expr})`,
  epochSeconds: (expr) => `extract(epoch from ${expr})`,
  asDouble: (expr) => `CAST(${expr} AS DOUBLE PRECISION)`,
  prepare: async (session, needs) => {
    if (!needs.parseable) return;
    const [found] = await session.query(`SELECT to_regprocedure('${PG_PARSE_FUNCTION}(text,text,text)') IS NOT NULL AS present`);
    if (found?.present === true) return;
    await session.execute('CREATE SCHEMA IF NOT EXISTS weir_staging');
    await session.execute(PG_PARSE_FUNCTION_SQL);
  },
});

/**
 * The check dialect of an engine, by its `kind`.
 *
 * @example
 * ```ts
 * const dialect = checkDialectFor(engine.kind, (name) => engine.quoteIdentifier(name));
 * ```
 */
export function checkDialectFor(kind: string, quote: QuoteIdentifier): CheckDialect {
  if (kind === 'postgres') return postgresDialect(quote);
  return duckdbDialect(quote);
}
