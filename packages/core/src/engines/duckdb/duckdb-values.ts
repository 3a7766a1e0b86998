/**
 * Converting DuckDB values to plain JS at the API boundary. DuckDB returns BIGINT and HUGEINT as
 * `bigint`; Weir hands numbers to people and to JSON, so a bigint becomes a number when it is
 * exactly representable and a string otherwise (never a silently rounded number).
 */

/** Converts one value returned by `getRowObjectsJS` to a JSON-safe JS value. */
export function toPlainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  const plain: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) plain[key] = toPlainValue(inner);
  return plain;
}

/** Converts every value of every row. */
export function toPlainRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((row) => {
    const plain: Record<string, unknown> = {};
    for (const key of Object.keys(row)) plain[key] = toPlainValue(row[key]);
    return plain;
  });
}
