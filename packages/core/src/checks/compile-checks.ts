/**
 * Compiling an asset's checks to as few queries as possible. The cheap checks (not_null,
 * accepted_values, expression, row_count) share ONE scan as filtered counts; `unique` needs a
 * grouping and runs as its own query. Failing-row samples are fetched only for checks that failed
 * (see `evaluate-checks.ts`). The full quality engine (issue #3) extends this planner.
 */
import type { CheckSpec } from '../definitions/check-spec.js';

/** How identifiers are quoted for the target engine. */
export type QuoteIdentifier = (name: string) => string;

/** One query of a compiled check plan, with the checks whose outcome it measures. */
export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** Output column alias -> check name. `__rows` is the row count. */
  measures: Array<{ alias: string; check: string }>;
}

/** The queries that evaluate an asset's checks against one relation. */
export interface CheckPlan {
  queries: CompiledQuery[];
}

/**
 * The SQL predicate that is TRUE for a row breaking a row-level check, or undefined for checks
 * that are not row-level (row_count, unique). Bound values are appended to `params`.
 */
export function failingRowPredicate(check: CheckSpec, quote: QuoteIdentifier, params: unknown[]): string | undefined {
  switch (check.type) {
    case 'not_null':
      return `${quote(check.column)} IS NULL`;
    case 'accepted_values': {
      const placeholders = check.values.map((value) => {
        params.push(typeof value === 'boolean' ? String(value) : String(value));
        return `$${params.length}`;
      });
      // Compared as text so that one list of YAML values works for numbers, strings and booleans.
      return `${quote(check.column)} IS NOT NULL AND CAST(${quote(check.column)} AS VARCHAR) NOT IN (${placeholders.join(', ')})`;
    }
    case 'expression':
      return `NOT COALESCE((${check.sql}), FALSE)`;
    default:
      return undefined;
  }
}

/**
 * Plans the queries for `checks` against `relationSql` (an already quoted relation name).
 *
 * @example
 * ```ts
 * const plan = compileChecks(asset.checks, '"weir_versions"."orders__ab12"', (n) => `"${n}"`);
 * // plan.queries[0].sql: SELECT count(*) AS "__rows", count(*) FILTER (WHERE "id" IS NULL) AS "c0" FROM ...
 * ```
 */
export function compileChecks(checks: CheckSpec[], relationSql: string, quote: QuoteIdentifier): CheckPlan {
  const params: unknown[] = [];
  const selects = [`count(*) AS ${quote('__rows')}`];
  const measures: CompiledQuery['measures'] = [];
  const queries: CompiledQuery[] = [];
  checks.forEach((check, index) => {
    const predicate = failingRowPredicate(check, quote, params);
    if (predicate !== undefined) {
      const alias = `c${index}`;
      selects.push(`count(*) FILTER (WHERE ${predicate}) AS ${quote(alias)}`);
      measures.push({ alias, check: check.name });
    } else if (check.type === 'unique') {
      queries.push(uniqueQuery(check.name, check.columns, relationSql, quote));
    }
  });
  queries.unshift({ sql: `SELECT ${selects.join(', ')} FROM ${relationSql}`, params, measures });
  return { queries };
}

/** Counts duplicated keys and the rows that carry them. NULL keys are not duplicates (as in SQL UNIQUE). */
function uniqueQuery(check: string, columns: string[], relationSql: string, quote: QuoteIdentifier): CompiledQuery {
  const keys = columns.map(quote).join(', ');
  const notNull = columns.map((column) => `${quote(column)} IS NOT NULL`).join(' AND ');
  return {
    sql: `SELECT count(*) AS ${quote('duplicate_keys')}, COALESCE(sum(n), 0) AS ${quote('duplicate_rows')}
          FROM (SELECT count(*) AS n FROM ${relationSql} WHERE ${notNull} GROUP BY ${keys} HAVING count(*) > 1) AS duplicates`,
    params: [],
    measures: [{ alias: 'duplicate_rows', check }],
  };
}

/** SQL returning a few rows that break `check`, for the run record. */
export function sampleQuery(check: CheckSpec, relationSql: string, quote: QuoteIdentifier, limit: number): CompiledQuery | undefined {
  const params: unknown[] = [];
  const predicate = failingRowPredicate(check, quote, params);
  if (predicate !== undefined) {
    return { sql: `SELECT * FROM ${relationSql} WHERE ${predicate} LIMIT ${limit}`, params, measures: [] };
  }
  if (check.type === 'unique') {
    const keys = check.columns.map(quote).join(', ');
    const notNull = check.columns.map((column) => `${quote(column)} IS NOT NULL`).join(' AND ');
    return {
      sql: `SELECT ${keys}, count(*) AS ${quote('occurrences')} FROM ${relationSql} WHERE ${notNull}
            GROUP BY ${keys} HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT ${limit}`,
      params,
      measures: [],
    };
  }
  return undefined;
}
