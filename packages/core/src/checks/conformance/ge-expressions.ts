/**
 * SQL for the GE expectations that compare columns of one row (column pairs, multicolumn sums,
 * uniqueness within a record). Weir expresses them as an `expression` check: a boolean that must
 * hold on every row, a NULL result counting as a failure. GE's `ignore_row_if` becomes a
 * disjunct that makes an ignored row pass.
 *
 * One semantic difference stays: GE's `mostly` is a share of the rows it did not ignore, Weir's
 * expression tolerance a share of all rows.
 */

/** Quotes an identifier for the target engine. */
export type SqlQuote = (name: string) => string;

/**
 * A literal for a value of a GE value set (numbers as they are, text quoted).
 *
 * @example
 * ```ts
 * sqlLiteral("it's"); // "'it''s'"
 * sqlLiteral(1.5); // '1.5'
 * ```
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** The condition under which GE ignores a row of these columns, or undefined for none. */
function ignoredRows(columns: string[], ignoreRowIf: unknown, fallback: string): string | undefined {
  const rule = typeof ignoreRowIf === 'string' ? ignoreRowIf : fallback;
  const nulls = columns.map((column) => `${column} IS NULL`);
  switch (rule) {
    case 'both_values_are_missing':
    case 'all_values_are_missing':
      return `(${nulls.join(' AND ')})`;
    case 'either_value_is_missing':
    case 'any_value_is_missing':
      return `(${nulls.join(' OR ')})`;
    case 'never':
    case 'neither':
      return undefined;
    default:
      throw new RangeError(`unknown ignore_row_if: ${rule}`);
  }
}

function withIgnored(condition: string, ignored: string | undefined): string {
  return ignored === undefined ? condition : `${ignored} OR (${condition})`;
}

/**
 * The expression for a column-pair expectation: `>`/`>=`/`=` between A and B, or membership of
 * the pair in `value_pairs_set`. GE's pair expectations ignore a row when both values are missing
 * unless told otherwise.
 *
 * @example
 * ```ts
 * pairExpression({ column_A: 'x', column_B: 'w' }, '>', (n) => `"${n}"`);
 * // ("x" IS NULL AND "w" IS NULL) OR ("x" > "w")
 * ```
 */
export function pairExpression(kwargs: Record<string, unknown>, comparison: '>' | '>=' | '=' | 'in_set', quote: SqlQuote): string {
  const a = quote(String(kwargs.column_A));
  const b = quote(String(kwargs.column_B));
  let condition: string;
  if (comparison === 'in_set') {
    const pairs = Array.isArray(kwargs.value_pairs_set) ? (kwargs.value_pairs_set as unknown[][]) : [];
    condition = pairs.length === 0 ? 'FALSE' : pairs.map(([left, right]) => `(${a} = ${sqlLiteral(left)} AND ${b} = ${sqlLiteral(right)})`).join(' OR ');
  } else {
    condition = `${a} ${comparison} ${b}`;
  }
  return withIgnored(condition, ignoredRows([a, b], kwargs.ignore_row_if, 'both_values_are_missing'));
}

/**
 * The expression for `expect_multicolumn_sum_to_equal`: the row's columns add up to `sum_total`
 * (ignoring rows where all are missing, GE's default).
 *
 * @example
 * ```ts
 * multicolumnSumExpression({ column_list: ['a', 'b'], sum_total: 4 }, (n) => `"${n}"`);
 * // ("a" IS NULL AND "b" IS NULL) OR ("a" + "b" = 4)
 * ```
 */
export function multicolumnSumExpression(kwargs: Record<string, unknown>, quote: SqlQuote): string {
  const columns = (Array.isArray(kwargs.column_list) ? (kwargs.column_list as unknown[]) : []).map((column) => quote(String(column)));
  const condition = `${columns.join(' + ')} = ${sqlLiteral(kwargs.sum_total)}`;
  return withIgnored(condition, ignoredRows(columns, kwargs.ignore_row_if, 'all_values_are_missing'));
}

/**
 * The expression for `expect_select_column_values_to_be_unique_within_record`: no two of the
 * columns hold the same value in a row. Two missing values count as the same, as in GE.
 *
 * @example
 * ```ts
 * uniqueWithinRecordExpression({ column_list: ['a', 'b'] }, (n) => `"${n}"`);
 * // ("a" IS NULL AND "b" IS NULL) OR ("a" IS DISTINCT FROM "b")
 * ```
 */
export function uniqueWithinRecordExpression(kwargs: Record<string, unknown>, quote: SqlQuote): string {
  const columns = (Array.isArray(kwargs.column_list) ? (kwargs.column_list as unknown[]) : []).map((column) => quote(String(column)));
  const pairs: string[] = [];
  for (let left = 0; left < columns.length; left += 1) {
    for (let right = left + 1; right < columns.length; right += 1) pairs.push(`${columns[left]} IS DISTINCT FROM ${columns[right]}`);
  }
  return withIgnored(pairs.join(' AND ') || 'TRUE', ignoredRows(columns, kwargs.ignore_row_if, 'all_values_are_missing'));
}
