/**
 * The SQL predicate of each row-level check: TRUE for a row that breaks it. One predicate serves
 * the fused count, the sample of failing rows and quarantine, so the three can never disagree.
 *
 * NULL handling follows the peers (dbt, Great Expectations): a column check other than not_null
 * ignores NULL values, and its tolerance is a share of the non-null rows.
 */
import type { Bounds, RowLevelCheck } from '../definitions/check-spec.js';
import { numberLiteral, type CheckDialect } from './check-dialect.js';

/** Collects bound values and hands out their placeholders (`$1`, `$2`, ...). */
export class BoundValues {
  readonly values: unknown[] = [];

  /** Binds `value` and returns its placeholder. */
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The predicate that is TRUE for a row breaking `check`.
 *
 * @example
 * ```ts
 * const params = new BoundValues();
 * failingRowPredicate({ type: 'between', column: 'amount', min: 0, name: 'b', severity: 'error' }, dialect, params);
 * // "amount" IS NOT NULL AND NOT ("amount" >= 0)
 * ```
 */
export function failingRowPredicate(check: RowLevelCheck, dialect: CheckDialect, params: BoundValues): string {
  if (check.type === 'expression') return `NOT COALESCE((${check.sql}), FALSE)`;
  const column = dialect.quote(check.column);
  if (check.type === 'not_null') return `${column} IS NULL`;
  return `${column} IS NOT NULL AND ${violation(check, column, dialect, params)}`;
}

/** The condition on a non-null value that breaks the check. */
function violation(check: Exclude<RowLevelCheck, { type: 'expression' | 'not_null' }>, column: string, dialect: CheckDialect, params: BoundValues): string {
  switch (check.type) {
    case 'accepted_values':
    case 'not_accepted_values': {
      const operator = check.type === 'accepted_values' ? 'NOT IN' : 'IN';
      // Numbers against a numeric column compare as numbers (2.0 is 2); anything else compares as
      // text, so that one list of YAML values works for strings, codes and booleans.
      if (check.values.every((value) => typeof value === 'number') && dialect.isNumeric?.(check.column) === true) {
        return `${column} ${operator} (${check.values.map((value) => numberLiteral(value as number)).join(', ')})`;
      }
      const list = check.values.map((value) => params.bind(String(value))).join(', ');
      return `${dialect.asText(column)} ${operator} (${list})`;
    }
    case 'between':
      return `NOT (${boundsCondition(column, check)})`;
    case 'length':
      return `NOT (${boundsCondition(dialect.textLength(dialect.asText(column)), check)})`;
    case 'regex':
      return `NOT ${dialect.regexMatches(dialect.asText(column), params.bind(check.pattern))}`;
    case 'not_regex':
      return dialect.regexMatches(dialect.asText(column), params.bind(check.pattern));
    case 'parseable':
      return dialect.parseFails(dialect.asText(column), check.as, check.format === undefined ? undefined : params.bind(dialect.dateFormat(check.format)));
  }
}

/**
 * The SQL condition that `expr` lies within `bounds` (inclusive unless strict).
 *
 * @example
 * ```ts
 * boundsCondition('"x"', { min: 0, max: 10, strictMax: true }); // "x" >= 0 AND "x" < 10
 * ```
 */
export function boundsCondition(expr: string, bounds: Bounds): string {
  const parts: string[] = [];
  if (bounds.min !== undefined) parts.push(`${expr} ${bounds.strictMin === true ? '>' : '>='} ${numberLiteral(bounds.min)}`);
  if (bounds.max !== undefined) parts.push(`${expr} ${bounds.strictMax === true ? '<' : '<='} ${numberLiteral(bounds.max)}`);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** The SQL counting the rows a row-level check applies to: all rows for not_null and expressions, else the non-null values. */
export function applicableRowsSql(check: RowLevelCheck, dialect: CheckDialect): string {
  return check.type === 'not_null' || check.type === 'expression' ? 'count(*)' : `count(${dialect.quote(check.column)})`;
}
